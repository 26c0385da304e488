/**
 * GeniusAuthClient (also exported as NcuosClient): the NCUOS GeniusAuth HTTP API (RefreshToken
 * mode), usable without Passport. The client base validates `baseURL`, `timeout`, `transport` and
 * the clock and maps 429 / 5xx; this file keeps only what is GeniusAuth's own: every call signed
 * (./signature.ts), the `{ code, data, msg }` envelope, the platform-code table, and code 6's two
 * meanings, told apart by a cached proof that the signature is good. Access tokens can also be
 * checked locally against the server's cached Ed25519 key (./local-verify.ts, ./access-token.ts).
 * Source: ncuhome/GeniusAuthoritarian (server) and ncuhome/GeniusAuthoritarianClient (client.go,
 * signature/signature.go); see the README's "Sources" table.
 */
import type { KeyObject } from 'node:crypto';
import { isCampusAuthError, type CampusAuthError, type CampusErrorCode, type HttpMethod } from '@campus-passport/core';
import { PlatformClient, isObject, type PlatformClientOptions } from '@campus-passport/core/kit';
import { parseServerKeyAnswer, type NcuosLocalAccessInfo } from './access-token';
import { LocalAccessVerifier } from './local-verify';
import { checkLoginOptions, type VerifyLoginOptions } from './login-form';
import { requireAccessToken, type AccessTokenMiddleware, type RequireAccessTokenOptions } from './middleware';
import {
  PLATFORM,
  parseAccessVerify,
  parseLoginAnswer,
  parsePayloadAnswer,
  parsePublicUsers,
  parseRefreshAnswer,
  parseUserInfo,
  type NcuosAccessInfo,
  type NcuosLoginAnswer,
  type NcuosPublicUser,
  type NcuosUserInfo,
} from './profile';
import { signParams, signedQuery, type SignableValue } from './signature';

export const DEFAULT_BASE_URL = 'https://v.ncuos.com';
export const PATHS = {
  verifyLogin: '/api/v1/public/login/verify',
  refresh: '/api/v1/app/token/refresh/',
  accessVerify: '/api/v1/app/token/access/verify',
  userInfo: '/api/v1/app/token/access/user/info',
  publicUserInfo: '/api/v1/app/user/info',
  /**
   * Signed, no user token, no database query: the server's JWT public key (local access-token
   * checks), and the call that tells a refused token from a wrong appSecret.
   */
  serverKeys: '/api/v1/app/keypair/server',
} as const;
/**
 * How long a proof that this app's signature is good is trusted (ms): a code-6 answer within this
 * window is read as a refused token without another call. Positive results only.
 */
export const SIGNATURE_PROOF_TTL_MS = 5 * 60_000;

export interface GeniusAuthClientOptions extends PlatformClientOptions {
  appCode: string;
  /** Signs every call; never sent, never in an error. */
  appSecret: string;
  /** Platform origin. Default https://v.ncuos.com (pre-release: https://v.ncuhome.club). */
  baseURL?: string;
}

/**
 * Why the platform refused, by its code (internal/api/callback/code.go): [our code, message,
 * retryable, reason]. The user's refusals (ERR_DENIED, ERR_INVALID_CREDENTIAL) use the wording
 * every strategy uses and carry no platform code in the message (it is in platformCode); `reason`
 * goes to `details.reason` and the fail info.
 */
const CODE_MAP: Record<number, [CampusErrorCode, string, boolean?, string?]> = {
  1: ['ERR_PLATFORM', 'ncuos rejected the request form (code 1): check valid / payload / grantType'],
  3: ['ERR_PLATFORM', 'ncuos does not know this appCode (code 3): check the appCode option and baseURL'],
  4: ['ERR_PLATFORM', 'ncuos failed a database operation (code 4); retry later', true],
  5: ['ERR_PLATFORM', 'ncuos could not complete a remote call (code 5); retry later', true],
  // 6 is ambiguous (a refused token or a bad signature): see GeniusAuthClient#unauthorized
  // 7, 26: raised by the login page today (thirdPartyLogin.go); mapped in case an answer carries them
  7: [
    'ERR_DENIED',
    'ncuos: this account belongs to no group on GeniusAuth; ask to be added to one, then start the login again',
    false,
    'no-group',
  ],
  8: ['ERR_PLATFORM', 'ncuos failed unexpectedly (code 8)', true],
  9: ['ERR_PLATFORM', 'ncuos says the request signature expired (code 9): the server clock is probably skewed'],
  19: ['ERR_RATE_LIMITED', 'ncuos rate limit reached (code 19); retry in a minute', true],
  // 20: the client-IP check, commented out upstream since 2024-12 (verify.go)
  20: ['ERR_DENIED', 'ncuos: the login came from another network; start the login again', false, 'other-network'],
  26: [
    'ERR_DENIED',
    'ncuos: this account has no identity on GeniusAuth; ask for one, then start the login again',
    false,
    'no-identity',
  ],
  31: ['ERR_INVALID_CREDENTIAL', 'ncuos: the token is invalid, expired or revoked; log in again'],
};

