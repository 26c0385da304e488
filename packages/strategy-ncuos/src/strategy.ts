/**
 * NcuosStrategy — Passport's face of NCUOS GeniusAuth (南昌大学家园工作室).
 *
 * 1. No token on a GET → redirect to `${baseURL}/?appCode=…` (the platform login page). A POST
 *    without a token has nowhere to go: fail ERR_NO_CREDENTIAL (400).
 * 2. The platform sends the browser to the app's *registered* callback with `?token=` (or a SPA
 *    POSTs `token` in the body); its shape is checked before any call.
 * 3. The token is verified by a signed POST /api/v1/public/login/verify → user (+ refresh/access
 *    tokens in refresh_token mode) → profile → verify(credentials, profile, done).
 * 4. A code 6 from verify (used / expired token, or a bad signature) is settled by the client's
 *    signature check: fail ERR_INVALID_CREDENTIAL (401) or error ERR_CONFIG.
 * The platform carries no `state`: see README "Login CSRF".
 */
import {
  CampusAuthError,
  type AppRequest,
  type CampusRequest,
  type CampusStrategyOptions,
  type VerifyFunction,
  type VerifyFunctionWithRequest,
} from '@campus-passport/core';
import {
  CampusStrategy,
  OptionChecks,
  readParam,
  type CampusAuthenticateOptions,
  type FlowContext,
  type FlowOutcome,
} from '@campus-passport/core/kit';
import { GeniusAuthClient, type GeniusAuthClientOptions } from './client';
import { checkLoginOptions, checkPayload, type GrantType } from './login-form';
import { PLATFORM, toCredentials, toProfile, type NcuosCredentials, type NcuosProfile } from './profile';

export interface NcuosStrategyOptions extends CampusStrategyOptions, Omit<GeniusAuthClientOptions, 'timeout' | 'transport'> {
  /** The app's appCode on GeniusAuth. */
  appCode: string;
  /** The app's appSecret (signs every call; never sent). */
  appSecret: string;
  /** Platform origin. Default https://v.ncuos.com. */
  baseURL?: string;
  /** 'refresh_token' (default): credentials carry refresh + access tokens. 'once': the user only. */
  grantType?: GrantType;
  /** Refresh-token lifetime in seconds: 0 (platform default, 604800) or 604800–2592000. */
  valid?: number;
  /** Payload carried by the tokens (at most 32 characters), fixed or computed per request. */
  payload?: string | ((req: AppRequest) => string);
  /**
   * Send the browser's IP as `clientIp`. The platform currently ignores it: its client-IP check
   * (code 20) is commented out upstream since 2024-12 (GeniusAuthoritarian verify.go), so this is
   * no protection today; it only matters if the platform turns the check back on.
   */
  sendClientIP?: boolean;
  /** @deprecated the old spelling of `sendClientIP`; still accepted. */
  sendClientIp?: boolean;
  /** Clock for the signature's timeStamp (epoch ms). Default Date.now. */
  now?: () => number;
}

export type NcuosVerify<U = unknown> =
  VerifyFunction<NcuosCredentials, NcuosProfile, U> | VerifyFunctionWithRequest<NcuosCredentials, NcuosProfile, U>;

type Outcome = FlowOutcome<NcuosCredentials, NcuosProfile>;

/** Login tokens are JWTs: base64url parts and dots. */
const TOKEN_PATTERN = /^[A-Za-z0-9._~+/=-]+$/;

export class NcuosStrategy<U = unknown> extends CampusStrategy<NcuosCredentials, NcuosProfile, U> {
  /** The API client, for refresh / access-token calls and `requireAccessToken()`. */
  readonly client: GeniusAuthClient;
  private readonly grantType: GrantType;
  private readonly valid?: number;
  private readonly payload?: string | ((req: AppRequest) => string);
  private readonly sendClientIP: boolean;

