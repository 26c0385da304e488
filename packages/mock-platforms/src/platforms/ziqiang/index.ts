/**
 * Emulator of Ziqiang Auth (自强 Auth, Wuhan University): app login and refresh with expiring app
 * tokens, a login page with seeded users (certified and not), 5-minute single-use codes bound to
 * the app, union ids of 32 hex characters, the users endpoint with and without detail, the error
 * codes A0210 / A0221 / A0310 / A0311 / A0420 / A0512 / A0514 in Ziqiang's envelope, and a popup
 * mode in which the login page `postMessage`s `{ code }` to its opener and closes.
 *
 * One origin serves both the API (`https://api.cas.ziqiang.net.cn`) and the login page
 * (`https://cas.ziqiang.net.cn/login`).
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
  /** An inactive account gets A0311 when its code is exchanged. Default true. */
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

export const ZIQIANG_ACCESS_TTL = 24 * 60 * 60_000;
export const ZIQIANG_REFRESH_TTL = 10 * 24 * 60 * 60_000;
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
  /** The union id of a user for an app (32 hex characters). */
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
   * user's button, and return where the page sends the browser (the callback URL with the code).
   */
  simulateLogin(loginPageUrl: string, userId: string): Promise<string>;
}

const MESSAGES: Record<string, [number, string]> = {
  A0210: [400, '用户登录失败'],
  A0221: [401, 'token 无效或已过期'],
  A0310: [401, '用户未登录'],
  A0311: [403, '用户未激活'],
  A0420: [400, '请求必填参数为空'],
  A0512: [429, '请求次数超出限制'],
  A0514: [404, '请求资源不存在'],
};

interface TokenRecord {
  appId: number;
  type: 'access' | 'refresh';
  exp: number;
  generation: number;
}

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

/** Python-style isoformat with microseconds and a Z, as the SDK fixtures show. */
const isoMicro = (ms: number) => new Date(ms).toISOString().replace(/Z$/, '000Z');

function field(body: unknown, name: string): string | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const v = (body as Record<string, unknown>)[name];
  return typeof v === 'string' ? v : undefined;
}

