/**
 * The HDU Helper (杭电助手) emulator: classic OAuth (the seed's /oauth/* and data endpoints) and the
 * "neo" OAuth (/hduhelp-neo/open-apis/authen/*, PKCE), the serverVerify jump, a login page
 * listing the seeded users, single-use codes bound to the client that expire after 5 minutes,
 * and expiring access tokens — all on the emulator's clock. neo also serves the tenant and app
 * access tokens (/hduhelp-neo/open-apis/auth/*-access-token/internal) and two service APIs
 * (academic/person/info with a tenant/app token + X-Staff-Id or a user token;
 * academic/student-history/major-info with a user token only), with `stats()` counters.
 *
 * Sources, named again on each behaviour:
 * - neo: hduhelp/hduhelp-neo-sdk-go `openapi.yaml` (the contract: paths, methods, request
 *   encodings, fields, response schemas), `core/userauth.go`, `core/token.go`, `core/response.go`,
 *   `core/userauth_test.go`, `README.md`. openapi.yaml documents only the HTTP 200 answers and
 *   marks no field `required`; every error answer below (HTTP status, `code` value) is the
 *   emulator's choice in the `{code, msg}` envelope every answer carries — *unconfirmed*.
 * - classic: seed `shared/seeds/hduhelp-oauth.md` and hduhelp/open-docs
 *   (`docs/develop/get-access-token.md`, `docs/develop/teaching/person-info.md`,
 *   `docs/develop/deprecated.md`). No classic server code is public: lenient, and *unconfirmed*
 *   wherever those documents are silent.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Express, Request, Response } from 'express';
import { createClock, startEmulator, type Clock, type Emulator } from '../../harness';
import { CredentialStore, escapeHtml, isLocalRedirect, loginPage, page, param, withQuery } from '../../kit';
import {
  HDUHELP_CLIENT_ID,
  HDUHELP_CLIENT_SECRET,
  HDUHELP_ERRORS,
  HDUHELP_NEO_APP_ID,
  HDUHELP_NEO_APP_SECRET,
  HDUHELP_NEO_ERRORS,
  HDUHELP_USERS,
  PERSON_INFO_STAFF_TYPE,
  STAFF_TYPE_TEXT,
  type HduHelpClientRegistration,
  type HduHelpUser,
} from './data';

export {
  DEFAULT_PORT,
  HDUHELP_CLIENT_ID,
  HDUHELP_CLIENT_SECRET,
  HDUHELP_ERRORS,
  HDUHELP_NEO_APP_ID,
  HDUHELP_NEO_APP_SECRET,
  HDUHELP_NEO_ERRORS,
  HDUHELP_USERS,
  type HduHelpClientRegistration,
  type HduHelpUser,
} from './data';

export interface HduHelpEmulatorOptions {
  port?: number;
  host?: string;
  clock?: Clock;
  /** App registrations (default: the demo classic client and the demo neo app). */
  clients?: HduHelpClientRegistration[];
  /** Neo: refuse an authorize without a PKCE challenge. Default false. */
  requirePkce?: boolean;
  /** Lifetimes, ms. */
  codeTtl?: number;
  accessTokenTtl?: number;
  refreshTokenTtl?: number;
  /** neo tenant_access_token lifetime, ms (default 7200 s). */
  tenantTokenTtl?: number;
  /** neo app_access_token lifetime, ms (default 7200 s). */
  appTokenTtl?: number;
}

export interface IssueCodeOptions {
  userId?: string;
  clientId?: string;
  redirectUri?: string;
  state?: string;
  codeChallenge?: string;
  /** Default 'S256' when there is a `codeChallenge`. */
  codeChallengeMethod?: 'S256' | 'plain';
  scope?: string;
}

export interface HduHelpEmulator extends Emulator {
  readonly users: readonly HduHelpUser[];
  /** Issue a code directly (as if the user approved). Defaults: first user, demo classic client. */
  issueCode(options?: IssueCodeOptions): string;
  /** The URL of the serverVerify jump page (app.hduhelp.com signed-in case) for a client. */
  serverVerifyURL(clientId?: string, userId?: string): string;
  /** Set the default redirect URI of a registered client (serverVerify jumps there). */
  setDefaultRedirect(clientId: string, uri: string): void;
  /** Whether a token (user access or refresh, tenant or app access) is currently accepted. */
  isTokenActive(token: string): boolean;
  /** Counters of the neo token calls that succeeded (for tests and the bench). */
  stats(): HduHelpNeoStats;
  /** The X-Request-Id of the latest neo answer. */
  readonly lastRequestId: string | undefined;
}

/** What the neo emulator counted since it started. */
export interface HduHelpNeoStats {
  /** Codes exchanged at …/authen/access-token. */
  userTokenExchanges: number;
  /** Refresh tokens rotated at …/authen/refresh-access-token. */
  userTokenRefreshes: number;
  /** Tokens minted at …/auth/tenant-access-token/internal. */
  tenantTokenFetches: number;
  /** Tokens minted at …/auth/app-access-token/internal. */
  appTokenFetches: number;
  /** Successful revoke calls. */
  revocations: number;
  /** Service-API calls answered with code 0. */
  apiSuccesses: number;
}

type Api = 'classic' | 'neo';

interface CodeData {
  api: Api;
  clientId: string;
  redirectUri: string;
  userId: string;
  state?: string;
  codeChallenge?: string;
  codeChallengeMethod?: 'S256' | 'plain';
  scope: string;
}

interface TokenData {
  api: Api;
  clientId: string;
  userId: string;
  scope: string;
  /** Epoch ms (the validate answer repeats it). */
  exp: number;
  /** A refresh token: the access token issued with it (revoked together). */
  pair?: string;
}

