/**
 * Contract of the disabled-aid emulator against its sources: seeds/disabled-aid-platform.md (the
 * platform's doc page, 智慧助残数字化平台 对接开发应用) and PLATFORMS.md §3. Raw HTTP (fetch) only — no
 * client package is imported, so the emulator is held to the seed, not to our client.
 *
 * "§" names the seed's own sections: 原理, 前缀, 1.用户信息接口, 2.用户角色接口, 3.用户权限接口,
 * 4.用户三方接入. The signing chapter (第二章节) is not public: it is not part of this contract.
 */
import {
  DEFAULT_APP_ID,
  DISABLED_AID_USERS,
  startDisabledAidEmulator,
  type DisabledAidSide,
} from '../src/platforms/disabled-aid';
import { useEmulator } from '../src/testing';

type JsonType = 'string' | 'number' | 'boolean' | 'array' | 'object' | 'null';
const typeOf = (v: unknown): JsonType =>
  v === null ? 'null' : Array.isArray(v) ? 'array' : (typeof v as Exclude<JsonType, 'array' | 'null'>);
const typesOf = (o: Record<string, unknown>, keys: string[]) => Object.fromEntries(keys.map((k) => [k, typeOf(o[k])]));

// ─────────────────────────────── facts from the seed ───────────────────────────────

const FORM = 'application/x-www-form-urlencoded';
const JSON_TYPE = 'application/json';

// seed: disabled-aid-platform.md §前缀 — 测试环境(https://xxx.xxx/disable-mis-bidp)
const PREFIX_FACTS = { test: '/disable-mis-bidp' } as const;

// seed §1–§4 Response: meta (Meta 响应头部), success (boolean), message (String), data
const ENVELOPE_FACTS = { meta: 'object', success: 'boolean', message: 'string' } as const;

// seed §1.用户信息接口 — three URLs by side, POST, form, Request stoken; data {useruuid, username, areacode, deptuuid, deptname}
const USER_FACTS = {
  paths: {
    governance: '/acis/udsa/userbytoken', // URL(治理端)
    service: '/acis/udsd/szzcbytoken', // URL(服务端)
    collaboration: '/acis/udsx/userbytoken', // URL(协同端)
  } satisfies Record<DisabledAidSide, string>,
  method: 'POST',
  contentType: FORM,
  request: ['stoken'],
  data: 'object',
  dataTypes: { useruuid: 'string', username: 'string', areacode: 'string', deptuuid: 'string', deptname: 'string' },
} as const;

// seed §2.用户角色接口 — POST, form, Request aid, uid, uac; data Array of {uid, uname, roleId, roleCode, roleLeve, roleName}
const ROLESET_FACTS = {
  path: '/acis/udsa/roleset',
  method: 'POST',
  contentType: FORM,
  request: ['aid', 'uid', 'uac'],
  data: 'array',
  rowTypes: { uid: 'string', uname: 'string', roleId: 'string', roleCode: 'string', roleLeve: 'string', roleName: 'string' },
  roleLeve: ['2', '4', '6', '9', '12'], // 2:省级/4:市级/6:区县/9:街镇/12:村社
} as const;

// seed §3.用户权限接口 — as §2, data rows add permId, permPid, permNkey, permName, permIcon, permPath, permSort (all String)
const PERMITS_FACTS = {
  path: '/acis/udsa/permits',
  method: 'POST',
  contentType: FORM,
  request: ['aid', 'uid', 'uac'],
  data: 'array',
  rowTypes: {
    ...ROLESET_FACTS.rowTypes,
    permId: 'string',
    permPid: 'string',
    permNkey: 'string',
    permName: 'string',
    permIcon: 'string',
    permPath: 'string',
    permSort: 'string',
  },
} as const;

// seed §4.用户三方接入 — POST, JSON, Request appid, agent (PURI/MURI/TURI), useruuid, parameters (Object); data 跳转链接
const AUTHORZ_FACTS = {
  path: '/acis/udsa/authorz',
  method: 'POST',
  contentType: JSON_TYPE,
  request: ['appid', 'agent', 'useruuid'],
  agents: ['PURI', 'MURI', 'TURI'], // 电脑端 / 手机端 / 大屏端
} as const;

