/**
 * Contract of the zafu emulator against its sources: seeds/zafu-open-platform.md (the platform's
 * doc pages) and PLATFORMS.md §2. Raw HTTP (fetch) only — no client package is imported, so the
 * emulator is held to the seed, not to our client.
 *
 * The seed has no headings: "§<call>" names the section that documents that call. Each fact below
 * is copied from the seed's parameter tables and JSON examples.
 */
import { ZAFU_DEFAULT_APP, startZafuEmulator, zafuEncryptIdCard } from '../src/platforms/zafu';
import { useEmulator } from '../src/testing';

type JsonType = 'string' | 'number' | 'boolean' | 'array' | 'object' | 'null';
const typeOf = (v: unknown): JsonType =>
  v === null ? 'null' : Array.isArray(v) ? 'array' : (typeof v as Exclude<JsonType, 'array' | 'null'>);
const typesOf = (o: Record<string, unknown>, keys: string[]) => Object.fromEntries(keys.map((k) => [k, typeOf(o[k])]));

// ─────────────────────────────── facts from the seed ───────────────────────────────

// seed: zafu-open-platform.md §POST https://open.zafu.edu.cn/oauth/token (client credentials)
const TOKEN_FACTS = {
  path: '/oauth/token',
  method: 'POST',
  contentType: 'application/json', // 注意:post数据时,在请求的header里面增加Content-Type:application/json
  body: { grant_type: 'client_credentials', client_id: ZAFU_DEFAULT_APP.clientId, client_secret: ZAFU_DEFAULT_APP.clientSecret },
  required: ['grant_type', 'client_id', 'client_secret'], // 必填 true, all three
  // 正确返回 json示例 — top level, not enveloped; expires_in is a number in the example (the table says string)
  answerTypes: { access_token: 'string', expires_in: 'number', scope: 'string', token_type: 'string' },
  answerValues: { expires_in: 1209600, scope: 'base_api', token_type: 'Bearer' },
  badSecret: { status: 401 }, // app_secret取值错误的响应码 HTTP Status Code 401
  badScope: { scope: 'manaer', status: 403, body: { error: 'access_denied', error_description: 'Unauthorized scope: manaer' } },
  badGrant: {
    grant_type: 'client_edentials',
    status: 400,
    body: { error: 'unsupported_grant_type', error_description: 'Unsupported grant type: client_edentials' },
  },
} as const;

// PLATFORMS.md §2: "A later page also shows the same call as a GET with query parameters."
const TOKEN_GET_FACTS = { method: 'GET', in: 'query' } as const;

// seed: §POST /oauth/token, "所有的开放平台接口…": a failed token check is HTTP 401 or 403; an expired token:
const TOKEN_CHECK_FACTS = {
  failedStatuses: [401, 403],
  expired: { status: 403, body: { error: 'invalid_grant', error_description: 'Access token is expired' } },
} as const;

/** One open API as the seed documents it. */
interface OpenApiFact {
  section: string;
  path: string;
  /** Valid parameters (the seed's example values where it gives some). */
  params: Record<string, string>;
  /** The parameters whose absence the platform refuses, for `params`. */
  required: string[];
  /** 'typed' = {type, code, content, anchor, errorFields, data}; 'status' = {status, message}. */
  envelope: 'typed' | 'status';
  /** JSON type of `data` on success; 'absent' when the example has no `data`. */
  data?: JsonType | 'absent';
  /** The success example's `code` and `errorFields` type. */
  code?: string;
  errorFields?: JsonType;
}

