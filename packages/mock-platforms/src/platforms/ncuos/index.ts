/**
 * Emulator of NCUOS GeniusAuth (南昌大学家园工作室), held to the server's code:
 * ncuhome/GeniusAuthoritarian (paths below are in that repository unless another is named).
 *
 * - Signed app API (internal/api/router/app/*.go, router/public/init.go, middlewares/app.go):
 *   POST /api/v1/public/login/verify, GET /api/v1/app/keypair/server, GET /api/v1/app/user/info,
 *   POST|PATCH|DELETE /api/v1/app/token/refresh/, POST /api/v1/app/token/access/verify,
 *   POST /api/v1/app/token/access/user/info, and the deprecated /api/v1/public/token/… and
 *   /api/v1/public/user/info aliases.
 * - The login page (the platform's SPA, reduced to a list of seeded users) and the public login API
 *   it calls (router/public/login/init.go, controllers/public/login/thirdPartyLogin.go): that is
 *   where codes 7 / 26 come from and where the 60-per-minute rate limit (code 19) applies.
 * - Envelopes `{ code, data }` / `{ code, msg }` (callback/callback.go), codes and statuses
 *   (callback/code.go), Ed25519 JWTs (pkg/jwt/jwt.go; see ./tokens.ts), gin's bindings (./gojson.ts).
 */
import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import express, { type NextFunction, type Request, type Response } from 'express';
import { escapeHtml, page, rawBody, startEmulator, type Clock, type Emulator } from '../../harness';
import {
  BindError,
  bindForm,
  bindJson,
  byteOrder,
  decodeFirstValue,
  GoObject,
  goSprint,
  parseGoQuery,
  type Bound,
  type GoField,
  type GoValue,
} from './gojson';
import { EMULATOR_CA_PEM, newJwtKeys, parseJwt, publicKeyPem, seconds, signJwt, type JwtKeys } from './tokens';

export { goSprint, decodeFirstValue, GoNumber, GoObject, type GoValue } from './gojson';

export const DEFAULT_PORT = 4103;
/** The demo app registered on the emulator out of the box. */
export const DEFAULT_APP_CODE = 'campus-passport-demo';
export const DEFAULT_APP_SECRET = 'ncuos-demo-secret-7f3a9c1e5b2d4086';
export const DEFAULT_CALLBACK_URL = 'http://localhost:3000/auth/ncuos/callback';

/** Login tokens live 5 minutes (jwt.go GenerateLoginToken); access tokens 5 minutes (GenerateAccessToken). */
export const LOGIN_TOKEN_TTL_MS = 5 * 60_000;
export const ACCESS_TOKEN_TTL_MS = 5 * 60_000;
/** `valid` (verify.go): binding min=0,max=2592000; in refresh_token mode 0 means 604800 and less is refused. */
export const MIN_VALID_SECONDS = 604_800;
export const MAX_VALID_SECONDS = 2_592_000;
/** `payload` (verify.go): binding max=32 — at most 32 characters (validator counts runes). */
export const PAYLOAD_MAX_LENGTH = 32;
/** middlewares/secure.go: RateLimit 60 per minute per client IP, on the login-page routes only. */
export const RATE_LIMIT_PER_MINUTE = 60;

export interface NcuosApp {
  appCode: string;
  appSecret: string;
  /** Where the login page sends the browser with `?token=` (the app's registered callback). */
  callbackURL: string;
  /** The app's display name (GET /api/v1/public/app/). Default: the appCode. */
  name?: string;
  /** dao.App PermitAllGroup: users without a group may log in (thirdPartyLogin.go checkUserPermission). */
  permitAllGroup?: boolean;
}

export interface NcuosSeedUser {
  id: number;
  name: string;
  avatarUrl: string;
  /** Group names (what the login records); the public user info answers `{ id, name }` objects. */
  groups: string[];
  /** A user the platform has no identity for: the login page refuses with code 26. */
  noIdentity?: boolean;
}

/** Seeded users: 8 and 9 are ordinary members; the login page refuses 10 (no group, code 7) and 11 (no identity, code 26). */
export const NCUOS_USERS: NcuosSeedUser[] = [
  { id: 8, name: '孙翔宇', avatarUrl: 'https://avatar.example.ncuos.test/8.png', groups: ['研发', '中心'] },
  { id: 9, name: '李晓燕', avatarUrl: 'https://avatar.example.ncuos.test/9.png', groups: ['设计'] },
  { id: 10, name: '王无组', avatarUrl: 'https://avatar.example.ncuos.test/10.png', groups: [] },
  { id: 11, name: '赵无身份', avatarUrl: 'https://avatar.example.ncuos.test/11.png', groups: ['运营'], noIdentity: true },
];

