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
 *   (callback/code.go, ./data.ts), Ed25519 JWTs (pkg/jwt/jwt.go; ./tokens.ts), gin's bindings
 *   (./gojson.ts) and router (./gin.ts).
 */
import { createHash } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { startEmulator, type Clock, type Emulator } from '../../harness';
import { CredentialStore, page, rawBody } from '../../kit';
import { ok, send } from './callback';
import {
  DEFAULT_APP_CODE,
  DEFAULT_APP_SECRET,
  DEFAULT_CALLBACK_URL,
  GROUP_IDS,
  HEADER_FIELDS,
  ID_FIELDS,
  LOGIN_TOKEN_TTL_MS,
  ACCESS_TOKEN_TTL_MS,
  MAX_VALID_SECONDS,
  MIN_VALID_SECONDS,
  MODIFY_FIELDS,
  NCUOS_CODES,
  NCUOS_USERS,
  PAYLOAD_MAX_LENGTH,
  RATE_LIMIT_PER_MINUTE,
  TOKEN_FIELDS,
  VERIFY_FIELDS,
  type NcuosApp,
  type NcuosSeedUser,
} from './data';
import { ginEngine, normalizeIp, rawQueryOf, shouldBind, shouldBindReused } from './gin';
import { loginSide } from './login';
import {
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
import { EMULATOR_CA_PEM, newJwtKeys, parseJwt, publicKeyPem, seconds, signJwt, type TokenType } from './tokens';

export { goSprint, decodeFirstValue, GoNumber, GoObject, type GoValue } from './gojson';
export {
  DEFAULT_PORT,
  DEFAULT_APP_CODE,
  DEFAULT_APP_SECRET,
  DEFAULT_CALLBACK_URL,
  LOGIN_TOKEN_TTL_MS,
  ACCESS_TOKEN_TTL_MS,
  MIN_VALID_SECONDS,
  MAX_VALID_SECONDS,
  PAYLOAD_MAX_LENGTH,
  RATE_LIMIT_PER_MINUTE,
  NCUOS_USERS,
  NCUOS_CODES,
  type NcuosApp,
  type NcuosSeedUser,
} from './data';

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
  /** The public key the emulator signs its JWTs with, as GET /api/v1/app/keypair/server's `jwt` decodes (the current one). */
  readonly jwtPublicKeyPem: string;
  /**
   * Test hook (unconfirmed: the server loads one key pair at start, internal/global/keypair.go, and
   * has no rotation API): replace the JWT key pair, as a restart with new key files would. Tokens
   * signed before stop verifying here, and the keypair route serves the new public key.
   */
  rotateKey(): void;
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
}

/** What RequireAppSignature leaves for the handler (c.Set): the signing app and what it decoded. */
interface Signed {
  appCode: string;
  /** POST / PATCH: the JSON body (gin.BodyBytesKey, reused by the handlers' JSON binding). */
  body?: GoValue;
  /** GET / DELETE: the query's values. */
  query?: Map<string, string[]>;
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
  /** The server's JWT key pair (global.JwtEd25519, internal/global/keypair.go); replaced by rotateKey(). */
  let keys = newJwtKeys();
  let clockRef: Clock | undefined = options.clock;
  const now = () => (clockRef ? clockRef.now() : Date.now());
  /** Redis store points (db/redis/ThirdPartyLogin.go, RefreshToken.go), keyed by the id a JWT carries. */
  const loginStore = new CredentialStore<LoginEntry>(now, LOGIN_TOKEN_TTL_MS);
  const refreshStore = new CredentialStore<true>(now, MIN_VALID_SECONDS * 1000);
  let loginStoreSeq = 0;
  let loginRecordSeq = 0;
  let remoteFailures = 0;

  /** jwt.go GenerateToken: the claims in jwtClaims' struct order, NumericDate in whole seconds. */
  const mintJwt = (type: TokenType, uid: number, id: number, ttlMs: number, app?: { appCode: string; payload: string }) => {
    const t = now();
    const appClaims = app ? { appCode: app.appCode, ...(app.payload ? { payload: app.payload } : {}) } : {};
    return signJwt({ exp: seconds(t + ttlMs), iat: seconds(t), type, uid, oid: 1, id, ...appClaims }, keys);
  };

