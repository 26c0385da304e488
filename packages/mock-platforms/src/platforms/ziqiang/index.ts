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
import { escapeHtml, page, startEmulator, type Clock, type Emulator } from '../../harness';

export const DEFAULT_PORT = 4102;

export interface ZiqiangEmulatorApp {
  id: number;
  appKey: string;
  appSecret: string;
  /** The app's English id: the login page's `app-name`. */
  username: string;
  name: string;
  /** An inactive app cannot log in (A0311). Default true. */
  active?: boolean;
}

export interface ZiqiangEmulatorUser {
  /** The login page's `data-user`. */
  id: string;
  name: string;
  studentId: string | null;
  phone: string | null;
  certified: boolean;
  /** ISO time (+08:00) or null when not certified. */
  certifyTime: string | null;
  updateTime: string;
  /** Not activated: the login page gives no code (A0311); a code minted anyway gets A0311. Default true. */
  active?: boolean;
  /** Deleted or certification revoked: `/users/{union_id}/` answers A0514. Default false. */
  gone?: boolean;
}

/** The demo app registration (works out of the box with the demo app). */
export const ZIQIANG_APP: Readonly<ZiqiangEmulatorApp> = Object.freeze({
  id: 9,
  appKey: 'zq-demo-app-key',
  appSecret: 'zq-demo-app-secret-0f1e2d3c4b5a6978',
  username: 'zq_demo',
  name: '自强演示应用',
  active: true,
});

/** A second app, to show codes and union ids are bound to their app. */
export const ZIQIANG_OTHER_APP: Readonly<ZiqiangEmulatorApp> = Object.freeze({
  id: 10,
  appKey: 'zq-other-app-key',
  appSecret: 'zq-other-app-secret-a1b2c3d4e5f60718',
  username: 'zq_other',
  name: '另一个应用',
  active: true,
});

export const ZIQIANG_USERS: ReadonlyArray<Readonly<ZiqiangEmulatorUser>> = Object.freeze([
  {
    id: 'zhangsan',
    name: '张三',
    studentId: '2020302110001',
    phone: '18312341233',
    certified: true,
    certifyTime: '2023-03-04T20:42:00+08:00',
    updateTime: '2023-03-06T10:49:07.976501+08:00',
  },
  {
    id: 'lisi',
    name: '李四',
    studentId: '2021302110002',
    phone: '18312345678',
    certified: true,
    certifyTime: '2023-09-10T09:00:00+08:00',
    updateTime: '2023-09-10T09:00:05.120000+08:00',
  },
  {
    id: 'wangwu',
    name: '王五',
    studentId: null,
    phone: '18398765432',
    certified: false,
    certifyTime: null,
    updateTime: '2024-01-02T08:30:00.000000+08:00',
  },
  {
    id: 'zhaoliu',
    name: '赵六',
    studentId: '2019302110004',
    phone: null,
    certified: true,
    certifyTime: '2019-09-01T10:00:00+08:00',
    updateTime: '2024-02-01T12:00:00.000000+08:00',
    active: false,
  },
]);

/** zq_auth_sdk/client/__init__.py: ACCESS_LIFETIME one day, REFRESH_LIFETIME ten days. */
export const ZIQIANG_ACCESS_TTL = 24 * 60 * 60_000;
export const ZIQIANG_REFRESH_TTL = 10 * 24 * 60 * 60_000;
/** zq_auth_doc docs/introduction.md: a code lives 5 minutes. */
export const ZIQIANG_CODE_TTL = 5 * 60_000;

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
   * Pin the accepted redirect URIs (exact origin + path). Default: any http://localhost:* or
   * http://127.0.0.1:* URI.
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

/** zq_auth_sdk/entities/response.py ZqAuthResponseType: code → [HTTP status, detail]. */
const MESSAGES = {
  A0210: [400, '用户登录失败'],
  A0221: [401, 'token 无效或已过期'],
  A0310: [401, '用户未登录'],
  A0311: [403, '用户未激活'],
  A0400: [400, '用户请求参数错误'],
  A0410: [400, '请求 JSON 解析错误'],
  A0420: [400, '请求必填参数为空'],
  A0430: [400, '请求参数值校验失败'],
  A0510: [404, '请求接口不存在'],
  A0511: [405, '请求方法不允许'],
  A0512: [429, '请求次数超出限制'],
  A0514: [404, '请求资源不存在'],
} as const satisfies Record<string, readonly [number, string]>;
type ErrorCode = keyof typeof MESSAGES;

