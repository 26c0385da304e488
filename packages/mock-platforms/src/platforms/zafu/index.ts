/**
 * Emulator of the ZAFU open platform (浙江农林大学 open.zafu.edu.cn).
 *
 * Sources: seeds/zafu-open-platform.md (the platform's doc pages; no code is public) and
 * PLATFORMS.md §2. The seed has no headings: a "§" below names the call whose section it is.
 *
 * - Client credentials (seed §POST /oauth/token): POST with a JSON body `{grant_type:
 *   "client_credentials", client_id, client_secret}` — or, as a later page shows (PLATFORMS.md §2),
 *   GET with the same query parameters — → top-level `{access_token, expires_in: 1209600, scope:
 *   "base_api", token_type: "Bearer"}`. Every fetch INVALIDATES the app's previous token. Errors:
 *   401 bad secret, 403 `access_denied` (bad scope), 400 `unsupported_grant_type`. Any other
 *   encoding of this grant (a form body, a POST with query parameters) is refused with 400
 *   `invalid_request` (the refusal's shape is unconfirmed).
 * - Open APIs (seed, each its own §; POST only, `access_token` in the query): /api/menulist,
 *   /api/menusubmit, /api/menudelete, /api/msgcreate, /api/msgsend, /api/getMessageStatus,
 *   /api/mustTaskList, /api/scanrecord.jhtm. Other parameters are read from the query (as the seed's
 *   URLs show) or a form body (unconfirmed); a JSON body is not read. A stale (invalidated or
 *   expired) token → 403 `{error:"invalid_grant", error_description:"Access token is expired"}`;
 *   no token or an unknown one → 401. Envelopes `{type, code, content, anchor, errorFields, data}`
 *   and, for msgcreate and msgsend, `{status, message}`.
 * - Website login — UNCONFIRMED throughout (./login.ts): a lenient standard OAuth 2.0
 *   authorization-code server on /oauth/authorize, /oauth/token and /oauth/userinfo.
 * - scanrecord's idCard must decrypt with AES-128 keyed by the appId left-padded with '0' to 16
 *   characters (seed §scanrecord.jhtm); mode, padding and encoding are unpublished (./aes.ts;
 *   default ECB + PKCS#7 + Base64; `aes` option).
 */
import type { Request, Response } from 'express';
import { createClock, startEmulator, type Clock, type Emulator } from '../../harness';
import { randomCredential } from '../../kit';
import { zafuDecryptIdCard, type ZafuAesSettings } from './aes';
import {
  APP_TOKEN_TTL,
  ZAFU_DEFAULT_APP,
  ZAFU_SEED_MENUS,
  ZAFU_SEED_TASKS,
  ZAFU_USERS,
  type ZafuApp,
  type ZafuUser,
} from './data';
import { formOf, jsonOf, queryOf, websiteLogin, type Params, type ZafuAuthorizeInput } from './login';

export * from './data';
export { zafuEncryptIdCard, zafuDecryptIdCard, type ZafuAesSettings } from './aes';
export type { ZafuAuthorizeInput } from './login';

export interface ZafuEmulatorOptions {
  /** 0 (default) = a free port; the CLI uses DEFAULT_PORT. */
  port?: number;
  host?: string;
  clock?: Clock;
  /** Registered apps. Default: [ZAFU_DEFAULT_APP]. */
  apps?: ZafuApp[];
  users?: readonly ZafuUser[];
  /** How scanrecord's idCard is encrypted (the platform does not publish it). */
  aes?: ZafuAesSettings;
  /** Client-credentials token lifetime, seconds. Default 1 209 600 (2 weeks). */
  appTokenTtl?: number;
}

/** What the emulator saw of app tokens: fetches, invalidations and stale uses. */
export interface ZafuTokenEvent {
  at: number;
  clientId: string;
  event: 'issued' | 'invalidated' | 'rejected-stale' | 'rejected-unknown' | 'rejected-missing';
  path?: string;
}

export interface ZafuSentMessage {
  id: number;
  clientId: string;
  api: 'msgcreate' | 'msgsend';
  params: Record<string, string>;
  is_read: '0' | '1';
  read_date: number | null;
}