const APP_ID = ZAFU_DEFAULT_APP.appId; // seed §scanrecord.jhtm: "如 appid = 01"
// seed: one row per open API section; every one is POST with access_token (in the URL's query)
const OPEN_API_FACTS: OpenApiFact[] = [
  // seed §POST /api/menulist?access_token=
  {
    section: 'menulist',
    path: '/api/menulist',
    params: {},
    required: [],
    envelope: 'typed',
    data: 'array',
    code: '成功',
    errorFields: 'array',
  },
  // seed §POST /api/menusubmit?json=[json]access_token= — json: 全部菜单json字符串
  {
    section: 'menusubmit',
    path: '/api/menusubmit',
    params: { json: JSON.stringify([{ id: 1702, name: '校园', url: '#', childs: [] }]) },
    required: ['json'],
    envelope: 'typed',
    data: 'absent',
    code: '成功',
    errorFields: 'array',
  },
  // seed §POST /api/menudelete?id=[id]&access_token=
  {
    section: 'menudelete',
    path: '/api/menudelete',
    params: { id: '1704' },
    required: ['id'],
    envelope: 'typed',
    data: 'absent',
    code: '成功',
    errorFields: 'array',
  },
  // seed §POST /api/msgcreate?content=123&scope=1&userno=20121032&channel=1 — appId 必填 too; mobile optional
  {
    section: 'msgcreate',
    path: '/api/msgcreate',
    params: { content: '123', scope: '1', userno: '20121032', channel: '1', appId: APP_ID },
    required: ['content', 'scope', 'userno', 'channel', 'appId'],
    envelope: 'status',
  },
  // seed §POST /api/msgsend — messageType 7 (App必做任务): content, xgh, messageType, messageTo (a task id) 必填
  {
    section: 'msgsend',
    path: '/api/msgsend',
    params: { content: '请完成任务', xgh: '20121032', messageType: '7', messageTo: '14' },
    required: ['content', 'xgh', 'messageType', 'messageTo'],
    envelope: 'status',
  },
  // seed §POST /api/getMessageStatus — xgh, messageType 必填; messageTo 必填 for 8 (任务id)
  {
    section: 'getMessageStatus',
    path: '/api/getMessageStatus',
    params: { xgh: '20121032', messageType: '8', messageTo: '14' },
    required: ['xgh', 'messageType', 'messageTo'],
    envelope: 'typed',
    data: 'array',
    code: '0',
    errorFields: 'null',
  },
  // seed §POST /api/mustTaskList — no parameters
  {
    section: 'mustTaskList',
    path: '/api/mustTaskList',
    params: {},
    required: [],
    envelope: 'typed',
    data: 'array',
    code: '成功',
    errorFields: 'array',
  },
  // seed §POST /api/scanrecord.jhtm — every parameter 必填; idCard AES-encrypted with the 0-padded appId
  {
    section: 'scanrecord.jhtm',
    path: '/api/scanrecord.jhtm',
    params: {
      termName: '东湖食堂',
      termSn: 'SN-0001',
      name: '林晓雨',
      xgh: '2021101001',
      idCard: zafuEncryptIdCard('33010219900307123X', APP_ID),
      userType: '教师',
      scanDate: '24-07-04 10:03:04', // yy-MM-dd hh:mm:ss
      appId: APP_ID,
    },
    required: ['termName', 'termSn', 'name', 'xgh', 'idCard', 'userType', 'scanDate', 'appId'],
    envelope: 'typed',
    data: 'null',
    code: '1',
    errorFields: 'array',
  },
];

// seed §POST /api/menulist: the envelope's fields (the table types them all string; the example is what is sent)
const TYPED_ENVELOPE_FACTS = {
  type: 'string',
  code: 'string',
  content: 'string',
  anchor: 'string',
  success: 'success',
  error: 'error',
} as const;
// seed §msgcreate / §msgsend: {status: Integer 0 错误 | 1 成功, message: String}
const STATUS_ENVELOPE_FACTS = { status: 'number', message: 'string', ok: 1, refused: 0 } as const;
// seed §msgcreate: the example refusal
const MSGCREATE_REFUSAL = { message: '推送内容、推送范围或推送渠道为空', status: 0 } as const;

// seed §POST /api/menulist: the example's menu entry and function (menuDaps) fields, with their JSON types
const MENU_FACTS = {
  menu: {
    parent: 'number',
    has_dap: 'number',
    lvl: 'number',
    menuDaps: 'array',
    visiable: 'number',
    memo: 'null',
    sort: 'number',
    fap_key: 'string',
    childs: 'array',
    url: 'string',
    name: 'string',
    icon_class: 'null',
    id: 'number',
  },
  dap: { name: 'string', id: 'number', menu: 'number', fap_key: 'string' },
} as const;
// seed §POST /api/getMessageStatus: data items
const MESSAGE_STATUS_FACTS = { is_read: 'string', message_content: 'string', id: 'number', read_date: 'number' } as const;
// seed §POST /api/mustTaskList: data items (the example says title; the table says text)
const TASK_FACTS = { id: 'number', title: 'string' } as const;

