/**
 * ZAFU's website login (OAuth 2.0 authorization code), usable without Passport: the code exchange
 * and the user-info call. The client base validates `baseURL`, `timeout`, `transport` and the clock
 * and maps 429 / 5xx; this file keeps what is ZAFU's own: the Spring-style `{error,
 * error_description}` refusals, which of them blame the code or the client, and the user-info
 * mapping. The open-platform APIs are in ./open-platform.
 *
 * UNCONFIRMED: ZAFU's "website access" document is not public; the endpoint defaults below are
 * guesses in the platform's Spring Security OAuth2 style. Check them with the platform and override.
 */
import { type CampusAuthError, type QueryValue, type TransportResponse } from '@campus-passport/core';
import { PlatformClient, type PlatformClientOptions } from '@campus-passport/core/kit';
import {
  DEFAULT_PROFILE_FIELDS,
  PLATFORM,
  parseProfile,
  parseUserTokens,
  refusalOf,
  type ZafuCredentials,
  type ZafuProfile,
  type ZafuProfileFields,
} from './profile';

/** The platform's origin. */
export const DEFAULT_BASE_URL = 'https://open.zafu.edu.cn';
/** The older name of {@link DEFAULT_BASE_URL} (the demo app imports it). */
export const ZAFU_BASE_URL = DEFAULT_BASE_URL;
/** UNCONFIRMED authorize endpoint (`<baseURL>/oauth/authorize`). */
export const ZAFU_AUTHORIZATION_URL = `${DEFAULT_BASE_URL}/oauth/authorize`;
/** UNCONFIRMED for authorization codes; the same path serves client credentials, which is documented. */
export const ZAFU_TOKEN_URL = `${DEFAULT_BASE_URL}/oauth/token`;
/** UNCONFIRMED user-info endpoint. */
export const ZAFU_USERINFO_URL = `${DEFAULT_BASE_URL}/oauth/userinfo`;

/**
 * What both ZAFU clients share: a non-200 answer goes through the status table (429, 5xx) and is
 * otherwise read for what the platform said (never carrying the call's secrets).
 */
export abstract class ZafuClientBase extends PlatformClient {
  protected constructor(options: PlatformClientOptions) {
    super(PLATFORM, options, DEFAULT_BASE_URL);
  }

  /** A non-200 answer: 429 / 5xx are thrown by the status table; otherwise what the platform said. */
  protected platformSaid(res: TransportResponse, what: string, secrets: string[]): ReturnType<typeof refusalOf> {
    const said = refusalOf(res.body);
    this.checkStatus(res, what, { ...said, secrets });
    return said;
  }

  /** A refusal no platform code explains: ERR_PLATFORM with the status and what the platform said. */
  protected refusal(res: TransportResponse, what: string, secrets: string[]): CampusAuthError {
    const said = this.platformSaid(res, what, secrets);
    const code = said.platformCode ? `, ${said.platformCode}` : '';
    return this.error('ERR_PLATFORM', `zafu refused ${what} (HTTP ${res.status}${code})`, {
      upstreamStatus: res.status,
      ...said,
      secrets,
    });
  }
}

export interface ZafuOAuthClientOptions extends PlatformClientOptions {
  clientID: string;
  clientSecret: string;
  /** UNCONFIRMED default `<baseURL>/oauth/token`. */
  tokenURL?: string;
  /** UNCONFIRMED default `<baseURL>/oauth/userinfo`. */
  userInfoURL?: string;
  /** How the client authenticates at the token endpoint. Default 'body'. */
  clientAuth?: 'body' | 'basic';
  /** How the user's access token goes to the user-info endpoint. Default 'header' (Bearer). */
  userInfoAuth?: 'header' | 'query';
  /** Where profile fields come from in the user-info JSON. */
  profileFields?: ZafuProfileFields;
}

/** The token and user-info calls of the website login. */
export class ZafuOAuthClient extends ZafuClientBase {
  readonly clientID: string;
  readonly tokenURL: string;
  readonly userInfoURL: string;
  private readonly clientSecret: string;
  private readonly clientAuth: 'body' | 'basic';
  private readonly userInfoAuth: 'header' | 'query';
  private readonly profileFields?: ZafuProfileFields;

