/**
 * GeniusAuthClient: the NCUOS GeniusAuth HTTP API (RefreshToken mode), usable without Passport.
 * Every call is signed (see `signParams`); the `{ code, data, msg }` envelope is unwrapped and the
 * platform's codes become CampusAuthError codes. All platform quirks live here.
 * Source: ncuhome/GeniusAuthoritarian (server) and ncuhome/GeniusAuthoritarianClient (client.go,
 * signature/signature.go); see the README's "Sources" table.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  CampusAuthError,
  DEFAULT_TIMEOUT,
  isCampusAuthError,
  isObject,
  request as defaultTransport,
  type HttpMethod,
  type Transport,
} from '@campus-passport/core';
import {
  parseAccessVerify,
  parseLoginAnswer,
  parsePublicUsers,
  parseRefreshAnswer,
  parsePayloadAnswer,
  parseUserInfo,
  type NcuosAccessInfo,
  type NcuosLoginAnswer,
  type NcuosPublicUser,
  type NcuosUserInfo,
} from './profile';

export const PLATFORM = 'ncuos';
export const DEFAULT_BASE_URL = 'https://v.ncuos.com';
export const PATHS = {
  verifyLogin: '/api/v1/public/login/verify',
  refresh: '/api/v1/app/token/refresh/',
  accessVerify: '/api/v1/app/token/access/verify',
  userInfo: '/api/v1/app/token/access/user/info',
  publicUserInfo: '/api/v1/app/user/info',
  /** Signed, no user token, no database query: the call that tells a refused token from a wrong appSecret. */
  serverKeys: '/api/v1/app/keypair/server',
} as const;
/**
 * `valid` (refresh-token lifetime, seconds): the server binds min=0,max=2592000; in refresh_token
 * mode 0 means its default 604800 and 1–604799 is refused (verify.go).
 */
export const VALID_MIN = 604_800;
export const VALID_MAX = 2_592_000;
/** `payload` on verify: at most 32 characters (verify.go `binding:"max=32"`, counted in code points). */
export const PAYLOAD_LIMIT = 32;
/**
 * How long a proof that this app's signature is good is trusted (ms): a code-6 answer within this
 * window is read as a refused token without another call. Positive results only.
 */
export const SIGNATURE_PROOF_TTL_MS = 5 * 60_000;

/** Go compares strings byte by byte (sort.Strings on UTF-8): not JavaScript's UTF-16 order. */
function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** Unicode code points, as Go's validator counts a string's length (utf8.RuneCountInString). */
const codePoints = (s: string) => [...s].length;

/** A value that can be signed: what the Go server can decode from JSON. */
export type SignableValue = string | number | boolean | null | undefined | SignableValue[] | { [k: string]: SignableValue };

/**
 * Stringify one value the way the server does: Go's `fmt.Sprint` of what `encoding/json` (with
 * UseNumber) decoded. Strings as they are; numbers as their JSON text (`1`, `1.5`, `1e+21`);
 * booleans `true`/`false`; null `<nil>`; arrays `[a b]`; objects `map[k1:v1 k2:v2]` (keys sorted).
 */
export function stringifyForSignature(value: SignableValue): string {
  if (value === null || value === undefined) return '<nil>';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value))
      throw new CampusAuthError('ERR_CONFIG', 'ncuos: a signed field must be a finite number', { platform: PLATFORM });
    return String(value);
  }
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (Array.isArray(value)) return `[${value.map(stringifyForSignature).join(' ')}]`;
  const keys = Object.keys(value).sort(byteOrder);
  return `map[${keys.map((k) => `${k}:${stringifyForSignature(value[k])}`).join(' ')}]`;
}

/**
 * The exact string that is hashed: every field except `signature` stringified, `appSecret` added,
 * keys sorted (UTF-8 byte order, as Go's sort.Strings), `k=v` joined with `&`. Fields that are
 * undefined or null are left out (they are not sent either).
 */
export function signatureBase(fields: Record<string, SignableValue>, appSecret: string): string {
  const map: Record<string, string> = { appSecret };
  for (const [k, v] of Object.entries(fields)) {
    if (k === 'signature' || k === 'appSecret' || v === undefined || v === null) continue;
    map[k] = stringifyForSignature(v);
  }
  return Object.keys(map)
    .sort(byteOrder)
    .map((k) => `${k}=${map[k]}`)
    .join('&');
}