// ─────────────────────────────── raw HTTP ───────────────────────────────

// one emulator for the file, back to a fresh start after every test (tokens, menus, messages, clock)
const emulator = useEmulator(startZafuEmulator, (e) => e.reset());

interface Call {
  method?: string;
  query?: Record<string, string>;
  json?: unknown;
  form?: Record<string, string>;
  headers?: Record<string, string>;
}
async function call(path: string, c: Call = {}) {
  const url = `${emulator.current.url}${path}${c.query ? `?${new URLSearchParams(c.query)}` : ''}`;
  const headers: Record<string, string> = { ...c.headers };
  let body: string | undefined;
  if (c.json !== undefined) {
    headers['content-type'] ??= 'application/json';
    body = JSON.stringify(c.json);
  } else if (c.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(c.form).toString();
  }
  const res = await fetch(url, { method: c.method ?? 'POST', headers, body, redirect: 'manual' });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, type: res.headers.get('content-type') ?? '', json: json as Record<string, unknown>, text };
}

const without = (o: Record<string, string>, k: string) => Object.fromEntries(Object.entries(o).filter(([key]) => key !== k));

async function appToken(): Promise<string> {
  const r = await call(TOKEN_FACTS.path, { json: TOKEN_FACTS.body });
  expect(r.status).toBe(200);
  return r.json.access_token as string;
}

// ─────────────────────────────── the token call ───────────────────────────────

describe('zafu contract: client-credentials token (seed §POST /oauth/token)', () => {
  it('POST JSON → 200, a top-level answer with the documented fields, JSON types and values', async () => {
    const r = await call(TOKEN_FACTS.path, { method: TOKEN_FACTS.method, json: TOKEN_FACTS.body });
    expect(r.status).toBe(200);
    expect(r.type).toContain('application/json');
    expect(typesOf(r.json, Object.keys(TOKEN_FACTS.answerTypes))).toEqual(TOKEN_FACTS.answerTypes);
    expect(r.json).toMatchObject(TOKEN_FACTS.answerValues);
    expect(Object.keys(r.json).sort()).toEqual(Object.keys(TOKEN_FACTS.answerTypes).sort()); // not enveloped
    expect((r.json.access_token as string).length).toBeGreaterThan(0);
  });

  it('GET with query parameters → the same answer (PLATFORMS.md §2)', async () => {
    const r = await call(TOKEN_FACTS.path, { method: TOKEN_GET_FACTS.method, query: TOKEN_FACTS.body });
    expect(r.status).toBe(200);
    expect(typesOf(r.json, Object.keys(TOKEN_FACTS.answerTypes))).toEqual(TOKEN_FACTS.answerTypes);
    expect(r.json).toMatchObject(TOKEN_FACTS.answerValues);
  });

  it.each(TOKEN_FACTS.required)('a request without %s is refused (4xx, no token)', async (field) => {
    const r = await call(TOKEN_FACTS.path, { json: without(TOKEN_FACTS.body, field) });
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(r.status).toBeLessThan(500);
    expect(r.json?.access_token).toBeUndefined();
  });

  it('a wrong client_secret → HTTP 401', async () => {
    const r = await call(TOKEN_FACTS.path, { json: { ...TOKEN_FACTS.body, client_secret: 'not-the-secret' } });
    expect(r.status).toBe(TOKEN_FACTS.badSecret.status);
    expect(r.json?.access_token).toBeUndefined();
  });

  it('a bad scope → 403 access_denied; a bad grant_type → 400 unsupported_grant_type (the seed bodies)', async () => {
    const scope = await call(TOKEN_FACTS.path, { json: { ...TOKEN_FACTS.body, scope: TOKEN_FACTS.badScope.scope } });
    expect(scope.status).toBe(TOKEN_FACTS.badScope.status);
    expect(scope.json).toEqual(TOKEN_FACTS.badScope.body);
    const grant = await call(TOKEN_FACTS.path, { json: { ...TOKEN_FACTS.body, grant_type: TOKEN_FACTS.badGrant.grant_type } });
    expect(grant.status).toBe(TOKEN_FACTS.badGrant.status);
    expect(grant.json).toEqual(TOKEN_FACTS.badGrant.body);
  });

  it('encodings the seed does not document are refused: a form body, a POST with query parameters, JSON without its Content-Type', async () => {
    const refused = async (c: Call) => {
      const r = await call(TOKEN_FACTS.path, c);
      expect(r.status).toBeGreaterThanOrEqual(400);
      expect(r.status).toBeLessThan(500);
      expect(r.json?.access_token).toBeUndefined();
    };
    await refused({ form: TOKEN_FACTS.body });
    await refused({ query: TOKEN_FACTS.body });
    await refused({ json: TOKEN_FACTS.body, headers: { 'content-type': 'text/plain' } });
    expect(emulator.current.stats().tokenFetches).toBe(0);
  });

  it('other methods are refused', async () => {
    for (const method of ['PUT', 'DELETE'])
      expect((await call(TOKEN_FACTS.path, { method, json: TOKEN_FACTS.body })).status).toBe(405);
  });

  it('重复获取将导致上次获取的Access Token失效: a new token invalidates the previous one', async () => {
    const first = await appToken();
    expect((await call('/api/menulist', { query: { access_token: first } })).status).toBe(200);
    const second = await appToken();
    expect(second).not.toBe(first);
    const stale = await call('/api/menulist', { query: { access_token: first } });
    expect(stale.status).toBe(TOKEN_CHECK_FACTS.expired.status);
    expect(stale.json).toEqual(TOKEN_CHECK_FACTS.expired.body);
    expect((await call('/api/menulist', { query: { access_token: second } })).status).toBe(200);
  });

  it('有效期目前为2周: a token works until expires_in has passed, then is "Access token is expired"', async () => {
    const token = await appToken();
    emulator.current.clock.advance(TOKEN_FACTS.answerValues.expires_in * 1000 - 1000);
    expect((await call('/api/mustTaskList', { query: { access_token: token } })).status).toBe(200);
    emulator.current.clock.advance(2000);
    const expired = await call('/api/mustTaskList', { query: { access_token: token } });
    expect(expired.status).toBe(TOKEN_CHECK_FACTS.expired.status);
    expect(expired.json).toEqual(TOKEN_CHECK_FACTS.expired.body);
  });
});