  /** GenerateLoginToken: a store point with the login record (5 min) and a JWT pointing at it. */
  const mintLoginToken = (user: NcuosSeedUser, appCode: string, ip: string): string => {
    const id = ++loginStoreSeq;
    const { id: uid, name, avatarUrl, groups } = user;
    loginStore.mint({ uid, name, avatarUrl, groups: [...groups], appCode, ip: normalizeIp(ip) }, { credential: String(id) });
    return mintJwt('Login', uid, id, LOGIN_TOKEN_TTL_MS);
  };

  /** The login page and the public login API (./login.ts): where a user gets a login token. */
  const login = loginSide({ apps, users, rateLimit, now, mintLoginToken });

  /** GenerateRefreshToken: CreateStorePointWithID(loginRecordID, valid), then the JWT. */
  const mintRefresh = (uid: number, recordId: number, appCode: string, payload: string, validMs: number): string => {
    refreshStore.mint(true, { credential: String(recordId), ttl: validMs });
    return mintJwt('Refresh', uid, recordId, validMs, { appCode, payload });
  };

  /** GenerateAccessToken: 5 minutes, pointing at the refresh record. */
  const mintAccess = (recordId: number, uid: number, appCode: string, payload: string): string =>
    mintJwt('Access', uid, recordId, ACCESS_TOKEN_TTL_MS, { appCode, payload });

  /** The refresh record's store point still exists (ParseRefreshToken / ParseAccessToken check it). */
  const recordAlive = (id: unknown) => refreshStore.peek(String(id)) === true;

