/**
 * Emulator of NCUOS GeniusAuth (南昌大学家园工作室), RefreshToken mode.
 *
 * Faithful to PLATFORMS.md §4 and the seed: the login page `/?appCode=` lists seeded users; picking
 * one lands on the app's *registered* callback with `?token=<loginToken>` (5 minutes, single-use).
 * Every API call under /api/v1/public/login/verify and /api/v1/app/* is signature-checked (appCode,
 * timeStamp within −10 s … +5 min of `ctx.clock`, SHA-256 over the sorted `k=v` pairs with appSecret),
 * answers the `{ code, data, msg }` envelope with the platform's codes and HTTP statuses, and
 * /api/v1/public/* is rate limited (60 requests per minute per client IP by default).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
import { escapeHtml, page, startEmulator, type Clock, type Emulator } from '../../harness';

export const DEFAULT_PORT = 4103;
/** The demo app registered on the emulator out of the box. */
export const DEFAULT_APP_CODE = 'campus-passport-demo';
export const DEFAULT_APP_SECRET = 'ncuos-demo-secret-7f3a9c1e5b2d4086';
export const DEFAULT_CALLBACK_URL = 'http://localhost:3000/auth/ncuos/callback';

/** Login tokens live 5 minutes; access tokens 5 minutes; refresh tokens `valid` seconds. */
export const LOGIN_TOKEN_TTL_MS = 5 * 60_000;
export const ACCESS_TOKEN_TTL_MS = 5 * 60_000;
export const MIN_VALID_SECONDS = 604_800;
export const MAX_VALID_SECONDS = 2_592_000;
/** The payload must be shorter than this many characters. */
export const PAYLOAD_MAX_LENGTH = 32;

export interface NcuosApp {
  appCode: string;
  appSecret: string;
  /** Where the login page sends the browser with `?token=`. */
  callbackURL: string;
}

export interface NcuosSeedUser {
  id: number;
  name: string;
  avatarUrl: string;
  /** Group names (the login answer) — the public user info answers `{ id, name }` objects. */
  groups: string[];
  /** Emulate a user whose identity was not found: verify answers code 26. */
  noIdentity?: boolean;
}

/** Seeded users: 8 and 9 are ordinary members, 10 has no group (code 7), 11 no identity (code 26). */
export const NCUOS_USERS: NcuosSeedUser[] = [
  { id: 8, name: '孙翔宇', avatarUrl: 'https://avatar.example.ncuos.test/8.png', groups: ['研发', '中心'] },
  { id: 9, name: '李晓燕', avatarUrl: 'https://avatar.example.ncuos.test/9.png', groups: ['设计'] },
  { id: 10, name: '王无组', avatarUrl: 'https://avatar.example.ncuos.test/10.png', groups: [] },
  { id: 11, name: '赵无身份', avatarUrl: 'https://avatar.example.ncuos.test/11.png', groups: ['运营'], noIdentity: true },
];

/** Group ids used by the public user-info answer. */
const GROUP_IDS: Record<string, number> = { 研发: 1, 中心: 2, 设计: 3, 运营: 4 };

/** The platform's codes: [code, HTTP status, message]. */
export const NCUOS_CODES = {
  form: [1, 400, '参数错误，请把输入截图发给前端同学'],
  appCodeNotFound: [3, 404, '没有找到授权码'],
  remoteFailed: [5, 500, '远程调用异常，请稍候重试'],
  unauthorized: [6, 401, '身份校验失败，权限不足'],
  noGroup: [7, 403, '找不到身份组，请联系管理员处理'],
  signatureExpired: [9, 403, '请求已过期，请重试'],
  rateLimited: [19, 403, '操作频繁，请稍后重试'],
  netContextChanged: [20, 403, '网络环境异常变更，请重新登录'],
  noIdentity: [26, 403, '没有找到角色，请尝试使用其他登录方式或联系管理员'],
  tokenInvalid: [31, 403, '身份校验失败，令牌失效或过期'],
} as const satisfies Record<string, readonly [number, number, string]>;
type CodeName = keyof typeof NCUOS_CODES;