export interface ZafuScanRecord {
  clientId: string;
  params: Record<string, string>;
  /** The decrypted idCard. */
  idCard: string;
}

export interface ZafuEmulator extends Emulator {
  /** Every app-token event, oldest first. */
  readonly tokenEvents: ZafuTokenEvent[];
  /** Counts derived from tokenEvents plus API outcomes. */
  stats(): { tokenFetches: number; invalidations: number; staleRejections: number; apiSuccesses: number };
  /** The app's currently valid client-credentials token (undefined when none or expired). */
  currentAppToken(clientId?: string): string | undefined;
  /** Issue a code as if the user clicked "login" on the authorize page; returns the redirect URL. */
  authorize(input: ZafuAuthorizeInput): string;
  /** The app's current menus. */
  menus(clientId?: string): unknown[];
  readonly messages: ZafuSentMessage[];
  /** Mark a sent message read (for getMessageStatus). */
  markRead(id: number): void;
  readonly scanRecords: ZafuScanRecord[];
  /**
   * Back to a fresh start on the same port: every app token, code, user token, menu change,
   * message, scan record and event forgotten, and the clock reset (faults and recorded requests
   * are the harness's: clearFaults / clearRequests).
   */
  reset(): void;
}

/** The grant types /oauth/token knows; any other is `unsupported_grant_type`. */
const GRANTS = ['client_credentials', 'authorization_code', 'refresh_token'];

// seed §POST /api/menulist (and every other open-API example): the success envelope
const envelopeOk = (data: unknown, code = '成功') => ({
  type: 'success',
  code,
  content: '成功',
  anchor: 'undefined',
  errorFields: [],
  data,
});
// seed §POST /api/menusubmit, §/api/menudelete: a success envelope without `data`
const envelopeDone = () => ({ type: 'success', code: '成功', content: '成功', anchor: 'undefined', errorFields: [] });
// unconfirmed: no refusal is shown; `type: "error"` is the seed's word (§getMessageStatus, §mustTaskList), code and content are ours
const envelopeError = (content: string, errorFields: string[], code = '失败') => ({
  type: 'error',
  code,
  content,
  anchor: 'undefined',
  errorFields,
  data: null,
});

/** unconfirmed: the seed documents one method per route and never shows a refusal of another. */
function methodNotAllowed(allow: string) {
  return (req: Request, res: Response) =>
    void res
      .status(405)
      .set('allow', allow)
      .json({ error: 'method_not_allowed', error_description: `Request method '${req.method.slice(0, 16)}' not supported` });
}

const missing = (p: Params, keys: string[]) => keys.filter((k) => !p[k]);