/** For calls carrying a token: what a code 6 means once the signature is proven good (ERR_INVALID_CREDENTIAL). */
const LOGIN_TOKEN_REFUSED = 'ncuos: the login token is invalid, expired or already used; start the login again';
const TOKEN_OF_OTHER_APP = 'ncuos: this token was issued to another app; log in again';

/** The NCUOS GeniusAuth API. */
export class GeniusAuthClient extends PlatformClient {
  readonly appCode: string;
  private readonly appSecret: string;
  /**
   * `at`: when (this.now()) a signed call last proved the signature good (see
   * SIGNATURE_PROOF_TTL_MS); `check`: the signature check in flight, which concurrent code-6
   * answers share. One object made here, so a login's view (`within()`) updates the client's.
   */
  private readonly signature: { at?: number; check?: Promise<boolean> } = {};
  /** Local access-token checks against the cached server key (./local-verify.ts). */
  private readonly local: LocalAccessVerifier;

  constructor(options: GeniusAuthClientOptions) {
    super(PLATFORM, options, DEFAULT_BASE_URL);
    this.appCode = this.check.string(options.appCode, 'appCode');
    this.appSecret = this.check.string(options.appSecret, 'appSecret');
    this.local = new LocalAccessVerifier(
      this.appCode,
      () => this.now(),
      () => this.getServerPublicKey(),
    );
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
    const grantType = checkLoginOptions(opts);
    const refreshMode = grantType === 'refresh_token';
    const { data, text } = await this.call(
      'POST',
      PATHS.verifyLogin,
      {
        token,
        grantType,
        clientIp: opts.clientIp || undefined,
        valid: refreshMode ? opts.valid : undefined,
        payload: refreshMode ? opts.payload || undefined : undefined,
      },
      LOGIN_TOKEN_REFUSED,
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
    const proof = this.signature;
    if (proof.at !== undefined && this.now() - proof.at < SIGNATURE_PROOF_TTL_MS) return true;
    const check = (proof.check ??= this.call('GET', PATHS.serverKeys, {}).then(
      () => true,
      (err: unknown) => {
        if (isCampusAuthError(err) && err.code === 'ERR_CONFIG' && err.platformCode === 6) return false;
        throw err;
      },
    ));
    try {
      return await check;
    } finally {
      if (proof.check === check) proof.check = undefined;
    }
  }

  /** A fresh access token (5 minutes) from a refresh token; the answer's snake_case is mapped. */
  async refreshAccessToken(refreshToken: string): Promise<{ accessToken: string; payload: string }> {
    // code 6 after a good signature: the refresh token belongs to another app (controllers/app/token.go)
    const { data } = await this.call('POST', PATHS.refresh, { token: refreshToken }, TOKEN_OF_OTHER_APP);
    return parseRefreshAnswer(data);
  }

  /** Check an access token with the platform (one signed call): `{ uid, payload }`. Sees revocations. */
  async verifyAccessToken(accessToken: string): Promise<NcuosAccessInfo> {
    // code 6 after a good signature: the access token belongs to another app (middlewares/app.go RequireAccessToken)
    const { data } = await this.call('POST', PATHS.accessVerify, { token: accessToken }, TOKEN_OF_OTHER_APP);
    return parseAccessVerify(data);
  }

  /** The user behind an access token. */
  async getUserInfo(accessToken: string): Promise<NcuosUserInfo> {
    const { data } = await this.call('POST', PATHS.userInfo, { token: accessToken }, TOKEN_OF_OTHER_APP);
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
    if (typeof payload !== 'string' || payload === '') throw this.check.fail('modifyPayload needs a non-empty "payload" string');
    const fields = { token: refreshToken, payload, accessToken: opts.accessToken === true };
    const { data } = await this.call('PATCH', PATHS.refresh, fields);
    return parsePayloadAnswer(data);
  }

  /** Destroy a refresh token (log out): it and its access tokens stop working. */
  async destroyRefreshToken(refreshToken: string): Promise<void> {
    await this.call('DELETE', PATHS.refresh, { token: refreshToken });
  }

  /** Public info of users by id (`GET /app/user/info?id=1,2`). */
  async getPublicUserInfo(ids: Array<number | string>): Promise<NcuosPublicUser[]> {
    if (!Array.isArray(ids) || ids.length === 0 || ids.some((i) => !/^\d+$/.test(String(i))))
      throw this.check.fail('getPublicUserInfo needs a non-empty list of numeric ids');
    const { data } = await this.call('GET', PATHS.publicUserInfo, { id: ids.map(String).join(',') });
    return parsePublicUsers(data);
  }

  /**
   * Check an access token here, without a platform call once the server key is cached: Ed25519
   * signature, `type` Access, `exp` (3 s leeway), this app's `appCode`. Blind to revocation (a
   * destroyed refresh token, a user changed on the platform) until the token expires (≤ 5 min); see
   * the README. Refused → ERR_INVALID_CREDENTIAL; a failed key fetch → that fetch's error.
   */
  verifyAccessTokenLocally(accessToken: string): Promise<NcuosLocalAccessInfo> {
    return this.local.verify(accessToken);
  }

  /**
   * The server's JWT public key: signed `GET /api/v1/app/keypair/server`, `data.jwt` decoded
   * (controllers/app/keypair.go). Not cached here (verifyAccessTokenLocally caches it).
   */
  async getServerPublicKey(): Promise<KeyObject> {
    try {
      const { data } = await this.call('GET', PATHS.serverKeys, {});
      return parseServerKeyAnswer(data);
    } catch (err) {
      if (!isCampusAuthError(err)) throw err;
      const { code, status, upstreamStatus, platformCode, platformMessage, retryable } = err;
      throw this.error(code, `could not fetch the ncuos server public key: ${err.message}`, {
        status,
        upstreamStatus,
        platformCode,
        platformMessage,
        retryable,
        cause: err,
      });
    }
  }

  /** Express middleware for API routes: `requireAccessToken(this, options)` (./middleware.ts). */
  requireAccessToken(options?: RequireAccessTokenOptions): AccessTokenMiddleware {
    return requireAccessToken(this, options);
  }

  /**
   * Sign, send (middlewares/app.go: POST/PATCH read a JSON body, GET/DELETE the query), unwrap the
   * envelope, map the platform's codes. `on6`: for calls carrying a token, what a code 6 means
   * once the signature is proven good.
   */
  private async call(
    method: HttpMethod,
    path: string,
    fields: Record<string, SignableValue>,
    on6?: string,
  ): Promise<{ data: unknown; text: string }> {
    const signed = signParams(fields, this.appCode, this.appSecret, this.now());
    const inQuery = method === 'GET' || method === 'DELETE';
    const secrets = [this.appSecret];
    const res = await this.send({
      method,
      path,
      query: inQuery ? signedQuery(signed) : undefined,
      json: inQuery ? undefined : signed,
      secrets,
    });
    const body = isObject(res.body) && typeof res.body.code === 'number' ? res.body : undefined;
    const said = {
      upstreamStatus: res.status,
      platformCode: body?.code as number | undefined,
      platformMessage: typeof body?.msg === 'string' ? body.msg : undefined,
      secrets,
    };
    // the status table where no envelope explains the answer; 429 is rate limiting whatever the body says
    if (!body || res.status === 429) this.checkStatus(res, `${method} ${path}`, said);
    if (!body) throw this.error('ERR_BAD_RESPONSE', `ncuos answered HTTP ${res.status} without a { code, data } envelope`, said);
    const code = body.code as number;
    // 0 and 31 are only answered past the signature check (middlewares/app.go runs first): proof it is good
    if (code === 0 || code === 31) this.signature.at = this.now();
    if (code === 0) return { data: body.data, text: res.text };
    if (code === 6) throw await this.unauthorized(said, on6);
    const [ours, message, retryable, reason] = CODE_MAP[code] ?? [
      'ERR_PLATFORM',
      `ncuos refused the call (code ${code})`,
      res.status >= 500,
    ];
    throw this.error(ours, message, { ...said, retryable: retryable ?? false, details: reason ? { reason } : undefined });
  }

  /**
   * Code 6 (ErrUnauthorized, HTTP 401) is the platform's answer both to a bad signature
   * (RequireAppSignature) and, on calls carrying a token, to a refused token. For those calls the
   * signature is checked (`checkSignature`): good → ERR_INVALID_CREDENTIAL (the user's problem),
   * bad → ERR_CONFIG naming appCode / appSecret. For the others it can only be the signature.
   */
  private async unauthorized(said: { upstreamStatus: number; platformMessage?: string; secrets: string[] }, on6?: string) {
    const meta = { ...said, platformCode: 6 };
    const badSignature = (): CampusAuthError =>
      this.error(
        'ERR_CONFIG',
        `ncuos rejected this app's request signature (code 6): the "appSecret" option is not the secret GeniusAuth holds for the "appCode" option (${this.appCode})`,
        meta,
      );
    if (on6 === undefined) return badSignature();
    let good: boolean;
    try {
      good = await this.checkSignature();
    } catch (err) {
      const e = isCampusAuthError(err) ? err : undefined;
      return this.error(
        e?.code ?? 'ERR_PLATFORM',
        `ncuos answered code 6 (a refused token or a bad signature) and the signature check that tells them apart failed: ${e?.message ?? 'unknown error'}`,
        { ...meta, retryable: e?.retryable ?? true, cause: err },
      );
    }
    return good ? this.error('ERR_INVALID_CREDENTIAL', on6, meta) : badSignature();
  }
}