/**
 * Sign a request's fields: adds `appCode` and `timeStamp` (unix seconds of `now`, epoch ms), then
 * `signature` = SHA-256 hex of `signatureBase`. Returns the fields to send (without null/undefined).
 */
export function signParams(
  fields: Record<string, SignableValue>,
  appCode: string,
  appSecret: string,
  now: number = Date.now(),
): Record<string, SignableValue> {
  if ('appSecret' in fields)
    throw new CampusAuthError('ERR_CONFIG', 'ncuos: "appSecret" is never sent as a field', { platform: PLATFORM });
  const out: Record<string, SignableValue> = {};
  for (const [k, v] of Object.entries(fields)) if (v !== undefined && v !== null && k !== 'signature') out[k] = v;
  out.appCode = appCode;
  out.timeStamp = Math.floor(now / 1000);
  out.signature = createHash('sha256').update(signatureBase(out, appSecret)).digest('hex');
  return out;
}

export interface GeniusAuthClientOptions {
  appCode: string;
  appSecret: string;
  /** Platform origin. Default https://v.ncuos.com (pre-release: https://v.ncuhome.club). */
  baseURL?: string;
  /** Per call, ms. Default 10 000. */
  timeout?: number;
  transport?: Transport;
  /** The clock used for `timeStamp` (epoch ms). Default Date.now. */
  now?: () => number;
}

export interface VerifyLoginOptions {
  /** 'refresh_token' (default) also issues refresh + access tokens; 'once' only the user. */
  grantType?: 'once' | 'refresh_token';
  /**
   * The browser's IP, sent as `clientIp`. The platform accepts it but does not check it: its
   * client-IP check (code 20) is commented out upstream since 2024-12 (verify.go).
   */
  clientIp?: string;
  /** Refresh-token lifetime in seconds: 0 (the platform default, 604800) or 604800–2592000. */
  valid?: number;
  /** Custom payload, at most 32 characters, carried by the refresh and access tokens. */
  payload?: string;
}

/** What `requireAccessToken()` puts on the request. */
export interface NcuosAccess {
  uid: number;
  payload: string;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** Set by GeniusAuthClient#requireAccessToken(). */
      ncuos?: NcuosAccess;
    }
  }
}

export type AccessTokenRequest = IncomingMessage & { ncuos?: NcuosAccess };
export type AccessTokenMiddleware = (req: AccessTokenRequest, res: ServerResponse, next: (err?: unknown) => void) => void;

/** Why the platform refused, by its code: [our code, message, retryable]. */
const CODE_MAP: Record<number, [CampusAuthError['code'], string, boolean?]> = {
  1: ['ERR_PLATFORM', 'ncuos rejected the request form (code 1): check valid / payload / grantType'],
  3: ['ERR_PLATFORM', 'ncuos does not know this appCode (code 3): check the appCode option and baseURL'],
  4: ['ERR_PLATFORM', 'ncuos failed a database operation (code 4); retry later', true],
  5: ['ERR_PLATFORM', 'ncuos could not complete a remote call (code 5); retry later', true],
  // 6 is ambiguous (a refused token or a bad signature): see GeniusAuthClient#unauthorized
  7: ['ERR_DENIED', 'this account has no group on ncuos (code 7)'],
  8: ['ERR_PLATFORM', 'ncuos failed unexpectedly (code 8)', true],
  9: ['ERR_PLATFORM', 'ncuos says the request signature expired (code 9): the server clock is probably skewed'],
  19: ['ERR_RATE_LIMITED', 'ncuos rate limit reached (code 19); retry in a minute', true],
  20: ['ERR_DENIED', 'the login came from another network (code 20); log in again'],
  26: ['ERR_DENIED', 'this account has no identity on ncuos (code 26)'],
  31: ['ERR_INVALID_CREDENTIAL', 'the ncuos token is invalid, expired or revoked (code 31)'],
};

/** Calls whose code 6 may mean the token was refused; what to say then (ERR_INVALID_CREDENTIAL). */
interface CallOptions {
  on6?: string;
}
const LOGIN_TOKEN_REFUSED = 'the ncuos login token is invalid, expired or already used (code 6)';
const TOKEN_OF_OTHER_APP = 'this ncuos token was issued to another app (code 6)';

/** The NCUOS GeniusAuth API. */
export class GeniusAuthClient {
  readonly appCode: string;
  readonly baseURL: string;
  private readonly appSecret: string;
  private readonly timeout: number;
  private readonly transport: Transport;
  private readonly now: () => number;
  /** When (this.now()) a signed call last proved the signature good; see SIGNATURE_PROOF_TTL_MS. */
  private signatureProvenAt: number | undefined;
  /** The signature check in flight: concurrent code-6 answers share it. */
  private signatureCheck: Promise<boolean> | undefined;