/** Start the ZAFU emulator on 127.0.0.1. */
export async function startZafuEmulator(options: ZafuEmulatorOptions = {}): Promise<ZafuEmulator> {
  const apps = new Map((options.apps ?? [ZAFU_DEFAULT_APP]).map((a) => [a.clientId, { ...a }]));
  const users = options.users ?? ZAFU_USERS;
  const appTtl = options.appTokenTtl ?? APP_TOKEN_TTL;
  const aes = options.aes ?? {};
  const clock = options.clock ?? createClock();
  const login = websiteLogin(apps, users, clock);

  const current = new Map<string, { token: string; exp: number }>(); // clientId → current app token
  const retired = new Map<string, string>(); // invalidated token → clientId
  const menus = new Map<string, unknown[]>();
  const tokenEvents: ZafuTokenEvent[] = [];
  const messages: ZafuSentMessage[] = [];
  const scanRecords: ZafuScanRecord[] = [];
  const FIRST_MESSAGE_ID = 404100; // seed §getMessageStatus: message ids like 404105
  let apiSuccesses = 0;
  let msgSeq = FIRST_MESSAGE_ID;

  const menusOf = (clientId: string) => {
    if (!menus.has(clientId)) menus.set(clientId, structuredClone(ZAFU_SEED_MENUS));
    return menus.get(clientId)!;
  };

  function tokenEndpoint(req: Request, res: Response) {
    res.set('cache-control', 'no-store'); // unconfirmed: RFC 6749 §5.1
    const query = queryOf(req);
    const json = jsonOf(req);
    // unconfirmed: the website-login grants are read from the query, a form body or a JSON body
    const lenient: Params = { ...query, ...(json ?? formOf(req) ?? {}) };
    const grant = req.method === 'GET' ? query.grant_type : (json?.grant_type ?? lenient.grant_type);
    // unconfirmed: a missing grant_type, in Spring Security OAuth2's wording (which the seed's errors match)
    if (!grant) return void res.status(400).json({ error: 'invalid_request', error_description: 'Missing grant type' });
    // seed §POST /oauth/token: HTTP 400 {error:"unsupported_grant_type", error_description:"Unsupported grant type: …"}
    if (!GRANTS.includes(grant))
      return void res
        .status(400)
        .json({ error: 'unsupported_grant_type', error_description: `Unsupported grant type: ${grant.slice(0, 64)}` });
    if (grant === 'client_credentials')
      // seed §POST /oauth/token: POST with a JSON body; PLATFORMS.md §2: a later page shows GET with query parameters
      return clientCredentials(res, req.method === 'GET' ? query : json?.grant_type === grant ? json : undefined);
    login.grant(req, res, grant, lenient);
  }

  function clientCredentials(res: Response, p: Params | undefined) {
    // unconfirmed: how the server refuses an undocumented encoding (form body, POST with query parameters)
    if (!p)
      return void res.status(400).json({
        error: 'invalid_request',
        error_description: 'client_credentials takes a JSON body (Content-Type: application/json), or GET query parameters',
      });
    const app = apps.get(p.client_id ?? '');
    // seed §POST /oauth/token: a wrong secret is HTTP 401 (the seed shows no body; this one is Spring's, unconfirmed)
    if (!app || p.client_secret !== app.clientSecret)
      return void res.status(401).json({ error: 'unauthorized', error_description: 'Bad credentials' });
    // seed §POST /oauth/token: a bad scope is HTTP 403 {error:"access_denied", error_description:"Unauthorized scope: …"}
    if (p.scope !== undefined && p.scope !== 'base_api')
      return void res
        .status(403)
        .json({ error: 'access_denied', error_description: `Unauthorized scope: ${p.scope.slice(0, 64)}` });
    const now = clock.now();
    const prev = current.get(app.clientId);
    // seed §POST /oauth/token: 重复获取将导致上次获取的Access Token失效 — a new token invalidates the previous one
    if (prev) {
      retired.set(prev.token, app.clientId);
      tokenEvents.push({ at: now, clientId: app.clientId, event: 'invalidated' });
    }
    const token = randomCredential();
    current.set(app.clientId, { token, exp: now + appTtl * 1000 }); // seed: 有效期目前为2周 (expires_in 1209600)
    tokenEvents.push({ at: now, clientId: app.clientId, event: 'issued' });
    // seed §POST /oauth/token: top level, not enveloped; expires_in a number as in the example (the table says string)
    res.json({ access_token: token, expires_in: appTtl, scope: 'base_api', token_type: 'Bearer' });
  }

  /** The app behind the request's app token, or answer 401/403 and return undefined. */
  function appOfToken(req: Request, res: Response): ZafuApp | undefined {
    // seed (each open API's URL) and PLATFORMS.md §2: access_token is a query parameter; one in a body is not read
    const token = queryOf(req).access_token;
    const now = clock.now();
    if (!token) {
      tokenEvents.push({ at: now, clientId: '', event: 'rejected-missing', path: req.path });
      // seed: 验证失败则返回的http状态码为401或403 — 401 here; the body is Spring's wording, unconfirmed
      res
        .status(401)
        .json({ error: 'unauthorized', error_description: 'Full authentication is required to access this resource' });
      return undefined;
    }
    for (const [clientId, cur] of current) {
      if (cur.token !== token) continue;
      if (cur.exp > now) return apps.get(clientId);
      tokenEvents.push({ at: now, clientId, event: 'rejected-stale', path: req.path });
      // seed: an expired access_token is HTTP 403 {error:"invalid_grant", error_description:"Access token is expired"}
      res.status(403).json({ error: 'invalid_grant', error_description: 'Access token is expired' });
      return undefined;
    }
    const retiredOf = retired.get(token);
    if (retiredOf !== undefined) {
      tokenEvents.push({ at: now, clientId: retiredOf, event: 'rejected-stale', path: req.path });
      // seed: the documented access_token error (403 invalid_grant); that an invalidated token gets it is unconfirmed
      res.status(403).json({ error: 'invalid_grant', error_description: 'Access token is expired' });
      return undefined;
    }
    tokenEvents.push({ at: now, clientId: '', event: 'rejected-unknown', path: req.path });
    // seed: 401 or 403 on a failed check — 401 for a token never issued; the body is unconfirmed
    res.status(401).json({ error: 'invalid_token', error_description: 'Invalid access token' });
    return undefined;
  }

  const emu = await startEmulator({
    name: 'zafu',
    port: options.port,
    host: options.host,
    clock,
    routes(app) {
      // ── client credentials and the (unconfirmed) authorization-code token endpoint ──
      app
        .route('/oauth/token')
        .get(tokenEndpoint) // PLATFORMS.md §2: a later page shows the token call as a GET with query parameters
        .post(tokenEndpoint) // seed §POST /oauth/token
        .all(methodNotAllowed('GET, POST'));

      // ── website login: unconfirmed throughout (the "website access" document is not public) ──
      login.mount(app);

      // ── open APIs ──
      // seed: every open API is POST with access_token (in the query); other methods → 405 (unconfirmed)
      const api = (path: string, handler: (p: Params, zapp: ZafuApp, res: Response) => void) =>
        app
          .route(path)
          .post((req, res) => {
            const zapp = appOfToken(req, res);
            if (!zapp) return;
            const json = res.json.bind(res);
            res.json = (body: unknown) => {
              const b = body as { type?: string; status?: number };
              if (b?.type === 'success' || b?.status === 1) apiSuccesses++;
              return json(body);
            };
            // seed: parameters in the URL's query; unconfirmed: a form body too (a servlet reads both); a JSON body is not read
            handler({ ...formOf(req), ...queryOf(req) }, zapp, res);
          })
          .all(methodNotAllowed('POST'));

      // seed §POST /api/menulist: the app's menu tree in `data`
      api('/api/menulist', (_p, zapp, res) => void res.json(envelopeOk(menusOf(zapp.clientId))));

      // seed §POST /api/menusubmit?json=…: json (required) = the whole menu tree, in the format of menulist's data
      api('/api/menusubmit', (p, zapp, res) => {
        if (!p.json) return void res.json(envelopeError('菜单json不能为空', ['json'])); // seed: json 必填; refusal unconfirmed
        let parsed: unknown;
        try {
          parsed = JSON.parse(p.json);
        } catch {
          return void res.json(envelopeError('菜单json格式错误', ['json'])); // unconfirmed
        }
        // unconfirmed: how strictly the tree is checked (an array of {id, name, childs?} here)
        const valid = (m: unknown): boolean =>
          !!m &&
          typeof m === 'object' &&
          typeof (m as { name?: unknown }).name === 'string' &&
          Number.isFinite(Number((m as { id?: unknown }).id)) &&
          ((m as { childs?: unknown }).childs === undefined ||
            (Array.isArray((m as { childs?: unknown }).childs) && (m as { childs: unknown[] }).childs.every(valid)));
        if (!Array.isArray(parsed) || !parsed.every(valid)) return void res.json(envelopeError('菜单json格式错误', ['json']));
        menus.set(zapp.clientId, parsed); // seed: 全部菜单 — the tree replaces the app's menus
        res.json(envelopeDone());
      });

      // seed §POST /api/menudelete?id=…: id (required)
      api('/api/menudelete', (p, zapp, res) => {
        if (!p.id) return void res.json(envelopeError('菜单id不能为空', ['id'])); // seed: id 必填; refusal unconfirmed
        const remove = (list: unknown[]): boolean => {
          const i = list.findIndex((m) => String((m as { id?: unknown }).id) === p.id);
          if (i !== -1) return (list.splice(i, 1), true);
          return list.some(
            (m) => Array.isArray((m as { childs?: unknown }).childs) && remove((m as { childs: unknown[] }).childs),
          );
        };
        if (!remove(menusOf(zapp.clientId))) return void res.json(envelopeError('菜单不存在', ['id'])); // unconfirmed
        res.json(envelopeDone());
      });

      // seed §POST /api/msgcreate: content, scope, userno, channel, appId required; mobile optional → {message, status}
      api('/api/msgcreate', (p, zapp, res) => {
        // seed: the example refusal {message:"推送内容、推送范围或推送渠道为空", status:0}
        if (missing(p, ['content', 'scope', 'channel']).length)
          return void res.json({ message: '推送内容、推送范围或推送渠道为空', status: 0 });
        if (!p.userno) return void res.json({ message: '学工号为空', status: 0 }); // seed: userno 必填; message unconfirmed
        if (!p.appId) return void res.json({ message: 'appId为空', status: 0 }); // seed: appId 必填; message unconfirmed
        if (p.appId !== zapp.appId) return void res.json({ message: 'appId错误', status: 0 }); // unconfirmed: checked against the app
        // seed: scope 1 全体师生 … 6 单人 (Integer)
        if (!/^[1-6]$/.test(p.scope)) return void res.json({ message: '推送范围错误', status: 0 });
        // seed: channel "1.短信 2.app通知等" — the list ends in 等 (etc.), so any positive number passes (unconfirmed)
        if (!/^[1-9]\d{0,3}$/.test(p.channel)) return void res.json({ message: '推送渠道错误', status: 0 });
        messages.push({ id: ++msgSeq, clientId: zapp.clientId, api: 'msgcreate', params: p, is_read: '0', read_date: null });
        res.json({ message: '推送成功', status: 1 }); // seed: status 1 成功; the message text is unconfirmed
      });

      // seed §POST /api/msgsend: → {status, message, errorFields}
      api('/api/msgsend', (p, zapp, res) => {
        // unconfirmed: the refusal texts; status 0 = 失败 and errorFields are the seed's
        const refuse = (message: string, field: string) => void res.json({ status: 0, message, errorFields: field });
        if (!p.content) return refuse('消息内容不能为空', 'content'); // seed: content 必填
        // seed: messageType 1 短信, 3 微信公众号, 4 邮件, 5 App普通消息, 6 App重要消息, 7 App必做任务, 8 App通知公告
        if (!/^[1345678]$/.test(p.messageType ?? '')) return refuse('消息类型错误', 'messageType');
        const type = Number(p.messageType);
        // seed: xgh — App内部消息时,必填 (App messages and tasks, 5–8)
        if ([5, 6, 7, 8].includes(type) && !p.xgh) return refuse('App消息学工号必填', 'xgh');
        // seed: messageTo — phone (1), OpenId (3), e-mail (4), task id (7/8) 必填; a jump url for 5/6 选填
        if ([1, 3, 4, 7, 8].includes(type) && !p.messageTo) return refuse('接收方必填', 'messageTo');
        // seed: templateId — 发送微信公众号消息,传模板id,必填
        if (type === 3 && !p.templateId) return refuse('微信公众号消息模板id必填', 'templateId');
        // seed: 7/8 传任务id (参考查询任务列表); that an unknown task is refused is unconfirmed
        if ([7, 8].includes(type) && !ZAFU_SEED_TASKS.some((t) => String(t.id) === p.messageTo))
          return refuse('任务不存在', 'messageTo');
        // seed: appId optional; unconfirmed: a given one is checked against the app
        if (p.appId !== undefined && p.appId !== zapp.appId) return refuse('appId错误', 'appId');
        messages.push({ id: ++msgSeq, clientId: zapp.clientId, api: 'msgsend', params: p, is_read: '0', read_date: null });
        res.json({ status: 1, message: '发送成功', errorFields: null }); // seed: status 1 成功; message text unconfirmed
      });

      // seed §POST /api/getMessageStatus: xgh, messageType required; messageTo required for 8; dataKey optional
      api('/api/getMessageStatus', (p, zapp, res) => {
        const absent = missing(p, ['xgh', 'messageType']);
        if (absent.length) return void res.json(envelopeError('参数不能为空', absent)); // refusal unconfirmed
        // seed: messageType 5, 6 or 8 (its labels swap 5/6 against msgsend's: the numbers are what counts)
        if (!/^[568]$/.test(p.messageType)) return void res.json(envelopeError('消息类型错误', ['messageType']));
        // seed: messageTo — 8.发App任务,传任务id 必填
        if (p.messageType === '8' && !p.messageTo) return void res.json(envelopeError('任务id不能为空', ['messageTo']));
        // unconfirmed: which messages match (this app's msgsend messages to xgh of that type, narrowed by messageTo/dataKey)
        const data = messages
          .filter(
            (m) =>
              m.clientId === zapp.clientId &&
              m.api === 'msgsend' &&
              m.params.xgh === p.xgh &&
              m.params.messageType === p.messageType &&
              (!p.messageTo || m.params.messageTo === p.messageTo) &&
              (!p.dataKey || m.params.dataKey === p.dataKey),
          )
          // seed: {is_read: "0"|"1", message_content, id, read_date (epoch ms)}; read_date null while unread is unconfirmed
          .map((m) => ({ is_read: m.is_read, message_content: m.params.content, id: m.id, read_date: m.read_date }));
        res.json({ ...envelopeOk(data, '0'), errorFields: null }); // seed: this example has code "0", errorFields null
      });

      // seed §POST /api/mustTaskList: no parameters → data [{id, title}] (the example says title, the table text)
      api('/api/mustTaskList', (_p, _zapp, res) => void res.json(envelopeOk(ZAFU_SEED_TASKS)));

      // seed §POST /api/scanrecord.jhtm: all of termName, termSn, name, xgh, idCard, userType, scanDate, appId required
      api('/api/scanrecord.jhtm', (p, zapp, res) => {
        // unconfirmed: every refusal here (code "0" mirrors the success example's code "1")
        const absent = missing(p, ['termName', 'termSn', 'name', 'xgh', 'idCard', 'userType', 'scanDate', 'appId']);
        if (absent.length) return void res.json(envelopeError('参数不能为空', absent, '0'));
        if (p.appId !== zapp.appId) return void res.json(envelopeError('appId错误', ['appId'], '0'));
        const idCard = zafuDecryptIdCard(p.idCard, zapp.appId, aes);
        if (!idCard || !/^\d{17}[\dXx]$/.test(idCard)) return void res.json(envelopeError('身份证号解密失败', ['idCard'], '0'));
        // seed: scanDate "yy-MM-dd hh:mm:ss"; unconfirmed: a 4-digit year is accepted too
        if (!/^\d{2,4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(p.scanDate))
          return void res.json(envelopeError('扫码时间格式错误', ['scanDate'], '0'));
        scanRecords.push({ clientId: zapp.clientId, params: p, idCard });
        res.json(envelopeOk(null, '1')); // seed: {type:"success", code:"1", content:"成功", …, data:null}
      });
    },
  });

  return Object.assign(emu, {
    tokenEvents,
    stats() {
      const count = (e: ZafuTokenEvent['event']) => tokenEvents.filter((t) => t.event === e).length;
      return {
        tokenFetches: count('issued'),
        invalidations: count('invalidated'),
        staleRejections: count('rejected-stale'),
        apiSuccesses,
      };
    },
    currentAppToken(clientId = ZAFU_DEFAULT_APP.clientId) {
      const cur = current.get(clientId);
      return cur && cur.exp > emu.clock.now() ? cur.token : undefined;
    },
    authorize: login.issueCode,
    menus: (clientId = ZAFU_DEFAULT_APP.clientId) => menusOf(clientId),
    messages,
    markRead(id: number) {
      const m = messages.find((x) => x.id === id);
      if (m) {
        m.is_read = '1';
        m.read_date = emu.clock.now();
      }
    },
    scanRecords,
    reset() {
      login.clear();
      current.clear();
      retired.clear();
      menus.clear();
      tokenEvents.length = 0;
      messages.length = 0;
      scanRecords.length = 0;
      apiSuccesses = 0;
      msgSeq = FIRST_MESSAGE_ID;
      clock.reset();
    },
  });
}