// ─────────────────────────────── the open APIs ───────────────────────────────

describe.each(OPEN_API_FACTS)('zafu contract: open API $path (seed §$section)', (fact) => {
  const checkTyped = (body: Record<string, unknown>) =>
    expect(typesOf(body, ['type', 'code', 'content', 'anchor'])).toEqual({
      type: TYPED_ENVELOPE_FACTS.type,
      code: TYPED_ENVELOPE_FACTS.code,
      content: TYPED_ENVELOPE_FACTS.content,
      anchor: TYPED_ENVELOPE_FACTS.anchor,
    });

  it('POST with the parameters and access_token in the query → the documented envelope, types and values', async () => {
    const access_token = await appToken();
    const r = await call(fact.path, { query: { ...fact.params, access_token } });
    expect(r.status).toBe(200);
    expect(r.type).toContain('application/json');
    if (fact.envelope === 'status') {
      expect(typesOf(r.json, ['status', 'message'])).toEqual({
        status: STATUS_ENVELOPE_FACTS.status,
        message: STATUS_ENVELOPE_FACTS.message,
      });
      expect(r.json.status).toBe(STATUS_ENVELOPE_FACTS.ok);
      return;
    }
    checkTyped(r.json);
    expect(r.json.type).toBe(TYPED_ENVELOPE_FACTS.success);
    expect(r.json.code).toBe(fact.code);
    expect(r.json.anchor).toBe('undefined');
    expect(typeOf(r.json.errorFields)).toBe(fact.errorFields);
    if (fact.data === 'absent') expect('data' in r.json).toBe(false);
    else expect(typeOf(r.json.data)).toBe(fact.data);
  });

  if (fact.required.length > 0)
    it.each(fact.required)('without %s → the refusal envelope', async (field) => {
      const access_token = await appToken();
      const r = await call(fact.path, { query: { ...without(fact.params, field), access_token } });
      expect(r.json).toBeDefined();
      if (fact.envelope === 'status') {
        expect(r.json.status).toBe(STATUS_ENVELOPE_FACTS.refused);
        expect(typeOf(r.json.message)).toBe('string');
      } else {
        checkTyped(r.json);
        expect(r.json.type).toBe(TYPED_ENVELOPE_FACTS.error);
      }
    });

  it('no access_token, or one in the body instead of the query → HTTP 401 or 403', async () => {
    const none = await call(fact.path, { query: fact.params });
    expect(TOKEN_CHECK_FACTS.failedStatuses).toContain(none.status);
    const access_token = await appToken();
    const inBody = await call(fact.path, { form: { ...fact.params, access_token } });
    expect(TOKEN_CHECK_FACTS.failedStatuses).toContain(inBody.status);
    const unknown = await call(fact.path, { query: { ...fact.params, access_token: 'never-issued' } });
    expect(TOKEN_CHECK_FACTS.failedStatuses).toContain(unknown.status);
  });

  it('only POST is served', async () => {
    const access_token = await appToken();
    for (const method of ['GET', 'PUT', 'DELETE']) {
      const r = await call(fact.path, { method, query: { ...fact.params, access_token } });
      expect(r.status).toBe(405);
    }
  });
});