  constructor(options: GeniusAuthClientOptions) {
    const fail = (msg: string) => new CampusAuthError('ERR_CONFIG', `ncuos: ${msg}`, { platform: PLATFORM });
    if (!options || typeof options !== 'object') throw fail('options must be an object');
    if (typeof options.appCode !== 'string' || !options.appCode) throw fail('option "appCode" is required');
    if (typeof options.appSecret !== 'string' || !options.appSecret) throw fail('option "appSecret" is required');
    const base = options.baseURL ?? DEFAULT_BASE_URL;
    let u: URL;
    try {
      u = new URL(base);
    } catch {
      throw fail('option "baseURL" must be an absolute http(s) URL');
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw fail('option "baseURL" must be an absolute http(s) URL');
    if (options.timeout !== undefined && !(Number.isFinite(options.timeout) && options.timeout > 0))
      throw fail('option "timeout" must be a positive number of ms');
    if (options.transport !== undefined && typeof options.transport !== 'function')
      throw fail('option "transport" must be a function');
    if (options.now !== undefined && typeof options.now !== 'function') throw fail('option "now" must be a function');
    this.appCode = options.appCode;
    this.appSecret = options.appSecret;
    this.baseURL = base.replace(/\/+$/, '');
    this.timeout = options.timeout ?? DEFAULT_TIMEOUT;
    this.transport = options.transport ?? defaultTransport;
    this.now = options.now ?? Date.now;
  }

  /** The platform's login page for this app; it returns to the app's registered callback with ?token=. */
  loginURL(): string {
    return `${this.baseURL}/?appCode=${encodeURIComponent(this.appCode)}`;
  }

  /**
   * Verify the login token from the callback (single-use, 5 minutes). A used, expired or unknown
   * token is answered code 6 / HTTP 401 — the platform's answer to a bad signature too — so a code 6
   * is settled by a signature check (see `unauthorized`): ERR_INVALID_CREDENTIAL or ERR_CONFIG.
   */
  async verifyLogin(token: string, opts: VerifyLoginOptions = {}): Promise<NcuosLoginAnswer> {
    const grantType = opts.grantType ?? 'refresh_token';
    checkLoginOptions(opts);
    const { data, text } = await this.call(
      'POST',
      PATHS.verifyLogin,
      {
        token,
        grantType,
        clientIp: opts.clientIp || undefined,
        valid: grantType === 'refresh_token' ? opts.valid : undefined,
        payload: grantType === 'refresh_token' ? opts.payload || undefined : undefined,
      },
      { on6: LOGIN_TOKEN_REFUSED },
    );
    return parseLoginAnswer(data, text);
  }

  /**
   * Whether this app's signature is good, by a signed `GET /api/v1/app/keypair/server` (no user
   * token, no field, no database query on the server). A proof younger than SIGNATURE_PROOF_TTL_MS
   * — from this check or from any signed call the platform answered code 0 or 31 — is reused;
   * concurrent checks share one call. Only positive results are kept.
   */
  async checkSignature(): Promise<boolean> {
    if (this.signatureProvenAt !== undefined && this.now() - this.signatureProvenAt < SIGNATURE_PROOF_TTL_MS) return true;
    const check = (this.signatureCheck ??= this.call('GET', PATHS.serverKeys, {}).then(
      () => true,
      (err: unknown) => {
        if (isCampusAuthError(err) && err.code === 'ERR_CONFIG' && err.platformCode === 6) return false;
        throw err;
      },
    ));
    try {
      return await check;
    } finally {
      if (this.signatureCheck === check) this.signatureCheck = undefined;
    }
  }

  /** A fresh access token (5 minutes) from a refresh token; the answer's snake_case is mapped. */
  async refreshAccessToken(refreshToken: string): Promise<{ accessToken: string; payload: string }> {
    // code 6 after a good signature: the refresh token belongs to another app (controllers/app/token.go)
    const { data } = await this.call('POST', PATHS.refresh, { token: refreshToken }, { on6: TOKEN_OF_OTHER_APP });
    return parseRefreshAnswer(data);
  }

  /** Check an access token: `{ uid, payload }`. */
  async verifyAccessToken(accessToken: string): Promise<NcuosAccessInfo> {
    // code 6 after a good signature: the access token belongs to another app (middlewares/app.go RequireAccessToken)
    const { data } = await this.call('POST', PATHS.accessVerify, { token: accessToken }, { on6: TOKEN_OF_OTHER_APP });
    return parseAccessVerify(data);
  }

  /** The user behind an access token. */
  async getUserInfo(accessToken: string): Promise<NcuosUserInfo> {
    const { data } = await this.call('POST', PATHS.userInfo, { token: accessToken }, { on6: TOKEN_OF_OTHER_APP });
    return parseUserInfo(data);
  }

  /**
   * Change a refresh token's payload: a new refresh token (and an access token if asked). The server
   * requires a non-empty payload here and sets no length limit (token.go ModifyRefreshPayload).
   */
  async modifyPayload(
    refreshToken: string,
    payload: string,
    opts: { accessToken?: boolean } = {},
  ): Promise<{ refreshToken: string; accessToken?: string }> {
    if (typeof payload !== 'string' || payload === '')
      throw new CampusAuthError('ERR_CONFIG', 'ncuos: modifyPayload needs a non-empty "payload" string', { platform: PLATFORM });
    const { data } = await this.call('PATCH', PATHS.refresh, {
      token: refreshToken,
      payload,
      accessToken: opts.accessToken === true,
    });
    return parsePayloadAnswer(data);
  }

  /** Destroy a refresh token (log out): it and its access tokens stop working. */
  async destroyRefreshToken(refreshToken: string): Promise<void> {
    await this.call('DELETE', PATHS.refresh, { token: refreshToken });
  }

  /** Public info of users by id (`GET /app/user/info?id=1,2`). */
  async getPublicUserInfo(ids: Array<number | string>): Promise<NcuosPublicUser[]> {
    if (!Array.isArray(ids) || ids.length === 0 || ids.some((i) => !/^\d+$/.test(String(i))))
      throw new CampusAuthError('ERR_CONFIG', 'ncuos: getPublicUserInfo needs a non-empty list of numeric ids', {
        platform: PLATFORM,
      });
    const { data } = await this.call('GET', PATHS.publicUserInfo, { id: ids.map(String).join(',') });
    return parsePublicUsers(data);
  }

  /**
   * Express middleware for API routes: checks `Authorization: Bearer <accessToken>` with the
   * platform and sets `req.ncuos = { uid, payload }`. A missing or refused token answers 401 JSON
   * `{ code, message }`; a platform failure goes to `next(err)` (a CampusAuthError).
   */
  requireAccessToken(): AccessTokenMiddleware {
    return (req, res, next) => {
      const header = req.headers.authorization;
      const m = typeof header === 'string' ? /^Bearer\s+([\x21-\x7e]{1,4096})\s*$/i.exec(header) : null;
      const deny = (code: string, message: string, error?: string) => {
        res.statusCode = 401;
        res.setHeader('www-authenticate', error ? `Bearer realm="ncuos", error="${error}"` : 'Bearer realm="ncuos"');
        res.setHeader('content-type', 'application/json; charset=utf-8');
        res.end(JSON.stringify({ code, message }));
      };
      if (!m) return deny('ERR_NO_CREDENTIAL', 'an ncuos access token is required (Authorization: Bearer …)');
      this.verifyAccessToken(m[1]).then(
        (info) => {
          req.ncuos = info;
          next();
        },
        (err: unknown) => {
          if (isCampusAuthError(err) && err.isUserError) return deny(err.code, err.message, 'invalid_token');
          next(err);
        },
      );
    };
  }

  /** Sign, send, unwrap the envelope, map the platform's codes. */
  private async call(
    method: HttpMethod,
    path: string,
    fields: Record<string, SignableValue>,
    opts: CallOptions = {},
  ): Promise<{ data: unknown; text: string }> {
    const signed = signParams(fields, this.appCode, this.appSecret, this.now());
    const inQuery = method === 'GET' || method === 'DELETE';
    const query: Record<string, string> = {};
    if (inQuery) for (const [k, v] of Object.entries(signed)) query[k] = stringifyForSignature(v);
    const res = await this.transport({
      method,
      url: `${this.baseURL}${path}`,
      ...(inQuery ? { query } : { json: signed }),
      timeout: this.timeout,
      platform: PLATFORM,
      secrets: [this.appSecret],
    });
    const body = res.body;
    if (!isObject(body) || typeof body.code !== 'number') {
      if (res.status >= 500)
        throw new CampusAuthError('ERR_PLATFORM', `ncuos answered HTTP ${res.status} without its envelope`, {
          platform: PLATFORM,
          upstreamStatus: res.status,
          retryable: true,
        });
      throw new CampusAuthError('ERR_BAD_RESPONSE', `ncuos answered HTTP ${res.status} without a { code, data } envelope`, {
        platform: PLATFORM,
        upstreamStatus: res.status,
      });
    }
    // 0 and 31 are only answered past the signature check (middlewares/app.go runs first): proof it is good
    if (body.code === 0 || body.code === 31) this.signatureProvenAt = this.now();
    if (body.code === 6) throw await this.unauthorized(res.status, body.msg, opts);
    if (body.code !== 0) {
      const [code, message, retryable] = CODE_MAP[body.code] ?? [
        'ERR_PLATFORM',
        `ncuos refused the call (code ${body.code})`,
        res.status >= 500,
      ];
      throw new CampusAuthError(code, message, {
        platform: PLATFORM,
        upstreamStatus: res.status,
        platformCode: body.code,
        platformMessage: typeof body.msg === 'string' ? body.msg : undefined,
        retryable: retryable ?? false,
        secrets: [this.appSecret],
      });
    }
    return { data: body.data, text: res.text };
  }

  /**
   * Code 6 (ErrUnauthorized, HTTP 401) is the platform's answer both to a bad signature
   * (RequireAppSignature) and, on calls carrying a token, to a refused token. For those calls the
   * signature is checked (`checkSignature`): good → ERR_INVALID_CREDENTIAL (the user's problem),
   * bad → ERR_CONFIG naming appCode / appSecret. For the others it can only be the signature.
   */
  private async unauthorized(status: number, msg: unknown, opts: CallOptions): Promise<CampusAuthError> {
    const meta = {
      platform: PLATFORM,
      upstreamStatus: status,
      platformCode: 6,
      platformMessage: typeof msg === 'string' ? msg : undefined,
      secrets: [this.appSecret],
    };
    const badSignature = () =>
      new CampusAuthError(
        'ERR_CONFIG',
        `ncuos rejected this app's request signature (code 6): the "appSecret" option is not the secret GeniusAuth holds for the "appCode" option (${this.appCode})`,
        meta,
      );
    if (opts.on6 === undefined) return badSignature();
    let good: boolean;
    try {
      good = await this.checkSignature();
    } catch (err) {
      const e = isCampusAuthError(err) ? err : undefined;
      return new CampusAuthError(
        e?.code ?? 'ERR_PLATFORM',
        `ncuos answered code 6 (a refused token or a bad signature) and the signature check that tells them apart failed: ${e?.message ?? 'unknown error'}`,
        { ...meta, retryable: e?.retryable ?? true, cause: err },
      );
    }
    return good ? new CampusAuthError('ERR_INVALID_CREDENTIAL', opts.on6, meta) : badSignature();
  }
}

/** verify.go `binding:"max=32"`: at most 32 characters (code points). */
export function checkPayload(payload: unknown, label: string): void {
  if (typeof payload !== 'string' || codePoints(payload) > PAYLOAD_LIMIT)
    throw new CampusAuthError('ERR_CONFIG', `ncuos: "${label}" must be a string of at most ${PAYLOAD_LIMIT} characters`, {
      platform: PLATFORM,
    });
}

/** Validate verifyLogin options before any call (ERR_CONFIG naming the option). */
export function checkLoginOptions(opts: VerifyLoginOptions): void {
  const fail = (msg: string) => new CampusAuthError('ERR_CONFIG', `ncuos: ${msg}`, { platform: PLATFORM });
  if (opts.grantType !== undefined && opts.grantType !== 'once' && opts.grantType !== 'refresh_token')
    throw fail('option "grantType" must be "once" or "refresh_token"');
  // verify.go: min=0,max=2592000; in refresh_token mode 0 is the default (604800) and 1–604799 is refused
  if (
    opts.valid !== undefined &&
    !(opts.valid === 0 || (Number.isInteger(opts.valid) && opts.valid >= VALID_MIN && opts.valid <= VALID_MAX))
  )
    throw fail(
      `option "valid" must be 0 (the platform default, ${VALID_MIN}) or an integer number of seconds from ${VALID_MIN} to ${VALID_MAX}`,
    );
  if (opts.payload !== undefined) checkPayload(opts.payload, 'payload');
  if (opts.clientIp !== undefined && typeof opts.clientIp !== 'string') throw fail('option "clientIp" must be a string');
}