export interface NcuosEmulatorOptions {
  port?: number;
  host?: string;
  clock?: Clock;
  /** Registered apps (default: the demo app). */
  apps?: NcuosApp[];
  users?: NcuosSeedUser[];
  /** Requests per minute per client IP on /api/v1/public/* (default 60; 0 = no limit). */
  rateLimit?: number;
}

export interface NcuosEmulator extends Emulator {
  readonly apps: Map<string, NcuosApp>;
  readonly users: NcuosSeedUser[];
  /** Register (or replace) an app, e.g. one whose callback is a test server. */
  registerApp(app: NcuosApp): void;
  /** What clicking a user on the login page mints: a 5-minute single-use login token. */
  issueLoginToken(userId?: number, options?: { appCode?: string; ip?: string }): string;
  /** Make the next `times` signed API calls answer code 5 (remote call failed, retry). */
  failRemote(times?: number): void;
  /** Forget the rate-limit counters. */
  resetRateLimit(): void;
}

interface LoginTokenEntry {
  uid: number;
  appCode: string;
  ip: string;
  exp: number;
}
interface RefreshEntry {
  /** Store point: destroying it kills every refresh / access token derived from it. */
  id: string;
  uid: number;
  appCode: string;
  payload: string;
  exp: number;
}
interface AccessEntry {
  refreshId: string;
  uid: number;
  appCode: string;
  payload: string;
  exp: number;
}

const b64url = (s: string) => Buffer.from(s, 'utf8').toString('base64url');

/** A JWT-shaped opaque token (header.claims.random): the emulator looks it up, never trusts it. */
function jwtLike(claims: Record<string, unknown>): string {
  return `${b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))}.${b64url(JSON.stringify(claims))}.${randomBytes(24).toString('base64url')}`;
}

/** Go's `fmt.Sprint` of a value decoded by encoding/json with UseNumber — what the server signs. */
export function goSprint(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (Array.isArray(v)) return `[${v.map(goSprint).join(' ')}]`;
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `map[${Object.keys(o)
      .sort()
      .map((k) => `${k}:${goSprint(o[k])}`)
      .join(' ')}]`;
  }
  return String(v);
}

function normalizeIp(ip: string | undefined): string {
  if (!ip) return '';
  return ip.startsWith('::ffff:') ? ip.slice(7) : ip;
}