describe('zafu contract: answer fields of the seed examples', () => {
  it('§menulist: the menu entries and their menuDaps carry the example fields with the example JSON types', async () => {
    const r = await call('/api/menulist', { query: { access_token: await appToken() } });
    const [top] = r.json.data as Array<Record<string, unknown>>;
    expect(typesOf(top, Object.keys(MENU_FACTS.menu))).toEqual(MENU_FACTS.menu);
    const child = (top.childs as Array<Record<string, unknown>>).find((c) => (c.menuDaps as unknown[]).length > 0)!;
    const [dap] = child.menuDaps as Array<Record<string, unknown>>;
    expect(typesOf(dap, Object.keys(MENU_FACTS.dap))).toEqual(MENU_FACTS.dap);
  });

  it('§menusubmit then §menulist: the submitted tree is the list', async () => {
    const access_token = await appToken();
    const tree = [{ id: 1800, name: '新菜单', url: '#', childs: [] }];
    expect((await call('/api/menusubmit', { query: { json: JSON.stringify(tree), access_token } })).json.type).toBe('success');
    expect((await call('/api/menulist', { query: { access_token } })).json.data).toEqual(tree);
  });

  it('§msgcreate: the example refusal when content, scope or channel is empty', async () => {
    const access_token = await appToken();
    const base = OPEN_API_FACTS.find((f) => f.section === 'msgcreate')!.params;
    for (const k of ['content', 'scope', 'channel'])
      expect((await call('/api/msgcreate', { query: { ...without(base, k), access_token } })).json).toEqual(MSGCREATE_REFUSAL);
  });

  it('§msgcreate: scope is one of 1–6', async () => {
    const access_token = await appToken();
    const base = OPEN_API_FACTS.find((f) => f.section === 'msgcreate')!.params;
    for (const scope of ['1', '6'])
      expect((await call('/api/msgcreate', { query: { ...base, scope, access_token } })).json.status).toBe(1);
    for (const scope of ['0', '7', 'x'])
      expect((await call('/api/msgcreate', { query: { ...base, scope, access_token } })).json.status).toBe(0);
  });

  it('§msgsend: messageType is one of 1, 3–8; 3 needs templateId; 1 needs messageTo, not xgh', async () => {
    const access_token = await appToken();
    const send = async (p: Record<string, string>) =>
      (await call('/api/msgsend', { query: { content: 'x', ...p, access_token } })).json;
    expect(await send({ messageType: '2', messageTo: '13800000000' })).toMatchObject({ status: 0 });
    expect(await send({ messageType: '1', messageTo: '13800000000' })).toMatchObject({ status: 1 });
    expect(await send({ messageType: '1' })).toMatchObject({ status: 0 });
    expect(await send({ messageType: '3', messageTo: 'openid-1' })).toMatchObject({ status: 0 });
    expect(await send({ messageType: '3', messageTo: 'openid-1', templateId: 'tpl-1' })).toMatchObject({ status: 1 });
    expect(await send({ messageType: '5', xgh: '20121032' })).toMatchObject({ status: 1 }); // messageTo 选填 for 5/6
  });

  it('§getMessageStatus: a sent App message reads back with the example fields and types once read', async () => {
    const access_token = await appToken();
    const sent = { content: '东湖,共44个摄像头不在线', xgh: '20121032', messageType: '6', dataKey: 'row-1' };
    expect((await call('/api/msgsend', { query: { ...sent, access_token } })).json.status).toBe(1);
    emulator.current.markRead(emulator.current.messages.at(-1)!.id);
    const r = await call('/api/getMessageStatus', {
      query: { xgh: sent.xgh, messageType: sent.messageType, dataKey: sent.dataKey, access_token },
    });
    const items = r.json.data as Array<Record<string, unknown>>;
    expect(items).toHaveLength(1);
    expect(typesOf(items[0], Object.keys(MESSAGE_STATUS_FACTS))).toEqual(MESSAGE_STATUS_FACTS);
    expect(items[0]).toMatchObject({ is_read: '1', message_content: sent.content });
  });

  it('§mustTaskList: tasks are {id, title}', async () => {
    const r = await call('/api/mustTaskList', { query: { access_token: await appToken() } });
    const tasks = r.json.data as Array<Record<string, unknown>>;
    expect(tasks.length).toBeGreaterThan(0);
    for (const t of tasks) expect(typesOf(t, Object.keys(TASK_FACTS))).toEqual(TASK_FACTS);
  });

  it('§scanrecord.jhtm: an idCard not encrypted with the 0-padded appId key is refused', async () => {
    const access_token = await appToken();
    const base = OPEN_API_FACTS.find((f) => f.section === 'scanrecord.jhtm')!.params;
    const wrongKey = zafuEncryptIdCard('33010219900307123X', '02');
    const r = await call('/api/scanrecord.jhtm', { query: { ...base, idCard: wrongKey, access_token } });
    expect(r.json).toMatchObject({ type: 'error', errorFields: ['idCard'] });
    const plain = await call('/api/scanrecord.jhtm', { query: { ...base, idCard: '33010219900307123X', access_token } });
    expect(plain.json.type).toBe('error');
  });
});