/** A tenant_access_token or app_access_token: bound to {app_id, tenant_key} only (openapi.yaml). */
interface AppLevelTokenData {
  kind: 'tenant' | 'app';
  clientId: string;
  tenantKey: string;
}

const NEO_ROOT = '/hduhelp-neo';
const NEO_PREFIX = `${NEO_ROOT}/open-apis/authen`;
// openapi.yaml /hduhelp-neo/open-apis/auth/{tenant,app}-access-token/internal; core/token.go
// pathTenantToken, pathAppToken
const NEO_APP_PATHS = {
  tenantToken: `${NEO_ROOT}/open-apis/auth/tenant-access-token/internal`,
  appToken: `${NEO_ROOT}/open-apis/auth/app-access-token/internal`,
} as const;
// two service APIs of openapi.yaml: AcademicService_PersonInfo (BearerAuth, header X-Staff-Id)
// and AcademicService_StudentHistoryMajorInfo (UATBearerAuth only, query student_id)
const NEO_API_PATHS = {
  personInfo: `${NEO_ROOT}/academic/person/info`,
  majorInfo: `${NEO_ROOT}/academic/student-history/major-info`,
} as const;
// openapi.yaml AcademicService_StudentHistoryMajorInfo: "仅供获得 academic:studenthistory:read 权限的 UAT 调用"
const STUDENT_HISTORY_SCOPE = 'academic:studenthistory:read';
// the emulator's tenant key (openapi.yaml names tenant_key, never a value) — unconfirmed
const TENANT_KEY = 'hdu';
// openapi.yaml paths (current SDK); the older `/v1/…_token` spellings left with
// hduhelp-neo-sdk-go commit f4c7dbe ("align handwritten auth client with Neo") and are not served
const NEO_PATHS = {
  authorize: `${NEO_PREFIX}/authorize`,
  accessToken: `${NEO_PREFIX}/access-token`,
  refresh: `${NEO_PREFIX}/refresh-access-token`,
  userInfo: `${NEO_PREFIX}/user-info`,
  revoke: `${NEO_PREFIX}/revoke`,
} as const;

const CONTENT_TYPES = { form: 'application/x-www-form-urlencoded', json: 'application/json' } as const;

/** One neo POST operation: its body encoding and fields, as openapi.yaml gives them. */
interface NeoBodySpec {
  encoding: keyof typeof CONTENT_TYPES;
  /** The properties of the request body schema (all `type: string`). */
  fields: readonly string[];
  /** The fields the operation cannot do without (openapi.yaml marks none `required`). */
  required: readonly string[];
}

// openapi.yaml AuthenAccessTokenRequestBody, requestBody application/x-www-form-urlencoded;
// required: what core/userauth.go ExchangeCode always sends (code_verifier only with PKCE)
const NEO_ACCESS_TOKEN: NeoBodySpec = {
  encoding: 'form',
  fields: ['grant_type', 'app_id', 'app_secret', 'code', 'code_verifier', 'device_code', 'client_id'],
  required: ['grant_type', 'app_id', 'app_secret', 'code'],
};
// openapi.yaml AuthenRefreshAccessTokenRequestBody, requestBody application/json;
// required: what core/userauth.go Refresh always sends
const NEO_REFRESH: NeoBodySpec = {
  encoding: 'json',
  fields: ['grant_type', 'app_id', 'app_secret', 'refresh_token'],
  required: ['grant_type', 'app_id', 'app_secret', 'refresh_token'],
};
// openapi.yaml AuthenRevokeRequestBody, requestBody application/json; the operation's
// description calls token_type_hint the optional one
const NEO_REVOKE: NeoBodySpec = {
  encoding: 'json',
  fields: ['app_id', 'app_secret', 'token', 'token_type_hint'],
  required: ['app_id', 'app_secret', 'token'],
};
// openapi.yaml TenantAccessTokenInternalRequestBody / AppAccessTokenInternalRequestBody
// {app_id, app_secret}, requestBody application/json (core/token.go fetch → postEnvelope)
const NEO_APP_TOKEN: NeoBodySpec = {
  encoding: 'json',
  fields: ['app_id', 'app_secret'],
  required: ['app_id', 'app_secret'],
};