/** Group ids used by the public user-info answer. */
const GROUP_IDS: Record<string, number> = { 研发: 1, 中心: 2, 设计: 3, 运营: 4 };

/** The platform's codes: [code, HTTP status, message] (internal/api/callback/code.go). */
export const NCUOS_CODES = {
  form: [1, 400, '参数错误，请把输入截图发给前端同学'],
  appCodeNotFound: [3, 404, '没有找到授权码'],
  dbOperation: [4, 500, '数据库操作失败，请反馈后端同学修复'],
  remoteFailed: [5, 500, '远程调用异常，请稍候重试'],
  unauthorized: [6, 401, '身份校验失败，令牌失效或过期'],
  noGroup: [7, 403, '找不到身份组，请联系管理员处理'],
  unexpected: [8, 500, '发生预期外错误，请反馈后端同学'],
  signatureExpired: [9, 403, '请求已过期，请重试'],
  rateLimited: [19, 403, '操作频繁，请稍后重试'],
  /** Never raised on verify: verify.go's client-IP check is commented out (since 2024-12). */
  netContextChanged: [20, 403, '网络环境异常变更，请重新登录'],
  noIdentity: [26, 403, '没有找到角色，请尝试使用其他登录方式或联系管理员'],
  tokenInvalid: [31, 403, '身份令牌无效或已过期'],
} as const satisfies Record<string, readonly [number, number, string]>;
type CodeName = keyof typeof NCUOS_CODES;

export interface NcuosEmulatorOptions {
  port?: number;
  host?: string;
  clock?: Clock;
  /** Registered apps (default: the demo app). */
  apps?: NcuosApp[];
  users?: NcuosSeedUser[];
  /** Requests per minute per client IP on the login-page routes (default 60; 0 = no limit). */
  rateLimit?: number;
}

export interface NcuosEmulator extends Emulator {
  readonly apps: Map<string, NcuosApp>;
  readonly users: NcuosSeedUser[];
  /** The public key the emulator signs its JWTs with, as GET /api/v1/app/keypair/server's `jwt` decodes. */
  readonly jwtPublicKeyPem: string;
  /** Register (or replace) an app, e.g. one whose callback is a test server. */
  registerApp(app: NcuosApp): void;
  /**
   * What picking a user on the login page mints: a 5-minute single-use login token. Throws, as the
   * login page refuses, for a user without a group (code 7) or identity (code 26).
   */
  issueLoginToken(userId?: number, options?: { appCode?: string; ip?: string }): string;
  /** Emulator fault hook: the next `times` signed API calls answer code 5 (remote call failed, retry). */
  failRemote(times?: number): void;
  /** Forget the rate-limit counters. */
  resetRateLimit(): void;
}

/** The login record a login token points at (jwtClaims/redis.go LoginRedis). */
interface LoginEntry {
  uid: number;
  name: string;
  avatarUrl: string;
  groups: string[];
  appCode: string;
  ip: string;
  exp: number;
}

/** RequireAppSignature's header struct (middlewares/app.go). */
const HEADER_FIELDS: GoField[] = [
  { go: 'AppCode', json: 'appCode', form: 'appCode', kind: 'string' },
  { go: 'TimeStamp', json: 'timeStamp', form: 'timeStamp', kind: 'int64' },
  { go: 'Signature', json: 'signature', form: 'signature', kind: 'string' },
];
/** CompleteLogin's form (controllers/public/login/verify.go): json tags only. */
const VERIFY_FIELDS: GoField[] = [
  { go: 'Token', json: 'token', kind: 'string' },
  { go: 'ClientIp', json: 'clientIp', kind: 'string' },
  { go: 'GrantType', json: 'grantType', kind: 'string' },
  { go: 'Payload', json: 'payload', kind: 'string' },
  { go: 'Valid', json: 'valid', kind: 'int64' },
];
const TOKEN_FIELDS: GoField[] = [{ go: 'Token', json: 'token', form: 'token', kind: 'string' }];
const MODIFY_FIELDS: GoField[] = [
  ...TOKEN_FIELDS,
  { go: 'Payload', json: 'payload', form: 'payload', kind: 'string' },
  { go: 'AccessToken', json: 'accessToken', form: 'accessToken', kind: 'bool' },
];
const ID_FIELDS: GoField[] = [{ go: 'ID', json: 'id', form: 'id', kind: 'string' }];
const CODE_FIELDS: GoField[] = [{ go: 'Code', json: 'code', form: 'code', kind: 'string' }];
const APP_CODE_FIELDS: GoField[] = [{ go: 'AppCode', json: 'appCode', form: 'appCode', kind: 'string' }];
/** thirdPartyLogin.go: the `:app` route names. */
const LOGIN_APPS = ['feishu', 'dingTalk'];