// ─────────────────────────────── raw HTTP ───────────────────────────────

const emu = useEmulator(startDisabledAidEmulator, (e) => e.clock.reset());

interface Call {
  method?: string;
  form?: Record<string, string>;
  json?: unknown;
  query?: Record<string, string>;
  prefix?: string;
}
async function call(path: string, c: Call = {}) {
  const headers: Record<string, string> = { accept: '*/*' }; // seed: Accept: */*
  let body: string | undefined;
  if (c.form) {
    headers['content-type'] = FORM;
    body = new URLSearchParams(c.form).toString();
  } else if (c.json !== undefined) {
    headers['content-type'] = JSON_TYPE;
    body = JSON.stringify(c.json);
  }
  const url = `${emu.current.url}${c.prefix ?? ''}${path}${c.query ? `?${new URLSearchParams(c.query)}` : ''}`;
  const res = await fetch(url, { method: c.method ?? 'POST', headers, body, redirect: 'manual' });
  const text = await res.text();
  let json: Record<string, unknown> | undefined;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = undefined;
  }
  return { status: res.status, type: res.headers.get('content-type') ?? '', json };
}

const expectEnvelope = (json: Record<string, unknown> | undefined) => {
  expect(json).toBeDefined();
  expect(typesOf(json!, Object.keys(ENVELOPE_FACTS))).toEqual(ENVELOPE_FACTS);
  expect('data' in json!).toBe(true);
};
const expectRefused = (r: { json?: Record<string, unknown>; status: number }) => {
  // the seed documents success:false as 失败, not the HTTP status of a refusal: a refusal never says success:true
  expect(r.json?.success === true).toBe(false);
};
const without = (o: Record<string, string>, k: string) => Object.fromEntries(Object.entries(o).filter(([key]) => key !== k));
const userOf = (side: DisabledAidSide) => DISABLED_AID_USERS.find((u) => u.side === side)!;
const appFields = (u = userOf('governance')) => ({ aid: DEFAULT_APP_ID, uid: u.useruuid, uac: u.areacode });

// ─────────────────────────────── §原理 ───────────────────────────────