  // Overloads keyed on passReqToCallback, so an inline verify gets its parameter types.
  constructor(
    options: NcuosStrategyOptions & { passReqToCallback: true },
    verify: VerifyFunctionWithRequest<NcuosCredentials, NcuosProfile, U>,
  );
  constructor(
    options: NcuosStrategyOptions & { passReqToCallback?: false },
    verify: VerifyFunction<NcuosCredentials, NcuosProfile, U>,
  );
  constructor(options: NcuosStrategyOptions, verify: NcuosVerify<U>);
  constructor(options: NcuosStrategyOptions, verify: NcuosVerify<U>) {
    super(PLATFORM, options, verify);
    const { appCode, appSecret, baseURL, now } = options;
    this.client = new GeniusAuthClient({ appCode, appSecret, baseURL, now, timeout: this.timeout, transport: this.transport });
    const check = new OptionChecks(PLATFORM);
    const fixedPayload = typeof options.payload === 'function' ? undefined : options.payload;
    if (fixedPayload !== undefined && typeof fixedPayload !== 'string')
      throw check.fail('option "payload" must be a string or a function (req) => string');
    this.grantType = checkLoginOptions({ grantType: options.grantType, valid: options.valid, payload: fixedPayload });
    if (this.grantType === 'once')
      for (const option of ['valid', 'payload'] as const)
        if (options[option] !== undefined) throw check.fail(`option "${option}" only applies to grantType "refresh_token"`);
    this.valid = options.valid;
    this.payload = options.payload;
    this.sendClientIP = sendClientIPOption(check, options) ?? false;
  }

  protected async flow(req: CampusRequest, _options: CampusAuthenticateOptions, login: FlowContext): Promise<Outcome> {
    // 1–2. the token: ?token= on the registered callback, or `token` in a SPA's POST body
    const token = readParam(req, 'token', { platform: PLATFORM, maxLength: 4096, pattern: TOKEN_PATTERN, label: 'token' });
    if (!token) {
      if (req.method === 'GET' || req.method === 'HEAD') return { kind: 'redirect', url: this.client.loginURL() };
      throw new CampusAuthError('ERR_NO_CREDENTIAL', 'ncuos: the request carries no login token; start the login again', {
        platform: PLATFORM,
        status: 400,
      });
    }

    // 3–4. verify it with the platform (signed, single-use; a code 6 is settled by the client)
    const answer = await this.client.within(login).verifyLogin(token, {
      grantType: this.grantType,
      valid: this.valid,
      payload: this.resolvePayload(req),
      clientIp: this.sendClientIP ? clientIp(req) : undefined,
    });
    return { kind: 'login', credentials: toCredentials(token, answer), profile: toProfile(answer) };
  }

  /** The payload for this request: fixed, or the function's result, at most 32 characters (verify.go). */
  private resolvePayload(req: CampusRequest): string | undefined {
    if (this.grantType !== 'refresh_token' || this.payload === undefined) return undefined;
    if (typeof this.payload === 'string') return this.payload;
    // the app's function reads the app's request (Express, with whatever the app added)
    return checkPayload(this.payload(req as unknown as AppRequest), 'the result of option "payload"');
  }
}

/** `sendClientIP`, or its deprecated spelling `sendClientIp` (when both are given they must agree). */
function sendClientIPOption(check: OptionChecks, o: { sendClientIP?: unknown; sendClientIp?: unknown }): boolean | undefined {
  const value = check.optBoolean(o.sendClientIP, 'sendClientIP') ?? check.optBoolean(o.sendClientIp, 'sendClientIp');
  if (o.sendClientIP !== undefined && o.sendClientIp !== undefined && o.sendClientIP !== o.sendClientIp)
    throw check.fail('options "sendClientIP" and "sendClientIp" (its deprecated spelling) differ: set only "sendClientIP"');
  return value;
}

/** The browser's IP as Express resolved it (honours `trust proxy`), IPv4-mapped IPv6 unwrapped. */
function clientIp(req: CampusRequest): string | undefined {
  const ip = (req as { ip?: string }).ip ?? req.socket?.remoteAddress;
  if (!ip) return undefined;
  return ip.startsWith('::ffff:') ? ip.slice(7) : ip;
}