/** Start the NCUOS GeniusAuth emulator. */
export async function startNcuosEmulator(options: NcuosEmulatorOptions = {}): Promise<NcuosEmulator> {
  const apps = new Map<string, NcuosApp>();
  for (const a of options.apps ?? [
    { appCode: DEFAULT_APP_CODE, appSecret: DEFAULT_APP_SECRET, callbackURL: DEFAULT_CALLBACK_URL },
  ])
    apps.set(a.appCode, { ...a });
  const users = options.users ?? NCUOS_USERS;
  const rateLimit = options.rateLimit ?? 60;
  const loginTokens = new Map<string, LoginTokenEntry>();
  const refreshTokens = new Map<string, RefreshEntry>();
  const liveRefreshIds = new Set<string>();
  const accessTokens = new Map<string, AccessEntry>();
  const hits = new Map<string, { windowStart: number; count: number }>();
  let remoteFailures = 0;
  let clockRef: Clock | undefined = options.clock;

  const mintLoginToken = (uid: number, appCode: string, ip: string, now: number) => {
    const token = jwtLike({ uid, appCode, typ: 'login', iat: Math.floor(now / 1000) });
    loginTokens.set(token, { uid, appCode, ip: normalizeIp(ip), exp: now + LOGIN_TOKEN_TTL_MS });
    return token;
  };

  const emu = await startEmulator({
    name: 'ncuos',
    port: options.port,
    host: options.host,
    clock: options.clock,
    routes(app, ctx) {
      clockRef = ctx.clock;
      const now = () => ctx.clock.now();
      const send = (res: Response, name: CodeName, tip?: string) => {
        const [code, status, msg] = NCUOS_CODES[name];
        res.status(status).json({ code, msg: tip ? `${msg}: ${tip}` : msg });
      };
      const ok = (res: Response, data?: unknown) => res.json(data === undefined ? { code: 0 } : { code: 0, data });

      // ---- the login page (the platform's SPA, reduced to a list of seeded users)
      app.get('/', (req: Request, res: Response) => {
        const appCode = typeof req.query.appCode === 'string' ? req.query.appCode : '';
        const registered = apps.get(appCode);
        if (!registered) {
          res.status(404).type('html').send(page('GeniusAuth 统一登录', `<p>没有找到授权码 (unknown appCode)</p>`));
          return;
        }
        const items = users
          .map(
            (u) =>
              `<button type="submit" name="user" value="${u.id}" data-user="${u.id}">${escapeHtml(u.name)} <small>#${u.id} ${escapeHtml(u.groups.join(' / ') || '(无身份组)')}</small></button>`,
          )
          .join('\n');
        res.type('html').send(
          page(
            'GeniusAuth 统一登录 (emulator)',
            `<p>应用 <code>${escapeHtml(appCode)}</code> 请求登录。选择一位测试用户：</p>
<form method="get" action="/login/authorize"><input type="hidden" name="appCode" value="${escapeHtml(appCode)}">
${items}
</form>`,
          ),
        );
      });

      // what the platform's SPA does after the user logged in: mint the token, go to the callback
      app.get('/login/authorize', (req: Request, res: Response) => {
        const appCode = typeof req.query.appCode === 'string' ? req.query.appCode : '';
        const registered = apps.get(appCode);
        const user = users.find((u) => String(u.id) === req.query.user);
        if (!registered || !user) {
          res.status(404).type('html').send(page('GeniusAuth 统一登录', '<p>unknown app or user</p>'));
          return;
        }
        const token = mintLoginToken(user.id, appCode, req.ip ?? '', now());
        const target = new URL(registered.callbackURL);
        target.searchParams.set('token', token);
        res.redirect(302, target.toString());
      });

      // ---- rate limit on public routes
      app.use('/api/v1/public', (req: Request, res: Response, next) => {
        if (!rateLimit) return next();
        const key = normalizeIp(req.ip);
        const t = now();
        const entry = hits.get(key);
        if (!entry || t - entry.windowStart >= 60_000) {
          hits.set(key, { windowStart: t, count: 1 });
          return next();
        }
        entry.count += 1;
        if (entry.count > rateLimit) return send(res, 'rateLimited');
        next();
      });

      // ---- signature check (RequireAppSignature)
      const signed = (req: Request, res: Response, next: () => void) => {
        let form: Record<string, unknown>;
        if (req.method === 'GET' || req.method === 'DELETE') {
          form = {};
          for (const [k, v] of Object.entries(req.query)) form[k] = Array.isArray(v) ? v[0] : v;
        } else {
          if (!req.body || typeof req.body !== 'object' || Array.isArray(req.body))
            return send(res, 'form', 'signature required');
          form = { ...(req.body as Record<string, unknown>) };
        }
        const appCode = form.appCode;
        const ts = typeof form.timeStamp === 'string' ? Number(form.timeStamp) : form.timeStamp;
        const signature = form.signature;
        if (typeof appCode !== 'string' || !appCode || typeof signature !== 'string' || !signature)
          return send(res, 'form', 'appCode, timeStamp and signature are required');
        if (typeof ts !== 'number' || !Number.isInteger(ts) || ts === 0) return send(res, 'form', 'timeStamp');
        const diff = now() / 1000 - ts;
        if (diff > 300 || diff < -10) return send(res, 'signatureExpired');
        const registered = apps.get(appCode);
        if (!registered) return send(res, 'appCodeNotFound');
        delete form.signature;
        const strMap: Record<string, string> = { appSecret: registered.appSecret };
        for (const [k, v] of Object.entries(form)) strMap[k] = goSprint(v);
        const base = Object.keys(strMap)
          .sort()
          .map((k) => `${k}=${strMap[k]}`)
          .join('&');
        if (createHash('sha256').update(base).digest('hex') !== signature) return send(res, 'unauthorized', 'signature invalid');
        res.locals.appCode = appCode;
        res.locals.form = form;
        if (remoteFailures > 0) {
          remoteFailures -= 1;
          return send(res, 'remoteFailed');
        }
        next();
      };

      const tokenField = (res: Response): string | undefined => {
        const t = (res.locals.form as Record<string, unknown>).token;
        if (typeof t !== 'string' || !t) {
          send(res, 'form', 'token required');
          return undefined;
        }
        return t;
      };

      const liveRefresh = (token: string, appCode: string, res: Response): RefreshEntry | undefined => {
        const entry = refreshTokens.get(token);
        if (!entry || entry.exp <= now() || !liveRefreshIds.has(entry.id)) {
          send(res, 'tokenInvalid');
          return undefined;
        }
        if (entry.appCode !== appCode) {
          send(res, 'unauthorized');
          return undefined;
        }
        return entry;
      };

      const mintAccess = (r: RefreshEntry, payload: string): string => {
        const token = jwtLike({ uid: r.uid, appCode: r.appCode, typ: 'access', payload });
        accessTokens.set(token, { refreshId: r.id, uid: r.uid, appCode: r.appCode, payload, exp: now() + ACCESS_TOKEN_TTL_MS });
        return token;
      };

      const mintRefresh = (uid: number, appCode: string, payload: string, exp: number, id?: string): [string, RefreshEntry] => {
        const entry: RefreshEntry = { id: id ?? randomBytes(8).toString('hex'), uid, appCode, payload, exp };
        liveRefreshIds.add(entry.id);
        const token = jwtLike({ uid, appCode, typ: 'refresh', id: entry.id, payload });
        refreshTokens.set(token, entry);
        return [token, entry];
      };

      // ---- verify the login token (CompleteLogin)
      app.post('/api/v1/public/login/verify', signed, (req: Request, res: Response) => {
        const f = res.locals.form as Record<string, unknown>;
        const token = tokenField(res);
        if (token === undefined) return;
        const grantType = f.grantType ?? '';
        if (grantType !== '' && grantType !== 'once' && grantType !== 'refresh_token') return send(res, 'form', 'grantType');
        if (f.clientIp !== undefined && typeof f.clientIp !== 'string') return send(res, 'form', 'clientIp');
        const payload = f.payload ?? '';
        if (typeof payload !== 'string' || payload.length >= PAYLOAD_MAX_LENGTH) return send(res, 'form', 'payload');
        let valid = f.valid ?? 0;
        if (typeof valid !== 'number' || !Number.isInteger(valid) || valid < 0 || valid > MAX_VALID_SECONDS)
          return send(res, 'form', 'valid');
        const refreshMode = grantType === 'refresh_token';
        if (refreshMode) {
          if (valid === 0) valid = MIN_VALID_SECONDS;
          else if (valid < MIN_VALID_SECONDS) return send(res, 'form', 'valid time too short, min 604800 seconds (7 days)');
        }
        const entry = loginTokens.get(token);
        if (!entry || entry.exp <= now()) return send(res, 'tokenInvalid');
        if (entry.appCode !== res.locals.appCode) return send(res, 'unauthorized');
        loginTokens.delete(token); // single use: deleted on the first verify
        const user = users.find((u) => u.id === entry.uid);
        if (!user) return send(res, 'tokenInvalid');
        if (user.noIdentity) return send(res, 'noIdentity');
        if (user.groups.length === 0) return send(res, 'noGroup');
        if (typeof f.clientIp === 'string' && f.clientIp !== '' && normalizeIp(f.clientIp) !== entry.ip)
          return send(res, 'netContextChanged');
        const data: Record<string, unknown> = {
          userID: user.id,
          name: user.name,
          groups: user.groups,
          avatarUrl: user.avatarUrl,
        };
        if (refreshMode) {
          const [refreshToken, r] = mintRefresh(user.id, entry.appCode, payload, now() + (valid as number) * 1000);
          data.refreshToken = refreshToken;
          data.accessToken = mintAccess(r, payload);
        }
        ok(res, data);
      });

      // ---- refresh-token mode
      app.post('/api/v1/app/token/refresh/', signed, (_req: Request, res: Response) => {
        const token = tokenField(res);
        if (token === undefined) return;
        const r = liveRefresh(token, res.locals.appCode as string, res);
        if (!r) return;
        ok(res, { access_token: mintAccess(r, r.payload), payload: r.payload });
      });

      app.patch('/api/v1/app/token/refresh/', signed, (_req: Request, res: Response) => {
        const f = res.locals.form as Record<string, unknown>;
        const token = tokenField(res);
        if (token === undefined) return;
        if (typeof f.payload !== 'string' || f.payload.length >= PAYLOAD_MAX_LENGTH) return send(res, 'form', 'payload');
        if (f.accessToken !== undefined && typeof f.accessToken !== 'boolean') return send(res, 'form', 'accessToken');
        const r = liveRefresh(token, res.locals.appCode as string, res);
        if (!r) return;
        // a new refresh token on the same store point, carrying the new payload
        const [refreshToken, next] = mintRefresh(r.uid, r.appCode, f.payload, r.exp, r.id);
        const data: Record<string, unknown> = { refreshToken };
        if (f.accessToken === true) data.accessToken = mintAccess(next, next.payload);
        ok(res, data);
      });

      app.delete('/api/v1/app/token/refresh/', signed, (_req: Request, res: Response) => {
        const token = tokenField(res);
        if (token === undefined) return;
        const r = liveRefresh(token, res.locals.appCode as string, res);
        if (!r) return;
        liveRefreshIds.delete(r.id);
        ok(res);
      });

      // RequireAccessToken: valid, unexpired, its refresh token still alive, same app
      const liveAccess = (res: Response): AccessEntry | undefined => {
        const token = tokenField(res);
        if (token === undefined) return undefined;
        const a = accessTokens.get(token);
        if (!a || a.exp <= now() || !liveRefreshIds.has(a.refreshId)) {
          send(res, 'tokenInvalid');
          return undefined;
        }
        if (a.appCode !== res.locals.appCode) {
          send(res, 'unauthorized');
          return undefined;
        }
        return a;
      };

      app.post('/api/v1/app/token/access/verify', signed, (_req: Request, res: Response) => {
        const a = liveAccess(res);
        if (a) ok(res, { uid: a.uid, payload: a.payload });
      });

      app.post('/api/v1/app/token/access/user/info', signed, (_req: Request, res: Response) => {
        const a = liveAccess(res);
        if (!a) return;
        const user = users.find((u) => u.id === a.uid);
        if (!user) return send(res, 'tokenInvalid');
        ok(res, { userID: user.id, name: user.name, groups: user.groups, avatarUrl: user.avatarUrl });
      });

      app.get('/api/v1/app/user/info', signed, (_req: Request, res: Response) => {
        const f = res.locals.form as Record<string, unknown>;
        const ids = typeof f.id === 'string' ? f.id.split(',').map((s) => s.trim()) : [];
        if (ids.length === 0 || ids.some((s) => !/^\d+$/.test(s))) return send(res, 'form', 'id');
        const found = users
          .filter((u) => ids.includes(String(u.id)))
          .map((u) => ({
            id: u.id,
            name: u.name,
            avatarUrl: u.avatarUrl,
            groups: u.groups.map((g) => ({ id: GROUP_IDS[g] ?? 0, name: g })),
          }));
        ok(res, found);
      });
    },
  });

  return Object.assign(emu, {
    apps,
    users,
    registerApp(a: NcuosApp) {
      apps.set(a.appCode, { ...a });
    },
    issueLoginToken(userId = users[0]?.id ?? 8, opts: { appCode?: string; ip?: string } = {}) {
      const t = clockRef ? clockRef.now() : Date.now();
      return mintLoginToken(userId, opts.appCode ?? apps.keys().next().value ?? DEFAULT_APP_CODE, opts.ip ?? '127.0.0.1', t);
    },
    failRemote(times = 1) {
      remoteFailures = times;
    },
    resetRateLimit() {
      hits.clear();
    },
  });
}