/** zq_auth_sdk/entities/response.py RefreshTokenInvalid: A0221 with its own message. */
const REFRESH_INVALID = 'refresh token 无效或已过期';

interface TokenRecord {
  appId: number;
  type: 'access' | 'refresh';
  exp: number;
  generation: number;
}

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

/** Python isoformat in UTC with microseconds and a Z, as the SDK fixtures show (auth_apps.json). */
const isoMicro = (ms: number) => new Date(ms).toISOString().replace(/Z$/, '000Z');
/** Python isoformat in Beijing time with microseconds (SDK fixture tests/fixtures/.json `time`). */
const isoBeijing = (ms: number) => new Date(ms + 8 * 3600_000).toISOString().replace(/Z$/, '000+08:00');

function query(req: Request, ...names: string[]): string | undefined {
  for (const n of names) {
    const v = req.query[n];
    if (typeof v === 'string') return v;
  }
  return undefined;
}

function field(body: unknown, name: string): string | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const v = (body as Record<string, unknown>)[name];
  return typeof v === 'string' ? v : undefined;
}

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
  const tokens = new Map<string, TokenRecord>();
  const codes = new Map<string, { userId: string; appId: number; exp: number }>();
  let accessGeneration = 0;
  let refreshGeneration = 0;
  let throttled = 0;
  let clock: Clock | undefined;
  const now = () => (clock ? clock.now() : Date.now());

  // zq_auth_doc docs/introduction.md: a union id is a UUID without dashes (SDK fixture
  // sso_union-id.json: a version-4 one); stable per user and app (unconfirmed how it is derived)
  const unionIdOf = (userId: string, appId: number = apps[0].id) => {
    const h = createHash('md5').update(`ziqiang-emulator:${appId}:${userId}`).digest('hex');
    return `${h.slice(0, 12)}4${h.slice(13, 16)}${((parseInt(h[16], 16) & 3) | 8).toString(16)}${h.slice(17)}`;
  };
  const userByUnionId = (unionId: string, appId: number) => users.find((u) => unionIdOf(u.id, appId) === unionId);

  // unconfirmed: the token format (JWT-shaped, "xxx.xxx.xxx" in docs/development/backend.md)
  function issueToken(appId: number, type: 'access' | 'refresh'): { token: string; exp: number } {
    const exp = now() + (type === 'access' ? accessTtl : refreshTtl);
    const jti = randomBytes(12).toString('hex');
    const token = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ token_type: type, exp: Math.floor(exp / 1000), jti, app_id: appId })}.${randomBytes(24).toString('base64url')}`;
    tokens.set(token, { appId, type, exp, generation: type === 'access' ? accessGeneration : refreshGeneration });
    return { token, exp };
  }

  function validToken(token: string | undefined, type: 'access' | 'refresh'): TokenRecord | undefined {
    const rec = token ? tokens.get(token) : undefined;
    if (!rec || rec.type !== type || rec.exp <= now()) return undefined;
    if (rec.generation !== (type === 'access' ? accessGeneration : refreshGeneration)) return undefined;
    return rec;
  }

  function issueCode(userId: string, appId: number): string {
    const code = randomBytes(16).toString('hex');
    codes.set(code, { userId, appId, exp: now() + codeTtl });
    return code;
  }

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

  function redirectAllowed(uri: string): boolean {
    let u: URL;
    try {
      u = new URL(uri);
    } catch {
      return false;
    }
    if (options.redirectUris) return options.redirectUris.some((p) => `${u.origin}${u.pathname}` === p);
    return u.protocol === 'http:' && (u.hostname === 'localhost' || u.hostname === '127.0.0.1');
  }

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
          const entry = codes.get(f.code);
          // SDK fixture sso_union-id_failed.json: a bad code is A0514; zq_auth_doc docs/introduction.md: 5 minutes
          if (!entry || entry.appId !== target!.id || entry.exp <= now()) return void fail(res, 'A0514');
          codes.delete(f.code); // unconfirmed: single-use
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
        const appName = query(req, 'app-name', 'app_name') ?? '';
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
        const hidden = (name: string, value: string) => `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`;
        const buttons = users
          .map((u) => {
            const tag = !u.active ? '未激活' : u.certified ? '已认证' : '未认证';
            const label = `${u.name}（${u.studentId ?? '无学号'}，${tag}）`;
            return `<button type="submit" name="user" value="${escapeHtml(u.id)}" data-user="${escapeHtml(u.id)}">${escapeHtml(label)}</button>`;
          })
          .join('\n');
        // components/page-header.vue: the app logo is shown only when app-logo is set (app-header.vue)
        const logo = appLogo
          ? `<p class="app-header"><span>自强 Studio</span> ⇄ <img data-app-logo src="${escapeHtml(appLogo)}" alt="${escapeHtml(target.name)}" width="80" height="80"></p>`
          : '';
        const intro = certifyOnly
          ? `<p data-certify-only>仅验证学生身份：<strong>${escapeHtml(target.name)}</strong>（${escapeHtml(target.username)}）只会得知你是否已通过学生认证。选择一个测试用户：</p>`
          : `<p>登录到 <strong>${escapeHtml(target.name)}</strong>（${escapeHtml(target.username)}）。选择一个测试用户：</p>`;
        const body = `${logo}${intro}
