/**
 * Emulator of Ziqiang Auth (自强 Auth, Wuhan University), held to the official sources:
 * ZiqiangStudio/zq_auth_sdk_python (the client, `entities/response.py`, the test fixtures),
 * ZiqiangStudio/zq_auth_doc (`docs/development/*.md`, `docs/introduction.md`) and
 * ZiqiangStudio/zq_auth_frontend (`pages/login.vue`, `utils/callback.ts`), plus
 * `seed: ziqiang-backend.md`. The server itself is not public: whatever only it could decide (its
 * body parsers, how it refuses a method or a missing field) is lenient here and marked
 * *unconfirmed* where it is emulated.
 *
 * API (api.cas.ziqiang.net.cn): app login and refresh with expiring app tokens, the token test,
 * app info, code → union id (5-minute single-use codes bound to the app), the users endpoint with
 * and without detail; every refusal in the platform's envelope `{code, detail, msg, data: {eid,
 * time, details}}` with the codes and HTTP statuses of `entities/response.py`.
 * Login page (cas.ziqiang.net.cn/login): seeded users as buttons, the query keys of the frontend
 * (`app-name`, `app-logo`, `redirect-uri`, `state`, `response-type`, `certify-only`, `manually`,
 * `wxapp`), and the frontend's hand-back order: opener (postMessage) → redirect-uri → mini-program.
 * One origin serves both.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
import { startEmulator, type Clock, type Emulator } from '../../harness';
import { CredentialStore, escapeHtml, isLocalRedirect, loginPage, page, param, randomCredential, withQuery } from '../../kit';
import {
  MESSAGES,
  REFRESH_INVALID,
  ZIQIANG_ACCESS_TTL,
  ZIQIANG_APP,
  ZIQIANG_CODE_TTL,
  ZIQIANG_OTHER_APP,
  ZIQIANG_REFRESH_TTL,
  ZIQIANG_USERS,
  type ErrorCode,
  type ZiqiangEmulatorApp,
  type ZiqiangEmulatorUser,
} from './data';
import { HAND_BACK_SCRIPT } from './hand-back';

export {
  DEFAULT_PORT,
  ZIQIANG_APP,
  ZIQIANG_OTHER_APP,
  ZIQIANG_USERS,
  ZIQIANG_ACCESS_TTL,
  ZIQIANG_REFRESH_TTL,
  ZIQIANG_CODE_TTL,
  type ZiqiangEmulatorApp,
  type ZiqiangEmulatorUser,
} from './data';

export interface ZiqiangEmulatorOptions {
  port?: number;
  host?: string;
  clock?: Clock;
  apps?: ZiqiangEmulatorApp[];
  users?: ZiqiangEmulatorUser[];
  /** Access token lifetime, ms (default 1 day). */
  accessTtl?: number;
  /** Refresh token lifetime, ms (default 10 days). */
  refreshTtl?: number;
  /** Code lifetime, ms (default 5 minutes). */
  codeTtl?: number;
  /**
   * Pin the accepted redirect URIs (exact origin + path). Default: any http(s)://localhost:* or
   * http(s)://127.0.0.1:* URI.
   */
  redirectUris?: string[];
}

export interface ZiqiangEmulator extends Emulator {
  readonly apps: ReadonlyArray<ZiqiangEmulatorApp>;
  readonly users: ReadonlyArray<ZiqiangEmulatorUser>;
  /** A code as if `userId` had logged in on the page for the app (default: the demo app). */
  issueCode(userId?: string, appUsername?: string): string;
  /** The union id of a user for an app (32 hex characters: a UUID without dashes). */
  unionIdOf(userId: string, appId?: number): string;
  /** Change a seeded user (e.g. `{ gone: true }`, `{ active: false }`, `{ certified: false }`). */
  setUser(userId: string, patch: Partial<Omit<ZiqiangEmulatorUser, 'id'>>): void;
  /** Every access token issued so far stops working (A0221). */
  revokeAccessTokens(): void;
  /** Every refresh token issued so far stops working (A0221 on refresh). */
  revokeRefreshTokens(): void;
  /** The next `times` API calls answer HTTP 429 A0512. */
  throttle(times?: number): void;
  /** How many requests hit `path` (and `method`, when given). */
  count(path: string, method?: string): number;
  /**
   * What a browser does on the login page: load it (from the strategy's redirect URL), click the
   * user's button, and return where the page sends the browser (the callback URL with the code, or
   * with `is_certified` in certify-only mode). Throws when the page refuses the user.
   */
  simulateLogin(loginPageUrl: string, userId: string): Promise<string>;
}