function query(req: Request, ...names: string[]): string | undefined {
  for (const n of names) {
    const v = req.query[n];
    if (typeof v === 'string') return v;
  }
  return undefined;
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

  const unionIdOf = (userId: string, appId: number = apps[0].id) =>
    createHash('md5').update(`ziqiang-emulator:${appId}:${userId}`).digest('hex');
  const userByUnionId = (unionId: string, appId: number) => users.find((u) => unionIdOf(u.id, appId) === unionId);

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

  const ok = (res: Response, data: unknown) => void res.json({ code: '00000', detail: '', msg: '', data });
  const fail = (res: Response, code: keyof typeof MESSAGES & string, msg?: string) => {
    const [status, text] = MESSAGES[code];
    res.status(status).json({
      code,
      detail: msg ?? text,
      msg: msg ?? text,
      data: { eid: null, time: isoMicro(now()), details: null },
    });
  };

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

  const emu = await startEmulator({
    name: 'ziqiang',
    port: options.port,
    host: options.host,
    clock: options.clock,
    routes(app, ctx) {
      clock = ctx.clock;

      // ---- login page (cas.ziqiang.net.cn/login) ----------------------------------------------
      app.get('/login', (req, res) => {
        const appName = query(req, 'app-name', 'app_name');
        const target = apps.find((a) => a.username === appName);
        if (!target)
          return void res
            .status(400)
            .type('html')
            .send(page('自强 Auth', `<p>未知应用（app-name）：${escapeHtml(appName ?? '')}</p>`));
        const redirectUri = query(req, 'redirect-uri') ?? '';
        if (redirectUri && !redirectAllowed(redirectUri))
          return void res
            .status(400)
            .type('html')
            .send(page('自强 Auth', `<p>不允许的回调地址（redirect-uri）：${escapeHtml(redirectUri)}</p>`));
        const hidden = (name: string, value: string) => `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`;
        const popup = query(req, 'popup') === '1' || query(req, 'popup') === 'true';
        const buttons = users
          .map((u) => {
            const tag = !u.active ? '未激活' : u.certified ? '已认证' : '未认证';
            const label = `${u.name}（${u.studentId ?? '无学号'}，${tag}）`;
            return `<button type="submit" name="user" value="${escapeHtml(u.id)}" data-user="${escapeHtml(u.id)}">${escapeHtml(label)}</button>`;
          })
          .join('\n');
        const body = `<p>登录到 <strong>${escapeHtml(target.name)}</strong>（${escapeHtml(target.username)}）。选择一个测试用户：</p>
<form id="login" method="post" action="/login" data-popup="${popup ? '1' : '0'}">
${hidden('app-name', target.username)}${hidden('redirect-uri', redirectUri)}${hidden('state', query(req, 'state') ?? '')}${hidden('response-type', query(req, 'response-type') ?? 'code')}
${buttons}
</form>
<p id="message" role="status"></p>
<script>
(function () {
  var form = document.getElementById('login');
  var popupMode = form.getAttribute('data-popup') === '1' || !form.elements['redirect-uri'].value;
  var buttons = form.querySelectorAll('button[data-user]');
  for (var i = 0; i < buttons.length; i++) {
    buttons[i].addEventListener('click', function (ev) {
      // Opened as a popup: hand the code to the opener (as zq_auth_frontend does) and close.
      if (!window.opener || !popupMode) return;
      ev.preventDefault();
      var data = new URLSearchParams(new FormData(form));
      data.set('user', this.getAttribute('data-user'));
      fetch('/login', { method: 'POST', headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' }, body: data.toString() })
        .then(function (r) { return r.json(); })
        .then(function (env) {
          if (env.code !== '00000') { document.getElementById('message').textContent = env.msg; return; }
          window.opener.postMessage({ code: env.data.code }, '*');
          window.close();
        });
    });
  }
})();
</script>`;
        res.type('html').send(page('自强 Auth 登录（模拟）', body));
      });

      app.post('/login', (req, res) => {
        const wantsJson = String(req.headers.accept ?? '').includes('application/json');
        const target = apps.find((a) => a.username === (field(req.body, 'app-name') ?? field(req.body, 'app_name')));
        const user = users.find((u) => u.id === field(req.body, 'user'));
        if (!target || !user) {
          if (wantsJson) return void fail(res, 'A0514');
          return void res.status(400).type('html').send(page('自强 Auth', '<p>未知的应用或用户</p>'));
        }
        const redirectUri = field(req.body, 'redirect-uri') ?? '';
        if (redirectUri && !redirectAllowed(redirectUri))
          return void res.status(400).type('html').send(page('自强 Auth', '<p>不允许的回调地址</p>'));
        const code = issueCode(user.id, target.id);
        if (wantsJson) return void ok(res, { code, is_certified: user.certified });
        if (redirectUri) {
          const back = new URL(redirectUri);
          back.searchParams.set(field(req.body, 'response-type') || 'code', code);
          const state = field(req.body, 'state');
          if (state) back.searchParams.set('state', state);
          return void res.redirect(302, back.toString());
        }
        res.type('html').send(page('自强 Auth', `<p>登录成功。code：<code id="code">${escapeHtml(code)}</code></p>`));
      });

      // ---- API (api.cas.ziqiang.net.cn) --------------------------------------------------------
      app.use((req, res, next) => {
        if (req.path === '/login' || throttled <= 0) return next();
        throttled -= 1;
        fail(res, 'A0512');
      });

      app.post('/auth/apps/', (req, res) => {
        const target = apps.find((a) => a.appKey === field(req.body, 'app_key'));
        if (!target || target.appSecret !== field(req.body, 'app_secret')) return void fail(res, 'A0210');
        if (!target.active) return void fail(res, 'A0311');
        const access = issueToken(target.id, 'access');
        const refresh = issueToken(target.id, 'refresh');
        ok(res, {
          id: target.id,
          username: target.username,
          name: target.name,
          expire_time: isoMicro(access.exp),
          access: access.token,
          refresh: refresh.token,
        });
      });

      app.post('/auth/refresh/', (req, res) => {
        const rec = validToken(field(req.body, 'refresh'), 'refresh');
        if (!rec) return void fail(res, 'A0221', 'refresh token 无效或已过期');
        const access = issueToken(rec.appId, 'access');
        ok(res, { access: access.token, expire_time: isoMicro(access.exp) });
      });

      // every other API call needs `Authorization: Bearer <access>`
      const authed = (req: Request, res: Response): ZiqiangEmulatorApp | undefined => {
        const m = /^Bearer\s+(\S+)$/i.exec(String(req.headers.authorization ?? ''));
        if (!m) return void fail(res, 'A0310');
        const rec = validToken(m[1], 'access');
        if (!rec) return void fail(res, 'A0221');
        return apps.find((a) => a.id === rec.appId);
      };

      app.get('/', (req, res) => {
        const target = authed(req, res);
        if (target) ok(res, { id: target.id, username: target.username });
      });

      app.get('/apps/:id/', (req, res) => {
        const target = authed(req, res);
        if (!target) return;
        if (String(target.id) !== req.params.id) return void fail(res, 'A0514');
        ok(res, { id: target.id, username: target.username, name: target.name, is_active: target.active });
      });

      app.post('/sso/union-id/', (req, res) => {
        const target = authed(req, res);
        if (!target) return;
        const code = field(req.body, 'code');
        if (!code) return void fail(res, 'A0420');
        const entry = codes.get(code);
        if (!entry || entry.appId !== target.id || entry.exp <= now()) return void fail(res, 'A0514');
        codes.delete(code);
        const user = users.find((u) => u.id === entry.userId);
        if (!user) return void fail(res, 'A0514');
        if (!user.active) return void fail(res, 'A0311');
        ok(res, { union_id: unionIdOf(user.id, target.id) });
      });

      app.get('/users/:unionId/', (req, res) => {
        const target = authed(req, res);
        if (!target) return;
        const user = userByUnionId(req.params.unionId as string, target.id);
        if (!user || user.gone) return void fail(res, 'A0514');
        const detail = /^(true|1)$/i.test(query(req, 'detail') ?? '');
        const base = { is_certified: user.certified, certify_time: user.certified ? user.certifyTime : null };
        if (!detail) return void ok(res, base);
        ok(res, { name: user.name, student_id: user.studentId, phone: user.phone, ...base, update_time: user.updateTime });
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
      const form = new URLSearchParams({
        user: userId,
        'app-name': pageUrl.searchParams.get('app-name') ?? '',
        'redirect-uri': pageUrl.searchParams.get('redirect-uri') ?? '',
        state: pageUrl.searchParams.get('state') ?? '',
        'response-type': pageUrl.searchParams.get('response-type') ?? 'code',
      });
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