  const emu = await startEmulator({
    name: 'ncuos',
    port: options.port,
    host: options.host,
    clock: options.clock,
    routes(app, ctx) {
      clockRef = ctx.clock;

      // ---- RequireAppSignature (middlewares/app.go)
      const signed = (req: Request, res: Response, next: NextFunction) => {
        let header: Bound;
        let form: Map<string, GoValue>;
        const s: Partial<Signed> = {};
        if (req.method !== 'GET' && req.method !== 'DELETE') {
          // the body is JSON whatever the Content-Type; the header fields bind from it, then the whole
          // object is decoded with UseNumber for signing
          let value: GoValue;
          try {
            value = decodeFirstValue(rawBody(req)); // the body exactly as received: Go's number literals are signed as written
            header = bindJson(value, HEADER_FIELDS);
          } catch {
            return send(res, 'form');
          }
          form = value instanceof GoObject ? value.toMap() : new Map();
          s.body = value; // c.Set(gin.BodyBytesKey, …): reused by the handlers' JSON binding
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
          s.query = q.values;
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
        res.locals.signed = { ...s, appCode } satisfies Signed;
        if (remoteFailures > 0) {
          remoteFailures -= 1; // emulator fault hook, not a platform behaviour
          return send(res, 'remoteFailed');
        }
        next();
      };
      const signedOf = (res: Response) => res.locals.signed as Signed;

      /** tools.ShouldBindReused on the signed request; a binding error answers code 1. */
      const bindReused = (res: Response, fields: GoField[]): Bound | undefined => {
        try {
          return shouldBindReused(signedOf(res), fields);
        } catch {
          send(res, 'form');
          return undefined;
        }
      };

      type Claims = Record<string, unknown>;
      /**
       * A token route's start: the form bound (ShouldBindReused), its `binding:"required"` fields
       * (code 1), then the token's claims — ParseRefreshToken / ParseAccessToken: a valid JWT of
       * `type` whose refresh record's store point still exists (code 31 otherwise).
       */
      const tokenRequest = (res: Response, type: 'Refresh' | 'Access', fields = TOKEN_FIELDS, required = ['token']) => {
        const f = bindReused(res, fields);
        if (!f) return undefined;
        if (required.some((k) => f[k] === '')) return void send(res, 'form');
        const c = parseJwt(f.token as string, type, keys, now());
        if (!c || !recordAlive(c.id)) return void send(res, 'tokenInvalid');
        return { f, c };
      };

      /** RequireAccessToken (middlewares/app.go): and the token must be the calling app's. */
      const accessClaims = (res: Response): Claims | undefined => {
        const c = tokenRequest(res, 'Access')?.c;
        if (c && c.appCode !== signedOf(res).appCode) return void send(res, 'unauthorized');
        return c;
      };

      const spa = page('GeniusAuth 统一登录', '<p>GeniusAuth 单页应用的外壳（模拟器没有实现前端页面）。</p>');
      ginEngine(app, spa, (routes) => {
        const { route } = routes;
        login.mount(routes, ctx);

        // ---- POST /api/v1/public/login/verify (verify.go CompleteLogin): signed, not rate limited
        route('post', '/api/v1/public/login/verify', signed, (req: Request, res: Response) => {
          let f: Bound;
          try {
            f = shouldBind(req, signedOf(res).body ?? null, VERIFY_FIELDS);
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
          const point = claims ? String(claims.id) : undefined;
          const entry = loginStore.take(point);
          if (point) loginStore.delete(point); // GetAndDestroy (an expired point too)
          if (entry === undefined || entry === 'expired') return send(res, 'unauthorized');
          // no check that the login token was issued for the calling app: verify.go has none
          const recordId = ++loginRecordSeq; // LoginRecordSrv.Add
          let refreshToken = '';
          let accessToken = '';
          if (refreshMode) {
            const appCode = signedOf(res).appCode; // tools.GetAppCode: the signing app
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
            const c = tokenRequest(res, 'Refresh')?.c;
            if (!c) return;
            if (c.appCode !== signedOf(res).appCode) return send(res, 'unauthorized');
            const payload = typeof c.payload === 'string' ? c.payload : '';
            // response.RefreshToken: snake_case access_token, payload omitempty
            ok(res, {
              access_token: mintAccess(c.id as number, c.uid as number, c.appCode as string, payload),
              ...(payload ? { payload } : {}),
            });
          });

          // PATCH refresh/ (ModifyRefreshPayload): payload required (no length rule), no app check
          route('patch', `${prefix}/token/refresh/`, signed, (_req: Request, res: Response) => {
            const req = tokenRequest(res, 'Refresh', MODIFY_FIELDS, ['token', 'payload']);
            if (!req) return;
            const { f, c } = req;
            const [uid, id, appCode, payload] = [c.uid as number, c.id as number, c.appCode as string, f.payload as string];
            const refreshToken = mintRefresh(uid, id, appCode, payload, (c.exp as number) * 1000 - now());
            // response.ModifyPayload: accessToken omitempty
            ok(res, { refreshToken, ...(f.accessToken === true ? { accessToken: mintAccess(id, uid, appCode, payload) } : {}) });
          });

          // DELETE refresh/ (DestroyRefreshToken): token from the query, no app check; answers callback.Default
          route('delete', `${prefix}/token/refresh/`, signed, (_req: Request, res: Response) => {
            const c = tokenRequest(res, 'Refresh')?.c;
            if (!c) return;
            refreshStore.delete(String(c.id));
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
      });
    },
  });

  const ncuos = Object.assign(emu, {
    apps,
    users,
    rotateKey() {
      keys = newJwtKeys(); // unconfirmed test hook (see NcuosEmulator.rotateKey)
    },
    registerApp(a: NcuosApp) {
      apps.set(a.appCode, { ...a });
    },
    issueLoginToken(userId = users[0]?.id ?? 8, opts: { appCode?: string; ip?: string } = {}) {
      const appCode = opts.appCode ?? apps.keys().next().value ?? DEFAULT_APP_CODE;
      const check = login.check(appCode, String(userId));
      if (!check.ok) {
        const [code, , msg] = NCUOS_CODES[check.code];
        throw new Error(`ncuos emulator: the login page refuses user ${userId} for ${appCode} (code ${code} ${msg})`);
      }
      return mintLoginToken(check.user, appCode, opts.ip ?? '127.0.0.1');
    },
    failRemote(times = 1) {
      remoteFailures = times;
    },
    resetRateLimit: login.resetRateLimit,
  });
  // a getter, so that it follows rotateKey()
  return Object.defineProperty(ncuos, 'jwtPublicKeyPem', { get: () => publicKeyPem(keys), enumerable: true }) as NcuosEmulator;
}