describe('disabled-aid contract: §原理 — the platform appends stoken to the app link', () => {
  it('opening the app from the portal sends the browser to the app URL with ?stoken=', async () => {
    const u = userOf('governance');
    const res = await fetch(`${emu.current.url}/portal/open?user=${u.useruuid}`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    const link = new URL(res.headers.get('location')!);
    expect(`${link.origin}${link.pathname}`).toBe(emu.current.appURL);
    expect(link.searchParams.get('stoken')).toMatch(/\S/);
  });
});

// ─────────────────────────────── §1 ───────────────────────────────

describe.each(Object.entries(USER_FACTS.paths) as Array<[DisabledAidSide, string]>)(
  'disabled-aid contract: §1.用户信息接口 %s %s',
  (side, path) => {
    it('POST form stoken → the envelope with data {useruuid, username, areacode, deptuuid, deptname} (all String)', async () => {
      const u = userOf(side);
      const stoken = emu.current.issueStoken(u.useruuid);
      const r = await call(path, { method: USER_FACTS.method, form: { [USER_FACTS.request[0]]: stoken } });
      expect(r.status).toBe(200);
      expect(r.type).toContain('application/json');
      expectEnvelope(r.json);
      expect(r.json!.success).toBe(true);
      const data = r.json!.data as Record<string, unknown>;
      expect(typeOf(data)).toBe(USER_FACTS.data);
      expect(typesOf(data, Object.keys(USER_FACTS.dataTypes))).toEqual(USER_FACTS.dataTypes);
      expect(data).toMatchObject({ useruuid: u.useruuid, username: u.username, areacode: u.areacode });
    });

    it('§前缀: the same call answers under the test prefix /disable-mis-bidp', async () => {
      const r = await call(path, { prefix: PREFIX_FACTS.test, form: { stoken: emu.current.issueStoken(userOf(side).useruuid) } });
      expect(r.status).toBe(200);
      expect(r.json!.success).toBe(true);
    });

    it('会话码时效和平台一致: the stoken keeps working for the platform session (not single-use), not after it ends', async () => {
      const stoken = emu.current.issueStoken(userOf(side).useruuid);
      for (let i = 0; i < 3; i++) expect((await call(path, { form: { stoken } })).json!.success).toBe(true);
      emu.current.endSession(stoken);
      const ended = await call(path, { form: { stoken } });
      expectEnvelope(ended.json);
      expectRefused(ended);
    });

    it('refused: no stoken, an unknown stoken, a JSON body, the stoken in the query, a GET', async () => {
      const stoken = emu.current.issueStoken(userOf(side).useruuid);
      for (const c of [
        { form: {} },
        { form: { stoken: 'never-issued' } },
        { json: { stoken } },
        { query: { stoken } },
        { method: 'GET', query: { stoken } },
      ] as Call[]) {
        const r = await call(path, c);
        expectRefused(r);
        if (r.json) expectEnvelope(r.json);
      }
    });
  },
);

// ─────────────────────────────── §2, §3 ───────────────────────────────

describe.each([
  ['§2.用户角色接口', ROLESET_FACTS],
  ['§3.用户权限接口', PERMITS_FACTS],
] as const)('disabled-aid contract: %s', (_section, facts) => {
  it('POST form aid, uid, uac → the envelope with data an array of rows with the documented fields (all String)', async () => {
    const r = await call(facts.path, { method: facts.method, form: appFields() });
    expect(r.status).toBe(200);
    expectEnvelope(r.json);
    expect(r.json!.success).toBe(true);
    const rows = r.json!.data as Array<Record<string, unknown>>;
    expect(typeOf(rows)).toBe(facts.data);
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      expect(typesOf(row, Object.keys(facts.rowTypes))).toEqual(facts.rowTypes);
      expect(ROLESET_FACTS.roleLeve).toContain(row.roleLeve);
    }
  });

  it('answers under the test prefix too', async () => {
    expect((await call(facts.path, { prefix: PREFIX_FACTS.test, form: appFields() })).json!.success).toBe(true);
  });

  it.each(facts.request)('without %s → refused', async (field) => {
    const r = await call(facts.path, { form: without(appFields(), field) });
    expectEnvelope(r.json);
    expectRefused(r);
  });

  it('refused: a JSON body, a GET', async () => {
    for (const c of [{ json: appFields() }, { method: 'GET', query: appFields() }] as Call[])
      expectRefused(await call(facts.path, c));
  });
});

// ─────────────────────────────── §4 ───────────────────────────────

describe('disabled-aid contract: §4.用户三方接入', () => {
  const body = (agent: string) => ({
    appid: DEFAULT_APP_ID,
    agent,
    useruuid: userOf('governance').useruuid,
    parameters: { sobject: 'x', servFrom: 'y' }, // seed: 应用需参数(如:sobject/servFrom 等)
  });

  it.each(AUTHORZ_FACTS.agents)('POST JSON with agent %s → the envelope with the jump link in data', async (agent) => {
    const r = await call(AUTHORZ_FACTS.path, { method: AUTHORZ_FACTS.method, json: body(agent) });
    expect(r.status).toBe(200);
    expectEnvelope(r.json);
    expect(r.json!.success).toBe(true);
    // seed: data "跳转链接" (typed Object): a link the browser can open
    const link = r.json!.data;
    expect(() => new URL(String(link))).not.toThrow();
  });

  it.each(AUTHORZ_FACTS.request)('without %s → refused', async (field) => {
    const b: Record<string, unknown> = { ...body('PURI') };
    delete b[field];
    const r = await call(AUTHORZ_FACTS.path, { json: b });
    expectEnvelope(r.json);
    expectRefused(r);
  });

  it('refused: an agent outside PURI/MURI/TURI, parameters that are not an Object, a form body, a GET', async () => {
    const form = Object.fromEntries(Object.entries(body('PURI')).filter(([, v]) => typeof v === 'string')) as Record<
      string,
      string
    >;
    for (const c of [
      { json: body('XURI') },
      { json: { ...body('PURI'), parameters: 'sobject=x' } },
      { json: { ...body('PURI'), parameters: ['x'] } },
      { form },
      { method: 'GET', query: form },
    ] as Call[]) {
      const r = await call(AUTHORZ_FACTS.path, c);
      expectRefused(r);
    }
  });
});
