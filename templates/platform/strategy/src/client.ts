/**
 * TmplClient: the HTTP API of TMPL_TITLE_EN, usable without Passport. PlatformClient checks
 * baseURL, timeout, transport and the clock, sends every call through core's transport, and maps
 * 429 / 5xx through the one status table; this file adds only the platform's `{ code, msg, data }`
 * envelope and its code table.
 */
import { type CampusErrorCode, type TransportResponse } from '@campus-passport/core';
import {
  PlatformClient,
  buildUrl,
  expectObject,
  optNumber,
  optString,
  type AuthorizeParams,
  type PlatformClientOptions,
} from '@campus-passport/core/kit';
import { PLATFORM, parseToken, parseUser, type TmplCredentials, type TmplProfile } from './profile';

/** The platform's paths under `baseURL`. unconfirmed (template): hold them to the official source. */
export const TMPL_PATHS = {
  authorize: '/oauth/authorize',
  token: '/oauth/token',
  user: '/api/user',
} as const;

/**
 * The platform's answer codes and what they mean here; any other non-zero code is ERR_PLATFORM.
 * unconfirmed (template): copy the official list.
 */
export const TMPL_PLATFORM_CODES: Readonly<Record<number, CampusErrorCode>> = {
  40000: 'ERR_PLATFORM', // a parameter is missing: our bug, not the user's
  40001: 'ERR_PLATFORM', // the app is unknown or its secret is wrong
  40002: 'ERR_INVALID_CREDENTIAL', // the code is unknown or already used
  40003: 'ERR_INVALID_CREDENTIAL', // the code expired
  40101: 'ERR_INVALID_CREDENTIAL', // the access token is invalid or expired
};

export interface TmplClientOptions extends PlatformClientOptions {
  appId: string;
  appSecret: string;
  /** The platform's origin (required: there is no public default yet). */
  baseURL: string;
}

export class TmplClient extends PlatformClient {
  readonly appId: string;
  private readonly appSecret: string;

  constructor(options: TmplClientOptions) {
    super(PLATFORM, options);
    this.appId = this.check.string(options.appId, 'appId');
    this.appSecret = this.check.string(options.appSecret, 'appSecret');
  }

  /** The login page the browser is sent to. */
  authorizeURL({ redirectURI, state }: Pick<AuthorizeParams, 'redirectURI' | 'state'>): string {
    return buildUrl(this.url(TMPL_PATHS.authorize), {
      response_type: 'code',
      app_id: this.appId,
      redirect_uri: redirectURI,
      state,
    }).toString();
  }

  /** POST /oauth/token: exchange a code for the user's access token. */
  async exchangeCode(code: string): Promise<TmplCredentials> {
    const secrets = [this.appSecret, code];
    const res = await this.send({
      method: 'POST',
      path: TMPL_PATHS.token,
      form: { grant_type: 'authorization_code', app_id: this.appId, app_secret: this.appSecret, code },
      secrets,
    });
    return parseToken(this.envelope(res, 'the code exchange', secrets), this.now());
  }

  /** GET /api/user: the user behind an access token. */
  async user(accessToken: string): Promise<TmplProfile> {
    const secrets = [accessToken];
    const res = await this.send({
      method: 'GET',
      path: TMPL_PATHS.user,
      headers: { authorization: `Bearer ${accessToken}` },
      secrets,
    });
    return parseUser(this.envelope(res, 'the user call', secrets), res.text);
  }

  /** The `{ code, msg, data }` envelope: `data` on code 0; otherwise the code, through the table. */
  private envelope(res: TransportResponse, what: string, secrets: string[]): unknown {
    this.checkStatus(res, what, { secrets });
    const body = expectObject(res.body, PLATFORM, `the answer to ${what}`, res.status);
    const code = optNumber(body, 'code');
    if (code === undefined)
      throw this.error('ERR_BAD_RESPONSE', `${PLATFORM}: the answer to ${what} has no numeric "code"`, {
        upstreamStatus: res.status,
      });
    if (code === 0) return body.data;
    throw this.error(TMPL_PLATFORM_CODES[code] ?? 'ERR_PLATFORM', `${PLATFORM} refused ${what} (code ${code})`, {
      upstreamStatus: res.status,
      platformCode: code,
      platformMessage: optString(body, 'msg'),
      secrets,
    });
  }
}