function mediaType(req: Request): string {
  return (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
}
function pkceMatches(verifier: string, challenge: string, method: 'S256' | 'plain'): boolean {
  const computed = method === 'S256' ? createHash('sha256').update(verifier).digest('base64url') : verifier;
  return computed === challenge;
}

export async function startHduhelpEmulator(options: HduHelpEmulatorOptions = {}): Promise<HduHelpEmulator> {
  const clock = options.clock ?? createClock();
  const now = () => clock.now();
  // codes: 5 minutes — unconfirmed (no source gives a code lifetime; the usual OAuth value)
  const codeTtl = options.codeTtl ?? 5 * 60_000;
  // access: 2 h — unconfirmed for user tokens (core/userauth_test.go answers expiresIn 7200;
  // openapi.yaml gives app/tenant tokens "约 7200 秒"); refresh: 30 days — unconfirmed
  const accessTtl = options.accessTokenTtl ?? 2 * 60 * 60_000;
  const refreshTtl = options.refreshTokenTtl ?? 30 * 24 * 60 * 60_000;
  // tenant / app tokens: "短时，约 7200 秒" (openapi.yaml, both internal token operations)
  const tenantTtl = options.tenantTokenTtl ?? 7200_000;
  const appTtl = options.appTokenTtl ?? 7200_000;
  const stats: HduHelpNeoStats = {
    userTokenExchanges: 0,
    userTokenRefreshes: 0,
    tenantTokenFetches: 0,
    appTokenFetches: 0,
    revocations: 0,
    apiSuccesses: 0,
  };
  let lastRequestId: string | undefined;
  const clients = new Map<string, HduHelpClientRegistration>();
  for (const c of options.clients ?? [
    { clientId: HDUHELP_CLIENT_ID, clientSecret: HDUHELP_CLIENT_SECRET, api: 'classic' as const },
    { clientId: HDUHELP_NEO_APP_ID, clientSecret: HDUHELP_NEO_APP_SECRET, api: 'neo' as const },
  ])
    clients.set(c.clientId, { ...c });
  const lastRedirect = new Map<string, string>();
  // single-use codes (openapi.yaml authorize: "一次性授权码"; seed) on the emulator clock
  const codes = new CredentialStore<CodeData>(now, codeTtl);
  // access tokens are used many times (peek); refresh tokens once (take) — see the refresh route.
  // A token found expired is forgotten (the kit's store): asked again, it is answered as unknown
  const accessTokens = new CredentialStore<TokenData>(now, accessTtl);
  const refreshTokens = new CredentialStore<TokenData>(now, refreshTtl);
  // tenant and app tokens live side by side; a new fetch leaves the older ones valid until they
  // expire (openapi.yaml says nothing of invalidation: lenient, unconfirmed)
  const appLevelTokens = new CredentialStore<AppLevelTokenData>(now, Math.max(tenantTtl, appTtl));
  const findUser = (id: string | undefined) => HDUHELP_USERS.find((u) => u.userId === id || u.staffId === id);
  const live = (hit: TokenData | 'expired' | undefined) => (hit === 'expired' ? undefined : hit);

  function issueCode(o: IssueCodeOptions & { api?: Api } = {}): string {
    const clientId = o.clientId ?? HDUHELP_CLIENT_ID;
    const reg = clients.get(clientId);
    const data: CodeData = {
      api: o.api ?? reg?.api ?? 'classic',
      clientId,
      redirectUri:
        o.redirectUri ??
        reg?.defaultRedirectUri ??
        lastRedirect.get(clientId) ??
        reg?.redirectUris?.[0] ??
        'http://127.0.0.1/callback',
      userId: findUser(o.userId)?.userId ?? HDUHELP_USERS[0].userId,
      state: o.state,
      codeChallenge: o.codeChallenge,
      codeChallengeMethod: o.codeChallenge ? (o.codeChallengeMethod ?? 'S256') : undefined,
      scope: o.scope ?? '',
    };
    // 32 hex characters: the emulator's format — unconfirmed
    return codes.mint(data, { credential: randomBytes(16).toString('hex') });
  }

  function issueTokens(api: Api, clientId: string, userId: string, scope: string) {
    const t = now();
    const base = { api, clientId, userId, scope };
    const access = accessTokens.mint({ ...base, exp: t + accessTtl });
    const refresh = refreshTokens.mint({ ...base, exp: t + refreshTtl, pair: access });
    return { access, refresh, accessExp: t + accessTtl, refreshExp: t + refreshTtl };
  }

  /** Use a code up; every check the platform makes on a code. */
  function takeCode(code: string | undefined, clientId: string, api: Api, redirectUri?: string) {
    // single-use, even when the exchange then fails — unconfirmed (openapi.yaml authorize: "一次性授权码")
    const entry = codes.take(code);
    if (entry === undefined) return { error: 'the code does not exist or was already used' } as const;
    if (entry === 'expired') return { error: 'the code expired' } as const;
    if (entry.clientId !== clientId || entry.api !== api) return { error: 'the code was issued to another client' } as const;
    if (redirectUri !== undefined && redirectUri !== entry.redirectUri)
      return { error: 'the redirect_uri differs from the one the code was issued for' } as const;
    return { entry } as const;
  }

  function bearer(req: Request, scheme: 'token' | 'bearer'): TokenData | 'expired' | undefined {
    const m = /^(\S+)\s+(\S+)$/.exec(req.headers.authorization ?? '');
    if (!m || m[1].toLowerCase() !== scheme) return undefined;
    return accessTokens.peek(m[2]);
  }

  // the seed: pages show a 5-digit error code; the numbers and texts are the emulator's — unconfirmed
  function errorPage(res: Response, status: number, code: number, why: string): void {
    res
      .status(status)
      .type('html')
      .send(page('杭电助手 · 授权失败', `<p>错误码 <strong class="error-code">${code}</strong></p><p>${escapeHtml(why)}</p>`));
  }

  /** Validate an authorize request; answer the error page and return undefined when it is bad. */
  function checkAuthorize(req: Request, res: Response, api: Api) {
    // classic: client_id (seed); neo: app_id (openapi.yaml AuthenAuthorize parameters)
    const clientId = param(req, api === 'classic' ? 'client_id' : 'app_id');
    const reg = clientId ? clients.get(clientId) : undefined;
    if (!reg || (reg.api ?? 'classic') !== api) return void errorPage(res, 400, 40001, '应用不存在 (unknown client)');
    // response_type=code: seed; openapi.yaml "固定 code"
    if (param(req, 'response_type') !== 'code') return void errorPage(res, 400, 40002, 'response_type 必须为 code');
    // classic: redirect_uri is part of the seed's URL; neo: optional — without it the first
    // registered redirect URI is used (hduhelp-neo-sdk-go README.md, core/userauth_test.go)
    const redirectUri =
      param(req, 'redirect_uri') || (api === 'neo' ? (reg.redirectUris?.[0] ?? reg.defaultRedirectUri) : undefined);
    if (!redirectUri) return void errorPage(res, 400, 40005, '缺少 redirect_uri');
    // registered redirect URIs: unconfirmed how the platform compares them (the kit's rule here:
    // the URI or its origin + path registered; unregistered apps: any local URI)
    if (!isLocalRedirect(redirectUri, reg.redirectUris)) return void errorPage(res, 400, 40006, 'redirect_uri 未登记');
    let challenge: string | undefined;
    let method: 'S256' | 'plain' | undefined;
    let scope = '';
    if (api === 'neo') {
      challenge = param(req, 'code_challenge') || undefined;
      // openapi.yaml code_challenge_method "S256|plain"; absent → plain (RFC 7636 §4.3; openapi silent)
      const m = param(req, 'code_challenge_method') || 'plain';
      if (challenge && m !== 'S256' && m !== 'plain')
        return void errorPage(res, 400, 20004, 'code_challenge_method 仅支持 S256 或 plain');
      method = challenge ? (m === 'S256' ? 'S256' : 'plain') : undefined;
      // the option `requirePkce`: the emulator's; openapi.yaml marks PKCE optional
      if (!challenge && options.requirePkce) return void errorPage(res, 400, 20004, '缺少 code_challenge (PKCE)');
      // openapi.yaml: "scope 为逗号分隔的用户权限子集" (of the app's scopes); the scope names and
      // the refusal are the emulator's — unconfirmed
      scope = param(req, 'scope') ?? '';
      const granted = reg.scopes ?? ['user:read', 'profile:read'];
      const bad = scope
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s && !granted.includes(s));
      if (bad.length) return void errorPage(res, 400, HDUHELP_NEO_ERRORS.invalidParams, `scope 未开通: ${bad.join(',')}`);
    }
    lastRedirect.set(reg.clientId, redirectUri);
    return { reg, redirectUri, state: param(req, 'state'), challenge, method, scope };
  }

  // the login page and its POST are the emulator's stand-in for the platform's sign-in and
  // consent pages, which no source publishes
  function showLogin(res: Response, action: string, hidden: Record<string, string | undefined>): void {
    const users = HDUHELP_USERS.map((u) => ({
      value: u.userId,
      label: `${u.staffName} · ${u.staffId} · ${STAFF_TYPE_TEXT[u.staffType]}`,
    }));
    res.type('html').send(loginPage({ platform: '杭电助手', action, hidden, users, deny: '拒绝授权' }));
  }

  function approve(req: Request, res: Response, api: Api): void {
    const ok = checkAuthorize(req, res, api);
    if (!ok) return;
    // a denial as error=access_denied (RFC 6749 §4.1.2.1) — unconfirmed for HDU Helper
    if (param(req, 'deny')) return void res.redirect(302, withQuery(ok.redirectUri, { error: 'access_denied', state: ok.state }));
    const user = findUser(param(req, 'user'));
    if (!user) return void errorPage(res, 400, 40007, '请选择一个用户');
    const code = issueCode({
      api,
      clientId: ok.reg.clientId,
      redirectUri: ok.redirectUri,
      userId: user.userId,
      state: ok.state,
      codeChallenge: ok.challenge,
      codeChallengeMethod: ok.method,
      scope: ok.scope,
    });
    // back with code and state: seed; open-docs get-access-token.md
    res.redirect(302, withQuery(ok.redirectUri, { code, state: ok.state }));
  }

  // classic envelope {error, msg, data}, failures too with HTTP 200: seed; open-docs get-access-token.md
  const classicEnv = (res: Response, error: number, msg: string, data: unknown = null, status = 200) =>
    void res.status(status).json({ error, msg, data });
  // neo envelope {code, msg, data}: openapi.yaml *RespBody schemas; core/response.go CodeMsg
  const neoOk = (res: Response, data?: unknown) =>
    void res.status(200).json(data === undefined ? { code: 0, msg: 'success' } : { code: 0, msg: 'success', data });
  // neo failure: the {code, msg} pair with a non-zero code (core/response.go CodeMsg, core/token.go
  // postEnvelopeBody); openapi.yaml documents no error answer, so the status is unconfirmed
  const neoFail = (res: Response, status: number, code: number, msg: string) => void res.status(status).json({ code, msg });

  /**
   * The fields of a neo POST body, read only in the encoding openapi.yaml gives the operation
   * (never from the query). A body in another encoding, a missing or empty required field, or a
   * schema field that is not a string → HTTP 400, `code` invalidParams — the emulator's choice in
   * the documented `{code, msg}` envelope (openapi.yaml has no error schema: unconfirmed).
   */
  function neoBody(req: Request, res: Response, spec: NeoBodySpec): Record<string, string> | undefined {
    const want = CONTENT_TYPES[spec.encoding];
    const body = req.body as unknown;
    if (mediaType(req) !== want || !body || typeof body !== 'object' || Array.isArray(body))
      return void neoFail(res, 400, HDUHELP_NEO_ERRORS.invalidParams, `the request body must be ${want}`);
    const fields: Record<string, string> = {};
    for (const name of spec.fields) {
      const v = (body as Record<string, unknown>)[name];
      // Go decoding: null / absent leave the zero value ""; unknown fields are ignored — unconfirmed
      if (v === undefined || v === null) continue;
      if (typeof v !== 'string') return void neoFail(res, 400, HDUHELP_NEO_ERRORS.invalidParams, `${name} must be a string`);
      fields[name] = v;
    }
    // a server reading into a Go struct cannot tell "" from absent: both are missing
    const missing = spec.required.filter((name) => !fields[name]);
    if (missing.length)
      return void neoFail(res, 400, HDUHELP_NEO_ERRORS.invalidParams, `missing required field(s): ${missing.join(', ')}`);
    return fields;
  }

  // the app's own credentials in the body: openapi.yaml app_id / app_secret on each POST;
  // a bad pair → HTTP 401 — unconfirmed
  function neoApp(res: Response, fields: Record<string, string>): HduHelpClientRegistration | undefined {
    const reg = clients.get(fields.app_id);
    if (!reg || reg.api !== 'neo' || reg.clientSecret !== fields.app_secret)
      return void neoFail(res, 401, HDUHELP_NEO_ERRORS.invalidApp, 'invalid app_id or app_secret');
    return reg;
  }

  // openapi.yaml AuthenTokenData: accessToken, refreshToken, expiresIn (integer, seconds), scope
  // (comma-separated), tenantKey, tokenType ("Bearer"), userId, patId; the values of tenantKey
  // and patId are the emulator's — unconfirmed
  function neoTokenData(t: ReturnType<typeof issueTokens>, userId: string, scope: string) {
    return {
      accessToken: t.access,
      refreshToken: t.refresh,
      expiresIn: Math.floor(accessTtl / 1000),
      scope,
      tenantKey: 'hdu',
      tokenType: 'Bearer',
      userId,
      patId: '',
    };
  }

  function routes(app: Express): void {
    // every neo answer carries a request id header (core/response.go requestIDHeaders, first:
    // X-Request-Id); the value's format is unconfirmed
    app.use(NEO_ROOT, (_req, res, next) => {
      lastRequestId = randomUUID();
      res.set('X-Request-Id', lastRequestId);
      next();
    });

    // ---------- classic ----------
    // GET /oauth/authorize?response_type=code&client_id&redirect_uri&state: seed; open-docs get-access-token.md
    app.get('/oauth/authorize', (req, res) => {
      const ok = checkAuthorize(req, res, 'classic');
      if (!ok) return;
      showLogin(res, '/oauth/authorize', {
        response_type: 'code',
        client_id: ok.reg.clientId,
        redirect_uri: ok.redirectUri,
        state: ok.state,
      });
    });
    // the login page's POST: emulator-only (no source publishes the platform's login page)
    app.post('/oauth/authorize', (req, res) => approve(req, res, 'classic'));

    // GET /oauth/token with the fields in the query: seed; open-docs get-access-token.md (the
    // fields are also read from a form body, and POST is not served: unconfirmed)
    app.get('/oauth/token', (req, res) => {
      const reg = clients.get(param(req, 'client_id') ?? '');
      if (!reg || (reg.api ?? 'classic') !== 'classic' || reg.clientSecret !== param(req, 'client_secret'))
        return classicEnv(res, HDUHELP_ERRORS.invalidClient, 'invalid client');
      if (param(req, 'grant_type') !== 'authorization_code')
        return classicEnv(res, HDUHELP_ERRORS.unsupportedGrantType, 'unsupported grant_type');
      // the docs send no redirect_uri here; one that is sent must match — unconfirmed
      const taken = takeCode(param(req, 'code'), reg.clientId, 'classic', param(req, 'redirect_uri'));
      if ('error' in taken) return classicEnv(res, HDUHELP_ERRORS.invalidCode, `invalid code: ${taken.error}`);
      const { entry } = taken;
      // the docs send the callback's state; refusing another one is unconfirmed
      if (entry.state !== undefined && entry.state !== param(req, 'state'))
        return classicEnv(res, HDUHELP_ERRORS.stateMismatch, 'state mismatch');
      const user = findUser(entry.userId)!;
      const t = issueTokens('classic', reg.clientId, user.userId, '');
      // the fields and their JSON types: open-docs get-access-token.md example (staff_type is a
      // string there: "1" 本科生, "2" 研究生, "3" 教职工); the seed's example stops at staff_id;
      // *_expire as epoch seconds — unconfirmed (the example shows 123456789)
      classicEnv(res, 0, 'success', {
        access_token: t.access,
        access_token_expire: Math.floor(t.accessExp / 1000),
        refresh_token: t.refresh,
        refresh_token_expire: Math.floor(t.refreshExp / 1000),
        staff_id: user.staffId,
        staff_name: user.staffName,
        staff_type: String(user.staffType),
        user_id: user.userId,
      });
    });

    // `Authorization: token <access>` on every data call: seed. A bad or expired token is answered
    // HTTP 401 with the envelope — the status and codes are unconfirmed
    const classicAuth = (req: Request, res: Response): (TokenData & { token: string }) | undefined => {
      const entry = bearer(req, 'token');
      if (entry === 'expired') return void classicEnv(res, HDUHELP_ERRORS.tokenExpired, 'access token expired', null, 401);
      if (!entry || entry.api !== 'classic')
        return void classicEnv(res, HDUHELP_ERRORS.invalidToken, 'invalid access token', null, 401);
      return { ...entry, token: req.headers.authorization!.split(/\s+/)[1] };
    };

    /** A classic data call: the access token checked, then `data` of the signed-in user in the envelope. */
    const classicData = (path: string, data: (u: HduHelpUser, entry: TokenData & { token: string }) => object) =>
      app.get(path, (req, res) => {
        const entry = classicAuth(req, res);
        if (entry) classicEnv(res, 0, 'success', data(findUser(entry.userId)!, entry));
      });

    // GET /oauth/token/validate → {access_token, access_token_expire, staff_id}: seed
    classicData('/oauth/token/validate', (u, entry) => ({
      access_token: entry.token,
      access_token_expire: Math.floor(entry.exp / 1000),
      staff_id: u.staffId,
    }));

    // GET /salmon_base/person/info → {staffId, staffName, staffState, staffType, unitCode}, all
    // strings, staffType in person info's own numbering: open-docs docs/develop/teaching/person-info.md
    classicData('/salmon_base/person/info', (u) => ({
      staffId: u.staffId,
      staffName: u.staffName,
      staffState: u.staffState,
      staffType: PERSON_INFO_STAFF_TYPE[u.staffType],
      unitCode: u.unitCode,
    }));

    // the deprecated form: seed's GET /base/person/info, upper-case fields, the type as text
    // (open-docs docs/develop/deprecated.md: replaced by /salmon_base/person/info)
    classicData('/base/person/info', (u) => ({
      STAFFID: u.staffId,
      GRADE: u.grade,
      STAFFNAME: u.staffName,
      STAFFTYPE: STAFF_TYPE_TEXT[u.staffType],
      STAFFSTATE: u.staffState,
      UNITCODE: u.unitCode,
      UNITNAME: u.unitName,
    }));

    // serverVerify: the user is signed in to app.hduhelp.com; the gateway jumps straight to the
    // app's default redirect URL with serverVerify=true and a code (no state of the app's): seed.
    // The page of users and its path /oauth/server-verify are emulator-only.
    app.get('/oauth/server-verify', (req, res) => {
      // the app checks the Referer origin instead of a state (seed: check the request came from
      // api.hduhelp.com): make sure the browser sends at least the platform's origin, from the
      // page of users and across the 302, whatever its own default
      res.set('Referrer-Policy', 'origin');
      const reg = clients.get(param(req, 'client_id') ?? HDUHELP_CLIENT_ID);
      if (!reg || (reg.api ?? 'classic') !== 'classic') return void errorPage(res, 400, 40001, '应用不存在 (unknown client)');
      const target = reg.defaultRedirectUri ?? lastRedirect.get(reg.clientId);
      if (!target) return void errorPage(res, 400, 40008, '应用未配置默认 redirect url');
      const user = findUser(param(req, 'user'));
      if (!user) {
        const users = HDUHELP_USERS.map((u) => ({ value: u.userId, label: `${u.staffName} · ${u.staffId}` }));
        const hidden = { client_id: reg.clientId };
        return void res.type('html').send(
          loginPage({
            platform: 'app.hduhelp.com',
            heading: '已登录，直接进入应用',
            action: '/oauth/server-verify',
            method: 'get',
            hidden,
            users,
          }),
        );
      }
      const code = issueCode({ clientId: reg.clientId, redirectUri: target, userId: user.userId });
      res.redirect(302, withQuery(target, { code, serverVerify: 'true' }));
    });

    // ---------- neo ----------
    // Only the methods openapi.yaml lists are routed (GET authorize and user-info, POST the rest);
    // another method falls through to the harness's 404 — the live answer is unconfirmed.

    // GET …/authen/authorize with app_id, redirect_uri, scope, state, response_type,
    // code_challenge, code_challenge_method (openapi.yaml). openapi.yaml documents the JSON answer
    // {code, msg, data: {code, redirectUri, state}} given to a first-party caller with a native
    // session; a browser without one gets the emulator's login page instead — unconfirmed.
    app.get(NEO_PATHS.authorize, (req, res) => {
      const ok = checkAuthorize(req, res, 'neo');
      if (!ok) return;
      showLogin(res, NEO_PATHS.authorize, {
        response_type: 'code',
        app_id: ok.reg.clientId,
        redirect_uri: ok.redirectUri,
        scope: ok.scope || undefined,
        state: ok.state,
        code_challenge: ok.challenge,
        code_challenge_method: ok.method,
      });
    });
    // the login page's POST: emulator-only (openapi.yaml has GET authorize only)
    app.post(NEO_PATHS.authorize, (req, res) => approve(req, res, 'neo'));

    // POST …/authen/access-token, a form body (openapi.yaml requestBody
    // application/x-www-form-urlencoded; core/userauth.go ExchangeCode) → AuthenAccessTokenRespBody
    app.post(NEO_PATHS.accessToken, (req, res) => {
      const fields = neoBody(req, res, NEO_ACCESS_TOKEN);
      if (!fields) return;
      const reg = neoApp(res, fields);
      if (!reg) return;
      // openapi.yaml grant_type "authorization_code | urn:ietf:params:oauth:grant-type:device_code";
      // the device grant serves hduhelp-cli only (openapi.yaml device-authorization): not emulated
      if (fields.grant_type !== 'authorization_code')
        return neoFail(res, 400, HDUHELP_NEO_ERRORS.unsupportedGrantType, 'unsupported grant_type');
      // redirect_uri is no field of AuthenAccessTokenRequestBody: not compared (openapi.yaml)
      const taken = takeCode(fields.code, reg.clientId, 'neo');
      if ('error' in taken) return neoFail(res, 400, HDUHELP_NEO_ERRORS.invalidCode, `invalid code: ${taken.error}`);
      const { entry } = taken;
      // "the server recomputes the challenge from the verifier" (core/userauth.go ExchangeCode, RFC 7636 §4.6)
      if (
        entry.codeChallenge &&
        !pkceMatches(fields.code_verifier ?? '', entry.codeChallenge, entry.codeChallengeMethod ?? 'S256')
      )
        return neoFail(res, 400, HDUHELP_NEO_ERRORS.pkceFailed, 'code_verifier does not match');
      const t = issueTokens('neo', reg.clientId, entry.userId, entry.scope);
      stats.userTokenExchanges++;
      neoOk(res, neoTokenData(t, entry.userId, entry.scope));
    });

    // POST …/authen/refresh-access-token, a JSON body (openapi.yaml requestBody application/json;
    // core/userauth.go Refresh → core/token.go postEnvelope); a form body is refused by neoBody
    // → AuthenAccessTokenRespBody
    app.post(NEO_PATHS.refresh, (req, res) => {
      const fields = neoBody(req, res, NEO_REFRESH);
      if (!fields) return;
      const reg = neoApp(res, fields);
      if (!reg) return;
      // openapi.yaml AuthenRefreshAccessTokenRequestBody grant_type "refresh_token"
      if (fields.grant_type !== 'refresh_token')
        return neoFail(res, 400, HDUHELP_NEO_ERRORS.unsupportedGrantType, 'unsupported grant_type');
      const entry = live(refreshTokens.peek(fields.refresh_token));
      if (!entry || entry.clientId !== reg.clientId)
        return neoFail(res, 400, HDUHELP_NEO_ERRORS.invalidRefreshToken, 'invalid refresh token');
      // refresh tokens are single-use and rotate (openapi.yaml "单次轮换，颁发新的 access/refresh";
      // core/userauth.go UserTokenSource keeps the newest); that the old access token goes with
      // them is unconfirmed
      refreshTokens.take(fields.refresh_token);
      if (entry.pair) accessTokens.delete(entry.pair);
      const t = issueTokens('neo', reg.clientId, entry.userId, entry.scope);
      stats.userTokenRefreshes++;
      neoOk(res, neoTokenData(t, entry.userId, entry.scope));
    });

    // GET …/authen/user-info with Authorization: Bearer <user_access_token> (openapi.yaml
    // UATBearerAuth) → AuthenUserInfoRespBody. A bad token → HTTP 401: unconfirmed. Which fields
    // each scope unlocks ("受令牌 scope 约束") is unconfirmed: all are sent.
    app.get(NEO_PATHS.userInfo, (req, res) => {
      const entry = bearer(req, 'bearer');
      if (!entry || entry === 'expired' || entry.api !== 'neo')
        return neoFail(
          res,
          401,
          HDUHELP_NEO_ERRORS.invalidAccessToken,
          entry === 'expired' ? 'access token expired' : 'invalid access token',
        );
      const u = findUser(entry.userId)!;
      // openapi.yaml AuthenUserInfoData: userId, name, avatar, staffId, school (strings), scopes (string[])
      neoOk(res, {
        userId: u.userId,
        name: u.staffName,
        avatar: u.avatar,
        school: '杭州电子科技大学',
        staffId: u.staffId,
        scopes: entry.scope ? entry.scope.split(',') : [],
      });
    });

    // POST …/authen/revoke, a JSON body {app_id, app_secret, token, token_type_hint?}
    // (openapi.yaml AuthenRevokeRequestBody) → AuthenRevokeRespBody {code, msg}, no data
    app.post(NEO_PATHS.revoke, (req, res) => {
      const fields = neoBody(req, res, NEO_REVOKE);
      if (!fields) return;
      const reg = neoApp(res, fields);
      if (!reg) return;
      // token_type_hint "access_token|refresh_token" is only a hint: the token is looked up whatever
      // it says (RFC 7009 §2.1, which openapi.yaml names); an unknown hint is ignored — unconfirmed
      const access = live(accessTokens.peek(fields.token));
      const refresh = live(refreshTokens.peek(fields.token));
      // another app's token is left alone, and answered like an unknown one — unconfirmed
      if (access?.clientId === reg.clientId) accessTokens.delete(fields.token);
      if (refresh?.clientId === reg.clientId) {
        refreshTokens.delete(fields.token);
        // revoking a refresh token also ends its access token (RFC 7009 §2.1 "SHOULD") — unconfirmed
        if (refresh.pair) accessTokens.delete(refresh.pair);
      }
      // idempotent: revoking an unknown or already dead token succeeds (openapi.yaml "幂等：吊销已失效令牌仍返回成功")
      stats.revocations++;
      neoOk(res);
    });

    // POST …/auth/tenant-access-token/internal and …/auth/app-access-token/internal, a JSON body
    // {app_id, app_secret} (openapi.yaml; core/token.go tenantTokenCache.fetch → postEnvelope)
    // → {code, msg, data: {tenantAccessToken | appAccessToken, expire (seconds), tenantKey}}
    // (openapi.yaml TenantAccessTokenData, AppAccessTokenData). Every call mints a new token —
    // whether the live server hands back a cached one with its remaining lifetime is unconfirmed
    // (core/token.go calls `expire` "the server-reported remaining lifetime").
    for (const kind of ['tenant', 'app'] as const)
      app.post(kind === 'tenant' ? NEO_APP_PATHS.tenantToken : NEO_APP_PATHS.appToken, (req, res) => {
        const fields = neoBody(req, res, NEO_APP_TOKEN);
        if (!fields) return;
        const reg = neoApp(res, fields);
        if (!reg) return;
        const ttl = kind === 'tenant' ? tenantTtl : appTtl;
        const token = appLevelTokens.mint(
          { kind, clientId: reg.clientId, tenantKey: TENANT_KEY },
          // the t-/a- prefixes are the emulator's (openapi.yaml: bearerFormat opaque)
          { ttl, prefix: kind === 'tenant' ? 't-' : 'a-' },
        );
        if (kind === 'tenant') stats.tenantTokenFetches++;
        else stats.appTokenFetches++;
        const expire = Math.floor(ttl / 1000);
        neoOk(
          res,
          kind === 'tenant'
            ? { tenantAccessToken: token, expire, tenantKey: TENANT_KEY }
            : { appAccessToken: token, expire, tenantKey: TENANT_KEY },
        );
      });

    /**
     * The caller of a neo service API: `Authorization: Bearer <token>` (openapi.yaml
     * securitySchemes, all `scheme: bearer`) holding a user, tenant or app access token of this
     * emulator. An unknown or expired token → HTTP 401, invalidAccessToken — unconfirmed (the
     * same answer as user-info's).
     */
    function apiCaller(req: Request, res: Response): { user?: TokenData; appLevel?: AppLevelTokenData } | undefined {
      const m = /^bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
      const token = m?.[1];
      const user = live(accessTokens.peek(token));
      if (user?.api === 'neo') return { user };
      const level = appLevelTokens.peek(token);
      if (level && level !== 'expired') return { appLevel: level };
      const expired = accessTokens.peek(token) === 'expired' || level === 'expired';
      return void neoFail(
        res,
        401,
        HDUHELP_NEO_ERRORS.invalidAccessToken,
        expired ? 'access token expired' : 'invalid or missing access token',
      );
    }

    // GET /hduhelp-neo/academic/person/info (openapi.yaml AcademicService_PersonInfo, security
    // BearerAuth, parameter X-Staff-Id in header) → PersonInfoResponseBody {code, msg, data:
    // PersonInfoData}. A user token names its own person ("a user token gets the target identity
    // from the token", hduhelp-neo-sdk-go README.md; X-Staff-Id then ignored — unconfirmed); a
    // tenant or app token picks the person with X-Staff-Id ("TAT/App 可用 X-Staff-Id 选择目标",
    // openapi.yaml AdminService apps/permissions). Without X-Staff-Id → HTTP 400 invalidParams, an
    // unknown one → HTTP 404 staffNotFound — both unconfirmed. application_scopes are not
    // checked (lenient, unconfirmed).
    app.get(NEO_API_PATHS.personInfo, (req, res) => {
      const caller = apiCaller(req, res);
      if (!caller) return;
      let person: HduHelpUser | undefined;
      if (caller.user) person = findUser(caller.user.userId);
      else {
        const staffId = req.get('x-staff-id')?.trim();
        if (!staffId)
          return neoFail(res, 400, HDUHELP_NEO_ERRORS.invalidParams, 'X-Staff-Id is required with a tenant or app token');
        person = HDUHELP_USERS.find((u) => u.staffId === staffId);
        if (!person) return neoFail(res, 404, HDUHELP_NEO_ERRORS.staffNotFound, 'no person with this X-Staff-Id');
      }
      const u = person!;
      const student = u.staffType !== 3;
      stats.apiSuccesses++;
      // openapi.yaml PersonInfoData: every field a string; the student-record fields "仅学生填充"
      // (empty for staff); staffType in the token answer's numbering as a string — unconfirmed
      neoOk(res, {
        staffId: u.staffId,
        staffName: u.staffName,
        staffState: u.staffState,
        staffType: String(u.staffType),
        unitCode: u.unitCode,
        grade: u.grade,
        unitName: u.unitName,
        classId: student ? u.classId : '',
        majorId: student ? u.majorId : '',
        majorName: student ? u.majorName : '',
        teacherId: student ? u.teacherId : '',
        teacherName: student ? u.teacherName : '',
      });
    });

    // GET /hduhelp-neo/academic/student-history/major-info?student_id= (openapi.yaml
    // AcademicService_StudentHistoryMajorInfo, security UATBearerAuth: "仅供获得
    // academic:studenthistory:read 权限的 UAT 调用") → StudentHistoryMajorInfoResponseBody {code,
    // msg, data: StudentHistoryMajorInfoItem[]}. A tenant/app token, or a user token without that
    // scope → HTTP 403 permissionDenied — unconfirmed. Without student_id: the token's own user;
    // an unknown student → [] — both unconfirmed. Two semesters per student of the emulator's own.
    app.get(NEO_API_PATHS.majorInfo, (req, res) => {
      const caller = apiCaller(req, res);
      if (!caller) return;
      if (!caller.user)
        return neoFail(res, 403, HDUHELP_NEO_ERRORS.permissionDenied, 'this API accepts a user access token only');
      const granted = caller.user.scope.split(',').map((s) => s.trim());
      if (!granted.includes(STUDENT_HISTORY_SCOPE))
        return neoFail(res, 403, HDUHELP_NEO_ERRORS.permissionDenied, `the user token lacks ${STUDENT_HISTORY_SCOPE}`);
      const studentId = param(req, 'student_id') || findUser(caller.user.userId)?.staffId;
      const u = HDUHELP_USERS.find((x) => x.staffId === studentId && x.staffType !== 3);
      stats.apiSuccesses++;
      if (!u) return neoOk(res, []);
      const year = Number(u.grade);
      // openapi.yaml StudentHistoryMajorInfoItem: schoolYear, semester, studentId, studentName,
      // unitId, unitName, majorCode, major, classNo, grade — all strings
      neoOk(
        res,
        ['1', '2'].map((semester) => ({
          schoolYear: `${year}-${year + 1}`,
          semester,
          studentId: u.staffId,
          studentName: u.staffName,
          unitId: u.unitCode,
          unitName: u.unitName,
          majorCode: u.majorId,
          major: u.majorName,
          classNo: u.classId,
          grade: u.grade,
        })),
      );
    });
  }

  const emu = await startEmulator({ name: 'hduhelp', port: options.port, host: options.host, clock, routes });

  const emulator = Object.assign(emu, {
    users: HDUHELP_USERS,
    issueCode: (o: IssueCodeOptions = {}) => issueCode(o),
    serverVerifyURL(clientId = HDUHELP_CLIENT_ID, userId?: string) {
      const u = new URL('/oauth/server-verify', emu.url);
      u.searchParams.set('client_id', clientId);
      if (userId) u.searchParams.set('user', userId);
      return u.toString();
    },
    setDefaultRedirect(clientId: string, uri: string) {
      const reg = clients.get(clientId);
      if (!reg) throw new Error(`hduhelp emulator: no client ${clientId}`);
      reg.defaultRedirectUri = uri;
    },
    isTokenActive(t: string) {
      const level = appLevelTokens.peek(t);
      return !!(live(accessTokens.peek(t)) ?? live(refreshTokens.peek(t)) ?? (level === 'expired' ? undefined : level));
    },
    stats: () => ({ ...stats }),
  });
  return Object.defineProperty(emulator, 'lastRequestId', { get: () => lastRequestId, enumerable: true }) as HduHelpEmulator;
}