// ─────────────────────────────── no public source ───────────────────────────────

describe('zafu contract: website login (unconfirmed — the "website access" document is not public)', () => {
  // unconfirmed: the emulator is lenient here; these checks pin that leniency, not a platform fact
  const redirectUri = 'http://localhost:3000/auth/zafu/callback';
  const { clientId, clientSecret } = ZAFU_DEFAULT_APP;
  const code = () => new URL(emulator.current.authorize({ redirectUri })).searchParams.get('code')!;

  it('authorization_code is taken as a form body, a JSON body or GET query parameters, client auth in the body or Basic', async () => {
    const p = () => ({
      grant_type: 'authorization_code',
      code: code(),
      redirect_uri: redirectUri,
      client_id: clientId,
      client_secret: clientSecret,
    });
    for (const c of [{ form: p() }, { json: p() }, { method: 'GET', query: p() }] as Call[]) {
      const r = await call('/oauth/token', c);
      expect(r.status).toBe(200);
      expect(typeOf(r.json.access_token)).toBe('string');
    }
    const basic = Buffer.from(`${clientId}:${clientSecret}`).toString('base64');
    const r = await call('/oauth/token', {
      form: { grant_type: 'authorization_code', code: code(), redirect_uri: redirectUri },
      headers: { authorization: `Basic ${basic}` },
    });
    expect(r.status).toBe(200);
    const me = await call('/oauth/userinfo', {
      method: 'GET',
      headers: { authorization: `Bearer ${r.json.access_token as string}` },
    });
    expect(me.status).toBe(200);
    expect(typeOf(me.json.id)).toBe('string');
  });

  it('a website-login token is not an app token (seed: 请勿…混用), and does not invalidate the app token', async () => {
    const app = await appToken();
    const r = await call('/oauth/token', {
      form: {
        grant_type: 'authorization_code',
        code: code(),
        redirect_uri: redirectUri,
        client_id: clientId,
        client_secret: clientSecret,
      },
    });
    expect(TOKEN_CHECK_FACTS.failedStatuses).toContain(
      (await call('/api/menulist', { query: { access_token: r.json.access_token as string } })).status,
    );
    expect((await call('/api/menulist', { query: { access_token: app } })).status).toBe(200);
  });
});