function normalizeIp(ip: string | undefined): string {
  if (!ip) return '';
  return ip.startsWith('::ffff:') ? ip.slice(7) : ip;
}

/** gin's c.ClientIP() under gin.Default() (every proxy trusted): X-Forwarded-For, X-Real-IP, then the peer. */
function ginClientIp(req: Request): string {
  for (const name of ['x-forwarded-for', 'x-real-ip']) {
    const header = req.headers[name];
    if (typeof header !== 'string' || header === '') continue;
    const items = header.split(',').map((s) => s.trim());
    if (items.every((s) => isIP(s) !== 0)) return items[0];
  }
  return normalizeIp(req.socket.remoteAddress);
}

/** gin's c.ContentType(): the header up to the first space or `;`, case kept. */
function ginContentType(req: Request): string {
  const ct = req.headers['content-type'] ?? '';
  const cut = ct.search(/[ ;]/);
  return cut === -1 ? ct : ct.slice(0, cut);
}

function rawQueryOf(req: Request): string {
  const q = req.originalUrl.indexOf('?');
  return q === -1 ? '' : req.originalUrl.slice(q + 1);
}

/** Go's utf8.RuneCountInString, which the validator's max= uses on strings. */
const runes = (s: string) => [...s].length;

/** Start the NCUOS GeniusAuth emulator. */
export async function startNcuosEmulator(options: NcuosEmulatorOptions = {}): Promise<NcuosEmulator> {
  const apps = new Map<string, NcuosApp>();
  for (const a of options.apps ?? [
    { appCode: DEFAULT_APP_CODE, appSecret: DEFAULT_APP_SECRET, callbackURL: DEFAULT_CALLBACK_URL },
  ])
    apps.set(a.appCode, { ...a });
  const users = options.users ?? NCUOS_USERS;
  const rateLimit = options.rateLimit ?? RATE_LIMIT_PER_MINUTE;
  const keys: JwtKeys = newJwtKeys();
  /** Redis store points (db/redis/ThirdPartyLogin.go, RefreshToken.go): id → entry / expiry (epoch ms). */
  const loginStore = new Map<number, LoginEntry>();
  const refreshStore = new Map<number, number>();
  const hits = new Map<string, number[]>();
  let loginStoreSeq = 0;
  let loginRecordSeq = 0;
  let remoteFailures = 0;
  let clockRef: Clock | undefined = options.clock;
  /** The started emulator, for its recorded requests (the raw bodies). */
  const started: { emulator?: Emulator } = {};
  const now = () => (clockRef ? clockRef.now() : Date.now());

  type LoginCheck = { ok: true; user: NcuosSeedUser; app: NcuosApp } | { ok: false; code: CodeName };
  /** ThirdPartyLogin's checks, in its order (thirdPartyLogin.go). `userCode` stands for the Feishu/DingTalk code. */
  const loginPageCheck = (appCode: string, userCode: string): LoginCheck => {
    const app = apps.get(appCode);
    if (!app) return { ok: false, code: 'appCodeNotFound' }; // CheckAppCode → ErrAppCodeNotFound
    const user = users.find((u) => String(u.id) === userCode);
    if (!user) return { ok: false, code: 'remoteFailed' }; // loginFeishu: GetUser(code) failed → ErrRemoteOperationFailed
    if (user.noIdentity) return { ok: false, code: 'noIdentity' }; // FirstByPhone not found / GetForAppCode not found → ErrUserIdentity
    if (user.groups.length === 0 && !app.permitAllGroup) return { ok: false, code: 'noGroup' }; // checkUserPermission → ErrFindUnit
    return { ok: true, user, app };
  };

  /** GenerateLoginToken: a store point with the login record (5 min) and a JWT pointing at it. */
  const mintLoginToken = (user: NcuosSeedUser, appCode: string, ip: string): string => {
    const t = now();
    const id = ++loginStoreSeq;
    loginStore.set(id, {
      uid: user.id,
      name: user.name,
      avatarUrl: user.avatarUrl,
      groups: [...user.groups],
      appCode,
      ip: normalizeIp(ip),
      exp: t + LOGIN_TOKEN_TTL_MS,
    });
    const iat = seconds(t);
    return signJwt({ exp: seconds(t + LOGIN_TOKEN_TTL_MS), iat, type: 'Login', uid: user.id, oid: 1, id }, keys);
  };

  const mintRefresh = (uid: number, recordId: number, appCode: string, payload: string, validMs: number): string => {
    const t = now();
    refreshStore.set(recordId, t + validMs); // CreateStorePointWithID(loginRecordID, valid)
    return signJwt(
      {
        exp: seconds(t + validMs),
        iat: seconds(t),
        type: 'Refresh',
        uid,
        oid: 1,
        id: recordId,
        appCode,
        ...(payload ? { payload } : {}),
      },
      keys,
    );
  };

  const mintAccess = (recordId: number, uid: number, appCode: string, payload: string): string => {
    const t = now();
    return signJwt(
      {
        exp: seconds(t + ACCESS_TOKEN_TTL_MS),
        iat: seconds(t),
        type: 'Access',
        uid,
        oid: 1,
        id: recordId,
        appCode,
        ...(payload ? { payload } : {}),
      },
      keys,
    );
  };

  const emu = await startEmulator({
    name: 'ncuos',
    port: options.port,
    host: options.host,
    clock: options.clock,
    routes(app, ctx) {
      clockRef = ctx.clock;
      /** gin routes are case-sensitive and strict about the trailing slash. */
      const router = express.Router({ strict: true, caseSensitive: true });
      const table: Array<{ method: string; re: RegExp }> = [];
      const route = (method: 'get' | 'post' | 'patch' | 'delete', path: string, ...handlers: express.RequestHandler[]) => {
        table.push({
          method: method.toUpperCase(),
          re: new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:[A-Za-z]+/g, '[^/]+')}$`),
        });
        router[method](path, ...handlers);
      };

      /** c.JSON: encoding/json escapes <, >, & and U+2028/9. */
      const goJson = (res: Response, status: number, body: unknown) => {
        const text = JSON.stringify(body).replace(
          /[<>&\u2028\u2029]/g,
          (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
        );
        res.status(status).type('application/json; charset=utf-8').send(text);
      };
      /** callback.Error (msg as in code.go) / callback.ErrorWithTip (msg replaced by the tip). */
      const send = (res: Response, name: CodeName, tip?: string) => {
        const [code, status, msg] = NCUOS_CODES[name];
        goJson(res, status, { code, msg: tip ?? msg });
      };
      /** callback.Success / callback.Default: `msg` omitted, `data` omitted when nil. */
      const ok = (res: Response, data?: unknown) => goJson(res, 200, data === undefined ? { code: 0 } : { code: 0, data });

      /** The body exactly as received; needed for Go's number literals. */
      const rawBodyOf = (req: Request): string => rawBody(req);

      /** secure.go + Mmx233/secure v2.0.6: refused once `limit` requests were accepted within the last minute. */
      const rateLimited = (req: Request): boolean => {
        if (!rateLimit) return false;
        const ip = ginClientIp(req);
        const t = now();
        const recent = (hits.get(ip) ?? []).filter((at) => t - at < 60_000);
        if (recent.length >= rateLimit) {
          hits.set(ip, recent);
          return true;
        }
        recent.push(t);
        hits.set(ip, recent);
        return false;
      };
      const secure = (req: Request, res: Response, next: NextFunction) => (rateLimited(req) ? send(res, 'rateLimited') : next());

      // gin answers HEAD / OPTIONS on no route (GinWebServe serves GET only): 404 text
      app.use((req: Request, res: Response, next: NextFunction) => {
        if (req.method === 'HEAD' || req.method === 'OPTIONS')
          return void res.status(404).type('text/plain').send('404 page not found');
        next();
      });

      // ---- RequireAppSignature (middlewares/app.go)
      const signed = (req: Request, res: Response, next: NextFunction) => {
        let header: Bound;
        let form: Map<string, GoValue>;
        if (req.method !== 'GET' && req.method !== 'DELETE') {
          // the body is JSON whatever the Content-Type; the header fields bind from it, then the whole
          // object is decoded with UseNumber for signing
          let value: GoValue;
          try {
            value = decodeFirstValue(rawBodyOf(req));
            header = bindJson(value, HEADER_FIELDS);
          } catch {
            return send(res, 'form');
          }
          form = value instanceof GoObject ? value.toMap() : new Map();
          res.locals.body = value; // c.Set(gin.BodyBytesKey, …): reused by the handlers' JSON binding
        } else {
          // GET / DELETE: header and signed fields from the query string only; a body is never read
          const q = parseGoQuery(rawQueryOf(req));
          if (q.error) return send(res, 'form'); // req.ParseForm fails → binding error
          try {
            header = bindForm(q.values, HEADER_FIELDS);
          } catch {
            return send(res, 'form');
          }
          form = new Map([...q.values].map(([k, vs]) => [k, vs[0]] as const));
          res.locals.query = q.values;
        }
        const appCode = header.appCode as string;
        const ts = header.timeStamp as number;
        if (appCode === '' || ts === 0 || header.signature === '') return send(res, 'form'); // binding:"required"
        const sub = now() - ts * 1000;
        if (sub > 5 * 60_000 || sub < -10_000) return send(res, 'signatureExpired'); // allow 10 s ahead, 5 min behind
        const registered = apps.get(appCode);
        if (!registered) return send(res, 'appCodeNotFound');
        form.delete('signature');
        const strMap = new Map<string, string>();
        for (const [k, v] of form) strMap.set(k, goSprint(v));
        strMap.set('appSecret', registered.appSecret); // set last: a sent "appSecret" field is overwritten
        const base = [...strMap.keys()]
          .sort(byteOrder)
          .map((k) => `${k}=${strMap.get(k)}`)
          .join('&');
        if (createHash('sha256').update(base, 'utf8').digest('hex') !== header.signature) return send(res, 'unauthorized'); // "signature invalid" is only logged
        res.locals.appCode = appCode;
        if (remoteFailures > 0) {
          remoteFailures -= 1; // emulator fault hook, not a platform behaviour
          return send(res, 'remoteFailed');
        }
        next();
      };

      /** tools.ShouldBindReused: JSON from the signed body (any Content-Type), else the query (form tags). */
      const bindReused = (res: Response, fields: GoField[]): Bound | undefined => {
        try {
          return res.locals.body !== undefined
            ? bindJson(res.locals.body as GoValue, fields)
            : bindForm((res.locals.query as Map<string, string[]>) ?? new Map(), fields);
        } catch {
          send(res, 'form');
          return undefined;
        }
      };

      /** c.ShouldBind: the binding chosen by method and Content-Type (gin binding.Default). */
      const bindByContentType = (req: Request, res: Response, fields: GoField[]): Bound => {
        const ct = req.method === 'GET' ? '' : ginContentType(req); // GET always binds the form (the query)
        const body = res.locals.body as GoValue;
        if (ct === 'application/json') return bindJson(body, fields);
        if (ct === 'application/x-yaml' || ct === 'application/yaml') return bindJson(body, fields, 'yaml'); // JSON is YAML; yaml.v3 keys are lower-cased field names
        // XML, protobuf, TOML and multipart cannot decode the JSON body the signature required
        // (msgpack is not among them: Dockerfile.core builds with -tags nomsgpack, so it falls to Form)
        if (['application/xml', 'text/xml', 'application/x-protobuf', 'application/toml', 'multipart/form-data'].includes(ct))
          throw new BindError(`${ct} binding of a JSON body`);
        // binding.Form: req.ParseForm — an urlencoded body (Content-Type parsed case-insensitively), then the query
        const values = new Map<string, string[]>();
        const bodyForm =
          req.method !== 'GET' &&
          (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase() === 'application/x-www-form-urlencoded';
        const parts = [bodyForm ? parseGoQuery(rawBodyOf(req)) : undefined, parseGoQuery(rawQueryOf(req))];
        for (const p of parts) {
          if (!p) continue;
          if (p.error) throw new BindError(p.error);
          for (const [k, vs] of p.values) values.set(k, [...(values.get(k) ?? []), ...vs]);
        }
        return bindForm(values, fields);
      };

      /** RequireAccessToken (middlewares/app.go). */
      const accessClaims = (res: Response): Record<string, unknown> | undefined => {
        const f = bindReused(res, TOKEN_FIELDS);
        if (!f) return undefined;
        if (f.token === '') return void send(res, 'form');
        const c = parseJwt(f.token as string, 'Access', keys, now());
        // ParseAccessToken also needs the refresh record's store point
        if (!c || !((refreshStore.get(c.id as number) ?? 0) > now())) return void send(res, 'tokenInvalid');
        if (c.appCode !== res.locals.appCode) return void send(res, 'unauthorized');
        return c;
      };

      /** ParseRefreshToken: a valid Refresh JWT whose store point still exists. */
      const refreshClaims = (token: string): Record<string, unknown> | undefined => {
        const c = parseJwt(token, 'Refresh', keys, now());
        return c && (refreshStore.get(c.id as number) ?? 0) > now() ? c : undefined;
      };

      // ---- the login page: the platform's SPA reduced to a list of seeded users (emulator-specific
      // pages; each stands for the SPA's calls to the rate-limited public login API below)
      const errorPage = (res: Response, name: CodeName) => {
        const [code, status, msg] = NCUOS_CODES[name];
        res
          .status(status)
          .type('html')
          .send(page('GeniusAuth 统一登录', `<p class="error" data-code="${code}">${escapeHtml(msg)} (code ${code})</p>`));
      };

      // stands for the SPA's GET /api/v1/public/app/?appCode= (rate limited, code 3 for an unknown app)
      router.get('/', (req: Request, res: Response) => {
        if (rateLimited(req)) return errorPage(res, 'rateLimited');
        const appCode = typeof req.query.appCode === 'string' ? req.query.appCode : '';
        if (!apps.get(appCode)) return errorPage(res, 'appCodeNotFound');
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

      // stands for the SPA's POST /api/v1/public/login/:app/:appCode and its navigation to `callback`:
      // refused users (7, 26) see the error on the login page and never reach the app
      router.get('/login/authorize', (req: Request, res: Response) => {
        if (rateLimited(req)) return errorPage(res, 'rateLimited');
        const appCode = typeof req.query.appCode === 'string' ? req.query.appCode : '';
        const userCode = typeof req.query.user === 'string' ? req.query.user : '';
        const check = loginPageCheck(appCode, userCode);
        if (!check.ok) return errorPage(res, check.code);
        const target = new URL(check.app.callbackURL);
        target.searchParams.set('token', mintLoginToken(check.user, appCode, ginClientIp(req))); // tools.GenCallback
        res.redirect(302, target.toString());
      });

      // ---- the public login API (router/public/login/init.go, router/public/app.go), behind Secure()
      // GET /api/v1/public/app/ (controllers/public/app/data.go AppInfo)
      route('get', '/api/v1/public/app/', secure, (req: Request, res: Response) => {
        let f: Bound;
        try {
          f = bindByContentType(req, res, APP_CODE_FIELDS);
        } catch {
          return send(res, 'form');
        }
        if (f.appCode === '') return ok(res, { name: 'GeniusAuth', host: req.headers.host ?? '' }); // global.ThisAppName: unconfirmed value
        const a = apps.get(f.appCode as string);
        if (!a) return send(res, 'appCodeNotFound');
        ok(res, { name: a.name ?? a.appCode, host: new URL(a.callbackURL).host });
      });

      // GET /api/v1/public/login/:app/link/:appCode (GetLoginLink): app check, then the :app name
      const linkTo = (req: Request, res: Response, appCode: string) => {
        if (!LOGIN_APPS.includes(req.params.app as string)) return send(res, 'form');
        // the real link is Feishu's / DingTalk's OAuth page; the emulator's is its own login page
        ok(res, { url: `${ctx.url}/?appCode=${encodeURIComponent(appCode)}` });
      };
      route('get', '/api/v1/public/login/:app/link/', secure, (req: Request, res: Response) => linkTo(req, res, ''));
      route('get', '/api/v1/public/login/:app/link/:appCode', secure, (req: Request, res: Response) => {
        const appCode = req.params.appCode as string;
        if (!apps.has(appCode)) return send(res, 'appCodeNotFound');
        linkTo(req, res, appCode);
      });

      // POST /api/v1/public/login/:app/:appCode (ThirdPartyLogin): the emulator takes a seeded user id as `code`
      route('post', '/api/v1/public/login/:app/:appCode', secure, (req: Request, res: Response) => {
        let f: Bound;
        try {
          res.locals.body = decodeFirstValue(rawBodyOf(req)); // c.ShouldBind: JSON only under application/json
        } catch {
          res.locals.body = null;
        }
        try {
          f = bindByContentType(req, res, CODE_FIELDS);
        } catch {
          return send(res, 'form');
        }
        if (f.code === '') return send(res, 'form');
        const appCode = req.params.appCode as string;
        if (!apps.has(appCode)) return send(res, 'appCodeNotFound');
        if (!LOGIN_APPS.includes(req.params.app as string)) return send(res, 'form'); // loadUserIdentity default
        const check = loginPageCheck(appCode, f.code as string);
        if (!check.ok) return send(res, check.code);
        const token = mintLoginToken(check.user, appCode, ginClientIp(req));
        const callback = new URL(check.app.callbackURL);
        callback.searchParams.set('token', token);
        ok(res, { token, mfa: false, callback: callback.toString() }); // response.ThirdPartyLogin (no MFA users seeded)
      });

      // POST /api/v1/public/login/:app/ (ThirdPartySelfLogin, the dashboard's own login): not emulated beyond
      // its form and app checks — unconfirmed for feishu/dingTalk, answered code 1
      route('post', '/api/v1/public/login/:app/', secure, (_req: Request, res: Response) => send(res, 'form'));

      // ---- POST /api/v1/public/login/verify (verify.go CompleteLogin): signed, not rate limited
      route('post', '/api/v1/public/login/verify', signed, (req: Request, res: Response) => {
        let f: Bound;
        try {
          f = bindByContentType(req, res, VERIFY_FIELDS);
        } catch {
          return send(res, 'form');
        }
        const grantType = f.grantType as string;
        const payload = f.payload as string;
        let valid = f.valid as number;
        if (
          f.token === '' || // binding:"required"
          !['', 'refresh_token', 'once'].includes(grantType) || // eq=|eq=refresh_token|eq=once
          runes(payload) > PAYLOAD_MAX_LENGTH || // max=32
          valid < 0 ||
          valid > MAX_VALID_SECONDS // min=0,max=2592000
        )
          return send(res, 'form');
        // clientIp is bound but never checked: the strict client-IP check is commented out (since 2024-12)
        const refreshMode = grantType === 'refresh_token';
        if (refreshMode) {
          if (valid === 0) valid = MIN_VALID_SECONDS;
          else if (valid < MIN_VALID_SECONDS) return send(res, 'form', 'valid time too short, min 604800 seconds (7 days)');
        }
        // doVerifyToken → jwt.ParseLoginToken: a used (store point destroyed on first read), expired or
        // unknown login token is ErrUnauthorized — code 6, HTTP 401, like a bad signature
        const claims = parseJwt(f.token as string, 'Login', keys, now());
        const entry = claims ? loginStore.get(claims.id as number) : undefined;
        if (claims) loginStore.delete(claims.id as number); // GetAndDestroy
        if (!entry || entry.exp <= now()) return send(res, 'unauthorized');
        // no check that the login token was issued for the calling app: verify.go has none
        const recordId = ++loginRecordSeq; // LoginRecordSrv.Add
        let refreshToken = '';
        let accessToken = '';
        if (refreshMode) {
          const appCode = res.locals.appCode as string; // tools.GetAppCode: the signing app
          refreshToken = mintRefresh(entry.uid, recordId, appCode, payload, valid * 1000);
          accessToken = mintAccess(recordId, entry.uid, appCode, payload);
        }
        // response.VerifyTokenSuccess: refreshToken / accessToken have no omitempty ("" in once mode)
        ok(res, {
          userID: entry.uid,
          name: entry.name,
          groups: entry.groups,
          avatarUrl: entry.avatarUrl,
          refreshToken,
          accessToken,
        });
      });

      // ---- the signed app API (router/app/init.go; the deprecated /public aliases in router/public/init.go)
      for (const prefix of ['/api/v1/app', '/api/v1/public']) {
        // POST refresh/ (controllers/app/token.go RefreshToken)
        route('post', `${prefix}/token/refresh/`, signed, (_req: Request, res: Response) => {
          const f = bindReused(res, TOKEN_FIELDS);
          if (!f) return;
          if (f.token === '') return send(res, 'form');
          const c = refreshClaims(f.token as string);
          if (!c) return send(res, 'tokenInvalid');
          if (c.appCode !== res.locals.appCode) return send(res, 'unauthorized');
          const payload = typeof c.payload === 'string' ? c.payload : '';
          // response.RefreshToken: snake_case access_token, payload omitempty
          ok(res, {
            access_token: mintAccess(c.id as number, c.uid as number, c.appCode as string, payload),
            ...(payload ? { payload } : {}),
          });
        });

        // PATCH refresh/ (ModifyRefreshPayload): payload required (no length rule), no app check
        route('patch', `${prefix}/token/refresh/`, signed, (_req: Request, res: Response) => {
          const f = bindReused(res, MODIFY_FIELDS);
          if (!f) return;
          if (f.token === '' || f.payload === '') return send(res, 'form');
          const c = refreshClaims(f.token as string);
          if (!c) return send(res, 'tokenInvalid');
          const expMs = (c.exp as number) * 1000;
          const refreshToken = mintRefresh(
            c.uid as number,
            c.id as number,
            c.appCode as string,
            f.payload as string,
            expMs - now(),
          );
          // response.ModifyPayload: accessToken omitempty
          ok(res, {
            refreshToken,
            ...(f.accessToken === true
              ? { accessToken: mintAccess(c.id as number, c.uid as number, c.appCode as string, f.payload as string) }
              : {}),
          });
        });

        // DELETE refresh/ (DestroyRefreshToken): token from the query, no app check; answers callback.Default
        route('delete', `${prefix}/token/refresh/`, signed, (_req: Request, res: Response) => {
          const f = bindReused(res, TOKEN_FIELDS);
          if (!f) return;
          if (f.token === '') return send(res, 'form');
          const c = refreshClaims(f.token as string);
          if (!c) return send(res, 'tokenInvalid');
          refreshStore.delete(c.id as number);
          ok(res);
        });

        // POST access/verify (VerifyAccessToken): response.VerifyAccessToken, payload omitempty
        route('post', `${prefix}/token/access/verify`, signed, (_req: Request, res: Response) => {
          const c = accessClaims(res);
          if (!c) return;
          ok(res, { uid: c.uid, ...(typeof c.payload === 'string' && c.payload ? { payload: c.payload } : {}) });
        });

        // POST access/user/info (GetUserInfo)
        route('post', `${prefix}/token/access/user/info`, signed, (_req: Request, res: Response) => {
          const c = accessClaims(res);
          if (!c) return;
          const user = users.find((u) => u.id === c.uid);
          if (!user) return send(res, 'dbOperation'); // UserInfoByID fails
          // groups from GetNamesForUser: unconfirmed whether a user without groups gets [] or null
          ok(res, { userID: user.id, name: user.name, groups: user.groups, avatarUrl: user.avatarUrl });
        });

        // GET user/info?id=1,2 (controllers/app/user.go GetUserPublicInfo; dao User.GetUserInfoPubByIds)
        route('get', `${prefix}/user/info`, signed, (_req: Request, res: Response) => {
          const f = bindReused(res, ID_FIELDS);
          if (!f) return;
          if (f.id === '') return send(res, 'form');
          const ids: number[] = [];
          for (const s of (f.id as string).split(',')) {
            if (!/^[0-9]+$/.test(s) || BigInt(s) > 2n ** 64n - 1n) return send(res, 'form'); // strconv.ParseUint(str, 10, 64)
            ids.push(Number(s));
          }
          // WHERE id IN ? ORDER BY FIELD(id, ?): request order, each user once, unknown ids left out
          const found = [...new Set(ids)]
            .map((id) => users.find((u) => u.id === id && !u.noIdentity)) // seed: a user without identity has no users row
            .filter((u): u is NcuosSeedUser => u !== undefined);
          // service User.GetUserInfoPublic: users after the last one with groups keep a nil slice (null)
          const lastWithGroups = found.map((u) => u.groups.length > 0).lastIndexOf(true);
          ok(
            res,
            found.map((u, i) => ({
              id: u.id,
              name: u.name,
              avatarUrl: u.avatarUrl,
              groups: i > lastWithGroups ? null : u.groups.map((g) => ({ id: GROUP_IDS[g] ?? 0, name: g })),
            })),
          );
        });
      }

      // GET keypair/server (controllers/app/keypair.go ServerPublicKeys): []byte fields, so base64 in JSON
      route('get', '/api/v1/app/keypair/server', signed, (_req: Request, res: Response) => {
        ok(res, {
          jwt: Buffer.from(publicKeyPem(keys)).toString('base64'),
          ca: Buffer.from(EMULATOR_CA_PEM).toString('base64'),
        });
      });
      // POST keypair/rpc (RpcClientCredential) issues a gRPC client certificate: not emulated (code 8)
      route('post', '/api/v1/app/keypair/rpc', signed, (_req: Request, res: Response) => send(res, 'unexpected'));

      app.use(router);

      // ---- no route (gin.Default + GinWebServe): trailing-slash redirect, else the SPA for GET, else 404 text
      app.use((req: Request, res: Response) => {
        const p = req.path;
        const alt = p.length > 1 && p.endsWith('/') ? p.slice(0, -1) : `${p}/`;
        if (table.some((r) => r.method === req.method && r.re.test(alt))) {
          // RedirectTrailingSlash: 301 for GET, 307 otherwise, the query kept
          const q = rawQueryOf(req);
          res.redirect(req.method === 'GET' ? 301 : 307, q ? `${alt}?${q}` : alt);
          return;
        }
        if (req.method === 'GET')
          return void res
            .status(200)
            .type('text/html')
            .send(page('GeniusAuth 统一登录', '<p>GeniusAuth (emulator): the single-page app shell.</p>')); // GinWebServe: index.html
        res.status(404).type('text/plain').send('404 page not found');
      });
    },
  });
  started.emulator = emu;

  return Object.assign(emu, {
    apps,
    users,
    jwtPublicKeyPem: publicKeyPem(keys),
    registerApp(a: NcuosApp) {
      apps.set(a.appCode, { ...a });
    },
    issueLoginToken(userId = users[0]?.id ?? 8, opts: { appCode?: string; ip?: string } = {}) {
      const appCode = opts.appCode ?? apps.keys().next().value ?? DEFAULT_APP_CODE;
      const check = loginPageCheck(appCode, String(userId));
      if (!check.ok) {
        const [code, , msg] = NCUOS_CODES[check.code];
        throw new Error(`ncuos emulator: the login page refuses user ${userId} for ${appCode} (code ${code} ${msg})`);
      }
      return mintLoginToken(check.user, appCode, opts.ip ?? '127.0.0.1');
    },
    failRemote(times = 1) {
      remoteFailures = times;
    },
    resetRateLimit() {
      hits.clear();
    },
  });
}