<form id="login" method="post" action="/login" data-popup="${popup ? '1' : '0'}" data-wxapp="${wxapp}" data-certify-only="${certifyOnly}" data-manually="${manually}">
${hidden('app-name', target.username)}${hidden('redirect-uri', redirectUri)}${hidden('state', query(req, 'state') ?? '')}${hidden('response-type', query(req, 'response-type') ?? 'code')}${hidden('certify-only', String(certifyOnly))}${hidden('wxapp', String(wxapp))}
${buttons}
</form>
<p id="message" role="status"></p>
<script>
(function () {
  var form = document.getElementById('login');
  var redirectUri = form.elements['redirect-uri'].value;
  var wxapp = form.getAttribute('data-wxapp') === 'true';
  function show(text) { document.getElementById('message').textContent = text; }
  var buttons = form.querySelectorAll('button[data-user]');
  for (var i = 0; i < buttons.length; i++) {
    buttons[i].addEventListener('click', function (ev) {
      // zq_auth_frontend utils/callback.ts: an opener gets the data by postMessage and the page
      // closes; else redirect-uri (the form post below); else the mini-program (wxapp)
      var mini = window.wx && window.wx.miniProgram;
      var toOpener = !!window.opener;
      var toMini = !toOpener && !redirectUri && wxapp && !!mini;
      if (!toOpener && !toMini) return;
      ev.preventDefault();
      var data = new URLSearchParams(new FormData(form));
      data.set('user', this.getAttribute('data-user'));
      fetch('/login', { method: 'POST', headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' }, body: data.toString() })
        .then(function (r) { return r.json(); })
        .then(function (env) {
          if (env.code !== '00000') { show(env.msg); return; }
          if (!env.data.message) { show(env.data.notice); return; }
          if (toOpener) {
            window.opener.postMessage(env.data.message, '*');
            window.close();
          } else {
            mini.postMessage({ data: env.data.message });
            mini.navigateBack();
          }
        });
    });
  }
})();
</script>`;
        res.type('html').send(page(certifyOnly ? '自强 Auth 学生认证（模拟）' : '自强 Auth 登录（模拟）', body));
      });

      // emulator-only: what the real page does with /auth/users/ and /sso/code/ after the user
      // types a password, in one form post (HTML: redirect; Accept JSON: the data to hand back)
      app.post('/login', (req, res) => {
        const wantsJson = String(req.headers.accept ?? '').includes('application/json');
        const f = (name: string) => field(req.body, name);
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
          const back = new URL(redirectUri);
          for (const [k, v] of Object.entries(message)) back.searchParams.set(k, String(v));
          const state = f('state');
          if (state && !('state' in message)) back.searchParams.set('state', state);
          return void res.redirect(302, back.toString());
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