  constructor(options: ZafuOAuthClientOptions) {
    super(options);
    const check = this.check;
    this.clientID = check.string(options.clientID, 'clientID');
    this.clientSecret = check.string(options.clientSecret, 'clientSecret');
    this.tokenURL = this.endpoint(options.tokenURL, 'tokenURL', '/oauth/token');
    this.userInfoURL = this.endpoint(options.userInfoURL, 'userInfoURL', '/oauth/userinfo');
    this.clientAuth = check.oneOf(options.clientAuth, 'clientAuth', ['body', 'basic'], 'body');
    this.userInfoAuth = check.oneOf(options.userInfoAuth, 'userInfoAuth', ['header', 'query'], 'header');
    this.profileFields = this.checkProfileFields(options.profileFields);
  }

  /** An endpoint option (checked, kept as given), or `<baseURL><path>`. */
  private endpoint(value: string | undefined, option: string, path: string): string {
    if (value === undefined) return this.url(path);
    this.check.url(value, option);
    return value;
  }

  private checkProfileFields(fields: ZafuProfileFields | undefined): ZafuProfileFields | undefined {
    if (fields === undefined) return undefined;
    if (!fields || typeof fields !== 'object') throw this.check.fail('option "profileFields" must be an object');
    for (const [k, v] of Object.entries(fields)) {
      if (!(k in DEFAULT_PROFILE_FIELDS)) throw this.check.fail(`option "profileFields" has an unknown field "${k}"`);
      const ok = (typeof v === 'string' && v) || (Array.isArray(v) && v.length > 0 && v.every((p) => typeof p === 'string' && p));
      if (!ok) throw this.check.fail(`option "profileFields.${k}" must be a path or a list of paths`);
    }
    return fields;
  }

  /** Exchange an authorization code (with the PKCE verifier when one was used) for the user's tokens. */
  async exchangeCode(input: { code: string; redirectUri?: string; codeVerifier?: string }): Promise<ZafuCredentials> {
    const { clientID, clientSecret } = this;
    const form: Record<string, QueryValue> = {
      grant_type: 'authorization_code',
      code: input.code,
      redirect_uri: input.redirectUri,
      code_verifier: input.codeVerifier,
    };
    const headers: Record<string, string> = {};
    if (this.clientAuth === 'basic') {
      // RFC 6749 §2.3.1: each part form-encoded, then Basic
      const basic = `${encodeURIComponent(clientID)}:${encodeURIComponent(clientSecret)}`;
      headers.authorization = `Basic ${Buffer.from(basic).toString('base64')}`;
    } else {
      form.client_id = clientID;
      form.client_secret = clientSecret;
    }
    const secrets = [clientSecret, input.code];
    const res = await this.send({ method: 'POST', url: this.tokenURL, form, headers, secrets });
    if (res.status === 200) return parseUserTokens(res.body);
    const what = 'the authorization code exchange';
    const { platformCode } = this.platformSaid(res, what, secrets);
    if (platformCode === 'invalid_grant')
      throw this.error(
        'ERR_INVALID_CREDENTIAL',
        'zafu: the authorization code is invalid, expired or already used; start the login again',
        {
          upstreamStatus: res.status,
          platformCode,
        },
      );
    if (platformCode === 'invalid_client' || platformCode === 'unauthorized_client')
      throw this.error('ERR_PLATFORM', `zafu refused the client (${platformCode}): check clientID, clientSecret and clientAuth`, {
        upstreamStatus: res.status,
        platformCode,
      });
    throw this.refusal(res, what, secrets);
  }

  /** The user behind an access token, as a ZafuProfile (through the profileFields mapping). */
  async userInfo(accessToken: string): Promise<ZafuProfile> {
    const viaQuery = this.userInfoAuth === 'query';
    const res = await this.send({
      method: 'GET',
      url: this.userInfoURL,
      query: viaQuery ? { access_token: accessToken } : undefined,
      headers: viaQuery ? {} : { authorization: `Bearer ${accessToken}` },
      secrets: [accessToken],
    });
    if (res.status !== 200) throw this.refusal(res, 'the user-info request', [accessToken]);
    return parseProfile(res.body, res.text, this.profileFields);
  }
}