interface TokenRecord {
  appId: number;
  type: 'access' | 'refresh';
  generation: number;
}

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

/** Python isoformat in UTC with microseconds and a Z, as the SDK fixtures show (auth_apps.json). */
const isoMicro = (ms: number) => new Date(ms).toISOString().replace(/Z$/, '000Z');
/** Python isoformat in Beijing time with microseconds (SDK fixture tests/fixtures/.json `time`). */
const isoBeijing = (ms: number) => new Date(ms + 8 * 3600_000).toISOString().replace(/Z$/, '000+08:00');

const query = (req: Request, name: string) => param(req, name, ['query']);
const field = (req: Request, name: string) => param(req, name, ['body']);

/** The login page's true/false keys: zq_auth_frontend pages/login.vue reads each as `=== 'true'`. */
const isTrue = (v: string | undefined) => v === 'true';

type Handler = (req: Request, res: Response, auth: ZiqiangEmulatorApp | undefined) => void;
interface Route {
  path: RegExp;
  /** Needs `Authorization: Bearer <access>` (every call but app login and refresh). */
  auth: boolean;
  methods: Partial<Record<'GET' | 'POST', Handler>>;
}

export async function startZiqiangEmulator(options: ZiqiangEmulatorOptions = {}): Promise<ZiqiangEmulator> {
  const apps = (options.apps ?? [ZIQIANG_APP, ZIQIANG_OTHER_APP]).map((a) => ({ active: true, ...a }));
  const users = (options.users ?? ZIQIANG_USERS).map((u) => ({ active: true, gone: false, ...u }));
  const accessTtl = options.accessTtl ?? ZIQIANG_ACCESS_TTL;
  const refreshTtl = options.refreshTtl ?? ZIQIANG_REFRESH_TTL;
  const codeTtl = options.codeTtl ?? ZIQIANG_CODE_TTL;
  let clock: Clock | undefined;
  const now = () => (clock ? clock.now() : Date.now());
  const tokens = new CredentialStore<TokenRecord>(now, accessTtl);
  const codes = new CredentialStore<{ userId: string; appId: number }>(now, codeTtl);
  let accessGeneration = 0;
  let refreshGeneration = 0;
  let throttled = 0;

  // zq_auth_doc docs/introduction.md: a union id is a UUID without dashes (SDK fixture
  // sso_union-id.json: a version-4 one); stable per user and app (unconfirmed how it is derived)
  const unionIdOf = (userId: string, appId: number = apps[0].id) => {
    const h = createHash('md5').update(`ziqiang-emulator:${appId}:${userId}`).digest('hex');
    return `${h.slice(0, 12)}4${h.slice(13, 16)}${((parseInt(h[16], 16) & 3) | 8).toString(16)}${h.slice(17)}`;
  };
  const userByUnionId = (unionId: string, appId: number) => users.find((u) => unionIdOf(u.id, appId) === unionId);

  // unconfirmed: the token format (JWT-shaped, "xxx.xxx.xxx" in docs/development/backend.md)
  function issueToken(appId: number, type: 'access' | 'refresh'): { token: string; exp: number } {
    const ttl = type === 'access' ? accessTtl : refreshTtl;
    const exp = now() + ttl;
    const claims = { token_type: type, exp: Math.floor(exp / 1000), jti: randomCredential('', 12), app_id: appId };
    const token = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(claims)}.${randomCredential()}`;
    const generation = type === 'access' ? accessGeneration : refreshGeneration;
    tokens.mint({ appId, type, generation }, { credential: token, ttl });
    return { token, exp };
  }

  // tokens are not single-use: peek, never take
  function validToken(token: string | undefined, type: 'access' | 'refresh'): TokenRecord | undefined {
    const rec = tokens.peek(token);
    if (!rec || rec === 'expired' || rec.type !== type) return undefined;
    if (rec.generation !== (type === 'access' ? accessGeneration : refreshGeneration)) return undefined;
    return rec;
  }

  // unconfirmed: the code format (32 hex characters here)
  const issueCode = (userId: string, appId: number) =>
    codes.mint({ userId, appId }, { credential: randomBytes(16).toString('hex') });

  // SDK fixtures (auth_apps.json …): success is {code: "00000", detail: "", msg: "", data}
  const ok = (res: Response, data: unknown) => void res.json({ code: '00000', detail: '', msg: '', data });
  // SDK fixtures (auth_apps_failed.json, users_123_not_found.json): detail = msg, data {eid: null, time, details: null}
  const fail = (res: Response, code: ErrorCode, msg?: string) => {
    const [status, text] = MESSAGES[code];
    res.status(status).json({
      code,
      detail: msg ?? text,
      msg: msg ?? text,
      data: { eid: null, time: isoMicro(now()), details: null },
    });
  };

  /**
   * The fields of a POST body. unconfirmed (the server's parsers are not public): JSON and form are
   * both accepted — the SDK posts form (requests `data=`), the doc shows JSON, the frontend posts
   * JSON (utils/request.ts on /auth/refresh/). Anything else is refused; each named field must be
   * a non-empty string. Answers the refusal and returns undefined when the body does not do.
   */
  function readFields<K extends string>(req: Request, res: Response, names: K[]): Record<K, string> | undefined {
    const type = String(req.headers['content-type'] ?? '');
    const hadBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
    const body: unknown = req.body;
    if (type.includes('application/json') && hadBody && body === undefined) return void fail(res, 'A0410'); // unconfirmed
    if (body !== undefined && (typeof body !== 'object' || body === null || Array.isArray(body))) return void fail(res, 'A0400'); // unconfirmed: neither a JSON object nor a form
    const out = {} as Record<K, string>;
    for (const name of names) {
      const v = body ? (body as Record<string, unknown>)[name] : undefined;
      if (v === undefined || v === null || v === '') return void fail(res, 'A0420'); // unconfirmed
      if (typeof v !== 'string') return void fail(res, 'A0430'); // unconfirmed (a number, a list, a repeated form key)
      out[name] = v;
    }
    return out;
  }

  const redirectAllowed = (uri: string) => isLocalRedirect(uri, options.redirectUris);

  // ---- API routes (api.cas.ziqiang.net.cn) ------------------------------------------------------
  const routes: Route[] = [
    {
      // zq_auth_sdk client/__init__.py login(): POST /auth/apps/ {app_key, app_secret}, no token
      path: /^\/auth\/apps\/$/,
      auth: false,
      methods: {
        POST(req, res) {
          const f = readFields(req, res, ['app_key', 'app_secret']);
          if (!f) return;
          const target = apps.find((a) => a.appKey === f.app_key);
          // SDK fixture auth_apps_failed.json: A0210 (HTTP 400 in response.py)
          if (!target || target.appSecret !== f.app_secret) return void fail(res, 'A0210');
          if (!target.active) return void fail(res, 'A0311'); // unconfirmed: an inactive app
          const access = issueToken(target.id, 'access');
          const refresh = issueToken(target.id, 'refresh');
          // SDK fixture auth_apps.json: {id, username, name, expire_time, access, refresh}
          ok(res, {
            id: target.id,
            username: target.username,
            name: target.name,
            expire_time: isoMicro(access.exp),
            access: access.token,
            refresh: refresh.token,
          });
        },
      },
    },
    {
      // zq_auth_sdk client/__init__.py refresh(): POST /auth/refresh/ {refresh}, no token
      path: /^\/auth\/refresh\/$/,
      auth: false,
      methods: {
        POST(req, res) {
          const f = readFields(req, res, ['refresh']);
          if (!f) return;
          const rec = validToken(f.refresh, 'refresh');
          // response.py RefreshTokenInvalid: A0221 "refresh token 无效或已过期" (the SDK then logs in again)
          if (!rec) return void fail(res, 'A0221', REFRESH_INVALID);
          const access = issueToken(rec.appId, 'access');
          // SDK fixture auth_refresh.json (and frontend utils/request.ts RefreshRes): {access, expire_time}, no new refresh
          ok(res, { access: access.token, expire_time: isoMicro(access.exp) });
        },
      },
    },
    {
      // zq_auth_sdk client/api/app.py test(): GET /
      path: /^\/$/,
      auth: true,
      methods: {
        GET(_req, res, target) {
          // SDK fixture tests/fixtures/.json: {user: {id, username, type: 2, is_active, is_superuser}, time}
          ok(res, {
            user: { id: target!.id, username: target!.username, type: 2, is_active: target!.active, is_superuser: false },
            time: isoBeijing(now()),
          });
        },
      },
    },
    {
      // zq_auth_sdk client/api/app.py app_info(): GET /apps/{id}/
      path: /^\/apps\/([^/]+)\/$/,
      auth: true,
      methods: {
        GET(req, res, target) {
          const id = /^\/apps\/([^/]+)\/$/.exec(req.path)![1];
          if (String(target!.id) !== id) return void fail(res, 'A0514'); // unconfirmed: another app's id
          // SDK fixture apps_9.json: {id, username, name, is_active}
          ok(res, { id: target!.id, username: target!.username, name: target!.name, is_active: target!.active });
        },
      },
    },
    {
      // zq_auth_sdk client/api/app.py sso(): POST /sso/union-id/ {code}
      path: /^\/sso\/union-id\/$/,
      auth: true,
      methods: {
        POST(req, res, target) {
          const f = readFields(req, res, ['code']);
          if (!f) return;
          const entry = codes.peek(f.code);
          // SDK fixture sso_union-id_failed.json: a bad code is A0514; zq_auth_doc docs/introduction.md: 5 minutes
          if (!entry || entry === 'expired' || entry.appId !== target!.id) return void fail(res, 'A0514');
          codes.take(f.code); // unconfirmed: single-use
          const user = users.find((u) => u.id === entry.userId);
          if (!user) return void fail(res, 'A0514');
          if (!user.active) return void fail(res, 'A0311'); // unconfirmed: a not-activated account
          ok(res, { union_id: unionIdOf(user.id, target!.id) }); // SDK fixture sso_union-id.json
        },
      },
    },
    {
      // zq_auth_sdk client/api/app.py user_info(): GET /users/{union_id}/?detail=
      path: /^\/users\/([^/]+)\/$/,
      auth: true,
      methods: {
        GET(req, res, target) {
          let unionId: string;
          try {
            unionId = decodeURIComponent(/^\/users\/([^/]+)\/$/.exec(req.path)![1]);
          } catch {
            return void fail(res, 'A0514'); // unconfirmed: a malformed union id is not found
          }
          const user = userByUnionId(unionId, target!.id);
          // SDK fixture users_123_not_found.json; seed: ziqiang-backend.md (user gone or certification revoked, 404)
          if (!user || user.gone) return void fail(res, 'A0514');
          // seed: detail defaults to false. The SDK sends Python's True/False, the doc true/false;
          // unconfirmed: any other value is read as false
          const detail = /^(true|1)$/i.test(query(req, 'detail') ?? '');
          const certifyTime = user.certified ? user.certifyTime : null;
          // SDK fixture users_123_no_detail.json: only {certify_time} (the seed also names is_certified)
          if (!detail) return void ok(res, { certify_time: certifyTime });
          // SDK fixture users_123.json: {name, student_id, phone, is_certified, certify_time, update_time}
          ok(res, {
            name: user.name,
            student_id: user.studentId,
            phone: user.phone,
            is_certified: user.certified,
            certify_time: certifyTime,
            update_time: user.updateTime,
          });
        },
      },
    },
  ];

  const emu = await startEmulator({
    name: 'ziqiang',
    port: options.port,
    host: options.host,
    clock: options.clock,
    routes(app, ctx) {
      clock = ctx.clock;

      // ---- login page (cas.ziqiang.net.cn/login) ----------------------------------------------
      // zq_auth_frontend pages/login.vue is a SPA; this page keeps its query keys and hand-back
      // rules. unconfirmed / emulator-only: no sessionStorage fallback for missing keys, no
      // remembered login (so `manually` changes nothing), and redirect URIs limited to local ones.
      app.get('/login', (req, res) => {
        const appName = query(req, 'app-name') ?? query(req, 'app_name') ?? '';
        // pages/login.vue: an empty app-name → "参数错误无法正常登录，请退出页面重新进入"
        if (!appName)
          return void res
            .status(400)
            .type('html')
            .send(page('自强 Auth', '<p>参数错误无法正常登录，请退出页面重新进入（缺少 app-name）</p>'));
        const target = apps.find((a) => a.username === appName);
        // unconfirmed: the real page only fails once /sso/code/ refuses the unknown app
        if (!target)
          return void res
            .status(400)
            .type('html')
            .send(page('自强 Auth', `<p>未知应用（app-name）：${escapeHtml(appName)}</p>`));
        const redirectUri = query(req, 'redirect-uri') ?? '';
        // emulator-only: the real page redirects anywhere (utils/callback.ts); a local tool should not
        if (redirectUri && !redirectAllowed(redirectUri))
          return void res
            .status(400)
            .type('html')
            .send(page('自强 Auth', `<p>不允许的回调地址（redirect-uri）：${escapeHtml(redirectUri)}</p>`));
        const appLogo = query(req, 'app-logo') ?? '';
        const certifyOnly = isTrue(query(req, 'certify-only'));
        const wxapp = isTrue(query(req, 'wxapp'));
        const manually = isTrue(query(req, 'manually'));
        // emulator-only: `popup=1` has no effect (any opener gets the data, utils/callback.ts); kept for old links
        const popup = query(req, 'popup') === '1' || query(req, 'popup') === 'true';
        // components/page-header.vue: the app logo is shown only when app-logo is set (app-header.vue)
        const logo = appLogo
          ? `<p class="app-header"><span>自强 Studio</span> ⇄ <img data-app-logo src="${escapeHtml(appLogo)}" alt="${escapeHtml(target.name)}" width="80" height="80"></p>`
          : '';
        const intro = certifyOnly
          ? `<p data-certify-only>仅验证学生身份：<strong>${escapeHtml(target.name)}</strong>（${escapeHtml(target.username)}）只会得知你是否已通过学生认证。选择一个测试用户：</p>`
          : `<p>登录到 <strong>${escapeHtml(target.name)}</strong>（${escapeHtml(target.username)}）。选择一个测试用户：</p>`;
        const mode = `<div id="login-mode" data-popup="${popup ? '1' : '0'}" data-wxapp="${wxapp}" data-certify-only="${certifyOnly}" data-manually="${manually}">${intro}</div>`;
        res.type('html').send(
          loginPage({
            platform: '自强 Auth',
            heading: certifyOnly ? '学生认证' : '登录',
            action: '/login',
            hidden: {
              'app-name': target.username,
              'redirect-uri': redirectUri,
              state: query(req, 'state') ?? '',
              'response-type': query(req, 'response-type') ?? 'code',
              'certify-only': String(certifyOnly),
              wxapp: String(wxapp),
            },
            users: users.map((u) => {
              const tag = !u.active ? '未激活' : u.certified ? '已认证' : '未认证';
              return { value: u.id, label: `${u.name}（${u.studentId ?? '无学号'}，${tag}）` };
            }),
            note: `${logo}${mode}<p id="message" role="status"></p>${HAND_BACK_SCRIPT}`,
          }),
        );
      });

      // emulator-only: what the real page does with /auth/users/ and /sso/code/ after the user
      // types a password, in one form post (HTML: redirect; Accept JSON: the data to hand back)
      app.post('/login', (req, res) => {
        const wantsJson = String(req.headers.accept ?? '').includes('application/json');
        const f = (name: string) => field(req, name);
        const htmlError = (status: number, text: string, attrs = '') =>
          void res
            .status(status)
            .type('html')
            .send(page('自强 Auth', `<p${attrs}>${escapeHtml(text)}</p>`));
        const target = apps.find((a) => a.username === (f('app-name') ?? f('app_name')));
        const user = users.find((u) => u.id === f('user'));
        if (!target || !user) return wantsJson ? void fail(res, 'A0514') : htmlError(400, '未知的应用或用户');
        const redirectUri = f('redirect-uri') ?? '';
        if (redirectUri && !redirectAllowed(redirectUri)) return htmlError(400, '不允许的回调地址');
        // pages/login.vue: A0311 (not activated) → "登录需要验证学生身份，请重新验证", on to /certify, no code
        if (!user.active)
          return wantsJson
            ? void fail(res, 'A0311')
            : htmlError(403, '登录需要验证学生身份，请重新验证', ' data-certify-required');
        let message: Record<string, string | boolean>;
        let code: string | undefined;
        if (isTrue(f('certify-only'))) {
          // pages/login.vue (certify-only): a certified user hands back {is_certified: true}, no code
          // (zq_auth_doc frontend.md: response-type is not supported then); others go to /certify
          if (!user.certified) {
            const notice = '需要先验证学生身份（仅认证模式）';
            return wantsJson
              ? void ok(res, { is_certified: false, message: null, notice })
              : htmlError(403, notice, ' data-certify-required');
          }
          message = { is_certified: true };
        } else {
          code = issueCode(user.id, target.id);
          // pages/login.vue getSsoCodeRequest: the code goes back under the response-type key (default code)
          message = { [f('response-type') || 'code']: code };
        }
        if (wantsJson) return void ok(res, { ...(code ? { code } : {}), is_certified: user.certified, message });
        if (redirectUri) {
          // utils/callback.ts: redirect-uri + the data (+ state when set and not in the data)
          const data = Object.fromEntries(Object.entries(message).map(([k, v]) => [k, String(v)]));
          const state = 'state' in message ? undefined : f('state') || undefined;
          return void res.redirect(302, withQuery(redirectUri, { ...data, state }));
        }
        // utils/callback.ts: wxapp → wx.miniProgram.postMessage; emulator-only: the data is shown instead
        if (isTrue(f('wxapp')))
          return void res
            .type('html')
            .send(
              page(
                '自强 Auth',
                `<p>小程序模式（模拟）：<code id="message-data">${escapeHtml(JSON.stringify(message))}</code></p>`,
              ),
            );
        // utils/callback.ts handleError: no opener, no redirect-uri, not a mini-program
        htmlError(400, '无法回到应用中，请退出页面重新进入');
      });

      // ---- API ----------------------------------------------------------------------------------
      app.use((req, res, next) => {
        if (req.path === '/login') return next();
        const route = routes.find((r) => r.path.test(req.path));
        if (!route) return void fail(res, 'A0510'); // response.py APINotFound; unconfirmed for unknown paths
        if (throttled > 0) {
          throttled -= 1;
          return void fail(res, 'A0512'); // response.py APIThrottled, HTTP 429
        }
        const method = req.method === 'HEAD' ? 'GET' : req.method;
        const handler = route.methods[method as 'GET' | 'POST'];
        if (!handler) return void fail(res, 'A0511'); // response.py MethodNotAllowed, HTTP 405; unconfirmed order
        if (!route.auth) return handler(req, res, undefined);
        // zq_auth_sdk client/base.py _request: `Authorization: Bearer <access>` (the seed's "Authentication" is a typo)
        const m = /^Bearer\s+(\S+)$/i.exec(String(req.headers.authorization ?? ''));
        if (!m) return void fail(res, 'A0310'); // response.py NotLogin; unconfirmed: what no token gets
        const rec = validToken(m[1], 'access');
        if (!rec) return void fail(res, 'A0221'); // response.py TokenInvalid, HTTP 401 (the SDK refreshes, retries once)
        const target = apps.find((a) => a.id === rec.appId);
        if (!target) return void fail(res, 'A0221');
        handler(req, res, target);
      });
    },
  });

  return Object.assign(emu, {
    apps,
    users,
    issueCode(userId = users[0].id, appUsername = apps[0].username) {
      const target = apps.find((a) => a.username === appUsername);
      if (!target) throw new Error(`ziqiang emulator: no app "${appUsername}"`);
      if (!users.some((u) => u.id === userId)) throw new Error(`ziqiang emulator: no user "${userId}"`);
      return issueCode(userId, target.id);
    },
    unionIdOf,
    setUser(userId: string, patch: Partial<Omit<ZiqiangEmulatorUser, 'id'>>) {
      const user = users.find((u) => u.id === userId);
      if (!user) throw new Error(`ziqiang emulator: no user "${userId}"`);
      Object.assign(user, patch);
    },
    revokeAccessTokens() {
      accessGeneration += 1;
    },
    revokeRefreshTokens() {
      refreshGeneration += 1;
    },
    throttle(times = 1) {
      throttled += times;
    },
    count(path: string, method?: string) {
      return emu.requests.filter((r) => r.path === path && (!method || r.method === method.toUpperCase())).length;
    },
    async simulateLogin(loginPageUrl: string, userId: string) {
      const pageUrl = new URL(loginPageUrl);
      const html = await fetch(pageUrl).then(async (r) => {
        if (r.status !== 200) throw new Error(`ziqiang emulator: login page answered ${r.status}`);
        return r.text();
      });
      if (!html.includes(`data-user="${userId}"`)) throw new Error(`ziqiang emulator: no button for "${userId}"`);
      // the form's hidden inputs, as the page rendered them, plus the clicked button
      const form = new URLSearchParams();
      for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g))
        form.append(
          m[1],
          m[2].replace(/&(amp|lt|gt|quot|#39);/g, (_, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" })[e]!),
        );
      form.set('user', userId);
      const res = await fetch(new URL('/login', pageUrl), {
        method: 'POST',
        body: form.toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        redirect: 'manual',
      });
      const location = res.headers.get('location');
      if (res.status !== 302 || !location) throw new Error(`ziqiang emulator: login answered ${res.status}`);
      return location;
    },
  });
}
