/**
 * NcuosStrategy: Passport face of NCUOS GeniusAuth (南昌大学家园工作室).
 *
 * 1. No token on a GET → redirect to `${baseURL}/?appCode=…` (the platform login page).
 * 2. The platform sends the browser to the app's *registered* callback with `?token=` (or a SPA
 *    POSTs `token` in the body).
 * 3. The token is verified by a signed POST /api/v1/public/login/verify → user (+ refresh/access
 *    tokens in refresh_token mode) → profile → verify(credentials, profile, done).
 * 4. A code 6 from verify (used / expired token, or a bad signature) is settled by the client's
 *    signature check: fail ERR_INVALID_CREDENTIAL (401) or error ERR_CONFIG.
 * The platform carries no `state`: see README "Login CSRF".
 */
import {
  CampusAuthError,
  CampusStrategy,
  readParam,
  type CampusAuthenticateOptions,
  type CampusRequest,
  type CampusStrategyOptions,
  type FlowOutcome,
  type VerifyFunction,
  type VerifyFunctionWithRequest,
} from '@campus-passport/core';
import { checkLoginOptions, checkPayload, GeniusAuthClient, PLATFORM } from './client';
import { toCredentials, toProfile, type NcuosCredentials, type NcuosProfile } from './profile';

export interface NcuosStrategyOptions extends CampusStrategyOptions {
  /** The app's appCode on GeniusAuth. */
  appCode: string;
  /** The app's appSecret (signs every call; never sent). */
  appSecret: string;
  /** Platform origin. Default https://v.ncuos.com. */
  baseURL?: string;
  /** 'refresh_token' (default): credentials carry refresh + access tokens. 'once': the user only. */
  grantType?: 'once' | 'refresh_token';
  /** Refresh-token lifetime in seconds: 0 (platform default, 604800) or 604800–2592000. */
  valid?: number;
  /** Payload carried by the tokens (at most 32 characters), fixed or computed per request. */
  payload?: string | ((req: CampusRequest) => string);
  /**
   * Send the browser's IP as `clientIp`. The platform currently ignores it: its client-IP check
   * (code 20) is commented out upstream since 2024-12 (GeniusAuthoritarian verify.go), so this is
   * no protection today; it only matters if the platform turns the check back on.
   */
  sendClientIp?: boolean;
  /** Clock for the signature's timeStamp (epoch ms). Default Date.now. */
  now?: () => number;
}

/** Login tokens are JWTs: base64url parts and dots. */
const TOKEN_PATTERN = /^[A-Za-z0-9._~+/=-]+$/;

export class NcuosStrategy<U = unknown> extends CampusStrategy<NcuosCredentials, NcuosProfile, U> {
  /** The API client, for refresh / access-token calls and `requireAccessToken()`. */
  readonly client: GeniusAuthClient;
  private readonly grantType: 'once' | 'refresh_token';
  private readonly valid?: number;
  private readonly payload?: string | ((req: CampusRequest) => string);
  private readonly sendClientIp: boolean;

  constructor(
    options: NcuosStrategyOptions & { passReqToCallback: true },
    verify: VerifyFunctionWithRequest<NcuosCredentials, NcuosProfile, U>,
  );
  constructor(
    options: NcuosStrategyOptions & { passReqToCallback?: false },
    verify: VerifyFunction<NcuosCredentials, NcuosProfile, U>,
  );
  constructor(
    options: NcuosStrategyOptions,
    verify: VerifyFunction<NcuosCredentials, NcuosProfile, U> | VerifyFunctionWithRequest<NcuosCredentials, NcuosProfile, U>,
  );
  constructor(
    options: NcuosStrategyOptions,
    verify: VerifyFunction<NcuosCredentials, NcuosProfile, U> | VerifyFunctionWithRequest<NcuosCredentials, NcuosProfile, U>,
  ) {
    super(PLATFORM, options, verify);
    this.client = new GeniusAuthClient({
      appCode: options.appCode,
      appSecret: options.appSecret,
      baseURL: options.baseURL,
      timeout: this.timeout,
      transport: this.transport,
      now: options.now,
    });
    checkLoginOptions({
      grantType: options.grantType,
      valid: options.valid,
      payload: typeof options.payload === 'function' ? undefined : options.payload,
    });
    if (options.payload !== undefined && typeof options.payload !== 'string' && typeof options.payload !== 'function')
      throw new CampusAuthError('ERR_CONFIG', 'ncuos: option "payload" must be a string or a function (req) => string', {
        platform: PLATFORM,
      });
    if (options.sendClientIp !== undefined && typeof options.sendClientIp !== 'boolean')
      throw new CampusAuthError('ERR_CONFIG', 'ncuos: option "sendClientIp" must be a boolean', { platform: PLATFORM });
    if (options.valid !== undefined && options.grantType === 'once')
      throw new CampusAuthError('ERR_CONFIG', 'ncuos: option "valid" only applies to grantType "refresh_token"', {
        platform: PLATFORM,
      });
    if (options.payload !== undefined && options.grantType === 'once')
      throw new CampusAuthError('ERR_CONFIG', 'ncuos: option "payload" only applies to grantType "refresh_token"', {
        platform: PLATFORM,
      });
    this.grantType = options.grantType ?? 'refresh_token';
    this.valid = options.valid;
    this.payload = options.payload;
    this.sendClientIp = options.sendClientIp === true;
  }

  protected async flow(
    req: CampusRequest,
    _options: CampusAuthenticateOptions,
  ): Promise<FlowOutcome<NcuosCredentials, NcuosProfile>> {
    // 1. the token: ?token= on the registered callback, or `token` in a SPA's POST body
    const token = readParam(req, 'token', { platform: PLATFORM, maxLength: 4096, pattern: TOKEN_PATTERN, label: 'token' });
    if (!token) {
      // a browser arriving without a token goes to the platform's login page; a POST has nowhere to go
      if (req.method === 'GET' || req.method === 'HEAD') return { kind: 'redirect', url: this.client.loginURL() };
      throw new CampusAuthError('ERR_NO_CREDENTIAL', 'no ncuos token in the request', { platform: PLATFORM, status: 400 });
    }

    // 2. verify it with the platform (signed, single-use)
    const answer = await this.client.verifyLogin(token, {
      grantType: this.grantType,
      valid: this.valid,
      payload: this.resolvePayload(req),
      clientIp: this.sendClientIp ? clientIp(req) : undefined,
    });

    // 3. profile + credentials → verify
    return { kind: 'login', credentials: toCredentials(token, answer), profile: toProfile(answer) };
  }

  private resolvePayload(req: CampusRequest): string | undefined {
    if (this.grantType !== 'refresh_token' || this.payload === undefined) return undefined;
    const value = typeof this.payload === 'function' ? this.payload(req) : this.payload;
    checkPayload(value, 'payload'); // verify.go: at most 32 characters
    return value;
  }
}

/** The browser's IP as Express resolved it (honours `trust proxy`), IPv4-mapped IPv6 unwrapped. */
function clientIp(req: CampusRequest): string | undefined {
  const ip = (req as { ip?: string }).ip ?? req.socket?.remoteAddress;
  if (!ip) return undefined;
  return ip.startsWith('::ffff:') ? ip.slice(7) : ip;
}
