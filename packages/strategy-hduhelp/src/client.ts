/**
 * The HDU Helper HTTP API (classic and neo OAuth), usable without Passport. The client base
 * validates `baseURL`, `timeout`, `transport` and the clock and maps 429 / 5xx; this file keeps
 * only what is HDU Helper's own: the classic token call is a GET with the client secret in the
 * query, the classic envelope is `{error, msg, data}` and the neo one `{code, msg, data}` — a
 * non-zero code is a failure even with HTTP 200 — and which codes blame the app or the token.
 */
import type { CampusAuthErrorOptions } from '@campus-passport/core';
import {
  PlatformClient,
  buildUrl,
  collectSecrets,
  isObject,
  optNumber,
  optString,
  type ClientRequest,
  type PlatformClientOptions,
} from '@campus-passport/core/kit';
import {
  PLATFORM,
  parseClassicToken,
  parseNeoToken,
  parseNeoUser,
  parsePersonInfo,
  parseValidate,
  type HduHelpProfile,
  type HduHelpTokenInfo,
  type HduHelpTokenResult,
} from './profile';

/** The platform's API origin. */
export const DEFAULT_BASE_URL = 'https://api.hduhelp.com';

/** Every path the client calls; each can be overridden (`paths` option). */
export interface HduHelpPaths {
  authorize: string;
  token: string;
  validate: string;
  personInfo: string;
  neoAuthorize: string;
  neoToken: string;
  neoRefresh: string;
  neoUserInfo: string;
  neoRevoke: string;
}

export const DEFAULT_PATHS: Readonly<HduHelpPaths> = {
  authorize: '/oauth/authorize',
  token: '/oauth/token',
  validate: '/oauth/token/validate',
  personInfo: '/salmon_base/person/info',
  neoAuthorize: '/hduhelp-neo/open-apis/authen/authorize',
  neoToken: '/hduhelp-neo/open-apis/authen/access-token',
  neoRefresh: '/hduhelp-neo/open-apis/authen/refresh-access-token',
  neoUserInfo: '/hduhelp-neo/open-apis/authen/user-info',
  neoRevoke: '/hduhelp-neo/open-apis/authen/revoke',
};

/** The deprecated person-info path of the seed (upper-case fields); pass it as `personInfoPath`. */
export const DEPRECATED_PERSON_INFO_PATH = '/base/person/info';

export type HduHelpApi = 'classic' | 'neo';

/** neo revoke: which kind of token is revoked (openapi.yaml AuthenRevokeRequestBody token_type_hint). */
export type HduHelpTokenTypeHint = 'access_token' | 'refresh_token';

export interface HduHelpClientOptions extends PlatformClientOptions {
  /** classic: client_id; neo: app_id. */
  clientID: string;
  /** classic: client_secret; neo: app_secret. */
  clientSecret: string;
  /** 'classic' (default) or 'neo'. */
  api?: HduHelpApi;
  /** Classic person-info path. Default /salmon_base/person/info. */
  personInfoPath?: string;
  paths?: Partial<HduHelpPaths>;
}

export interface AuthorizationURLParams {
  redirectURI: string;
  state?: string;
  /** neo: comma-separated or a list. */
  scope?: string | string[];
  /** neo: the PKCE S256 challenge. */
  codeChallenge?: string;
}

/** Codes that blame the app (its id/secret/grant), not the user's code. */
const APP_REFUSED_CODES = new Set([40001, 40002, 20001, 20002, 20007]);
/** Codes that say the access token is bad or expired. */
const TOKEN_REFUSED_CODES = new Set([40101, 40102, 20006]);

/** What a call carries, for the refusal wording: the user's code, a refresh token, an access token, or the app alone. */
type CallKind = 'code' | 'refresh' | 'token' | 'app';

export class HduHelpClient extends PlatformClient {
  readonly api: HduHelpApi;
  readonly paths: Readonly<HduHelpPaths>;
  private readonly clientID: string;
  private readonly clientSecret: string;

  constructor(options: HduHelpClientOptions) {
    super(PLATFORM, options, DEFAULT_BASE_URL);
    this.clientID = this.check.string(options.clientID, 'clientID');
    this.clientSecret = this.check.string(options.clientSecret, 'clientSecret');
    this.api = this.check.oneOf(options.api, 'api', ['classic', 'neo'], 'classic');
    const paths: HduHelpPaths = { ...DEFAULT_PATHS, ...(options.paths ?? {}) };
    if (options.personInfoPath !== undefined) paths.personInfo = options.personInfoPath;
    for (const [k, v] of Object.entries(paths))
      if (typeof v !== 'string' || !v.startsWith('/'))
        throw this.check.fail(
          `option "${k === 'personInfo' ? 'personInfoPath' : `paths.${k}`}" must be a path starting with "/"`,
        );
    this.paths = paths;
  }

  /** Where to send the user: classic /oauth/authorize or neo …/authen/authorize (with PKCE). */
  authorizationURL(p: AuthorizationURLParams): string {
    if (this.api === 'classic')
      return buildUrl(this.url(this.paths.authorize), {
        response_type: 'code',
        client_id: this.clientID,
        redirect_uri: p.redirectURI,
        state: p.state,
      }).toString();
    const scope = Array.isArray(p.scope) ? p.scope.join(',') : p.scope;
    return buildUrl(this.url(this.paths.neoAuthorize), {
      app_id: this.clientID,
      response_type: 'code',
      redirect_uri: p.redirectURI,
      scope: scope || undefined,
      state: p.state,
      code_challenge: p.codeChallenge,
      code_challenge_method: p.codeChallenge ? 'S256' : undefined,
    }).toString();
  }

  /**
   * Exchange an authorization code. classic: GET with `state` (seed; open-docs get-access-token.md);
   * neo: POST with a form body and the PKCE verifier (openapi.yaml; core/userauth.go ExchangeCode).
   */
  async exchangeCode(code: string, state?: string, codeVerifier?: string): Promise<HduHelpTokenResult> {
    if (this.api === 'classic') {
      const { data } = await this.call('code', 'the token exchange', {
        method: 'GET',
        path: this.paths.token,
        // the platform wants the secret in the URL: the transport redacts it from every error
        query: { client_id: this.clientID, client_secret: this.clientSecret, grant_type: 'authorization_code', code, state },
      });
      return parseClassicToken(data);
    }
    const { data } = await this.call('code', 'the token exchange', {
      method: 'POST',
      path: this.paths.neoToken,
      form: {
        grant_type: 'authorization_code',
        app_id: this.clientID,
        app_secret: this.clientSecret,
        code,
        code_verifier: codeVerifier,
      },
    });
    return parseNeoToken(data, this.now());
  }

  /** classic: check an access token (GET /oauth/token/validate). */
  async validateToken(accessToken: string): Promise<HduHelpTokenInfo> {
    this.only('classic', 'validateToken');
    const { data } = await this.call('token', 'the token validation', {
      method: 'GET',
      path: this.paths.validate,
      headers: { authorization: `token ${accessToken}` },
    });
    return parseValidate(data);
  }

  /** The signed-in person. classic: person info (`token` header); neo: user-info (Bearer). */
  async personInfo(accessToken: string, userId?: string): Promise<HduHelpProfile> {
    if (this.api === 'classic') {
      const { data, text } = await this.call('token', 'the person info', {
        method: 'GET',
        path: this.paths.personInfo,
        headers: { authorization: `token ${accessToken}` },
      });
      return parsePersonInfo(data, text, userId);
    }
    const { data, text } = await this.call('token', 'the user info', {
      method: 'GET',
      path: this.paths.neoUserInfo,
      headers: { authorization: `Bearer ${accessToken}` },
    });
    return parseNeoUser(data, text);
  }

  /**
   * neo: a new token pair — `POST …/authen/refresh-access-token` with a JSON body `{grant_type:
   * "refresh_token", app_id, app_secret, refresh_token}` (hduhelp-neo-sdk-go openapi.yaml,
   * core/userauth.go Refresh). Refresh tokens are single-use and rotate: keep the new one.
   */
  async refreshAccessToken(refreshToken: string): Promise<HduHelpTokenResult> {
    this.only('neo', 'refreshAccessToken');
    const { data } = await this.call('refresh', 'the token refresh', {
      method: 'POST',
      path: this.paths.neoRefresh,
      json: { grant_type: 'refresh_token', app_id: this.clientID, app_secret: this.clientSecret, refresh_token: refreshToken },
    });
    return parseNeoToken(data, this.now());
  }

  /**
   * neo: revoke an access or refresh token (RFC 7009; idempotent) — `POST …/authen/revoke` with a
   * JSON body `{app_id, app_secret, token, token_type_hint?}` (hduhelp-neo-sdk-go openapi.yaml
   * AuthenRevokeRequestBody). `tokenTypeHint` says which kind `token` is; left out when not given.
   */
  async revoke(token: string, tokenTypeHint?: HduHelpTokenTypeHint): Promise<void> {
    this.only('neo', 'revoke');
    if (tokenTypeHint !== undefined && tokenTypeHint !== 'access_token' && tokenTypeHint !== 'refresh_token')
      throw this.check.fail('revoke() tokenTypeHint must be "access_token" or "refresh_token"');
    await this.call('app', 'the token revocation', {
      method: 'POST',
      path: this.paths.neoRevoke,
      json: {
        app_id: this.clientID,
        app_secret: this.clientSecret,
        token,
        ...(tokenTypeHint ? { token_type_hint: tokenTypeHint } : {}),
      },
    });
  }

  private only(api: HduHelpApi, method: string): void {
    if (this.api !== api) throw this.check.fail(`${method}() exists only in the ${api} API (this client is ${this.api})`);
  }

  /** One call: the status table, then the envelope — `error` (classic) or `code` (neo) must be 0. */
  private async call(
    kind: CallKind,
    what: string,
    req: ClientRequest & { path: string },
  ): Promise<{ data: unknown; text: string }> {
    // the client secret, and every token / verifier this call carries: never echoed, even when the
    // platform quotes one back in its `msg`
    const secrets = [this.clientSecret, ...collectSecrets(req.query, req.form, req.json, req.headers)];
    const res = await this.send({ ...req, secrets });
    const env = isObject(res.body) ? res.body : undefined;
    const codeKey = this.api === 'classic' ? 'error' : 'code';
    const said: CampusAuthErrorOptions = {
      upstreamStatus: res.status,
      platformCode: env ? (optNumber(env, codeKey) ?? optString(env, codeKey)) : undefined,
      platformMessage: env ? (optString(env, 'msg') ?? optString(env, 'message')) : undefined,
      secrets,
    };
    this.checkStatus(res, what, said);
    if (!env) throw this.error('ERR_BAD_RESPONSE', `hduhelp: ${what} is not a JSON object (HTTP ${res.status})`, said);
    const code = optNumber(env, codeKey);
    if (code === undefined)
      throw this.error('ERR_BAD_RESPONSE', `hduhelp: ${what} has no numeric "${codeKey}" (HTTP ${res.status})`, said);
    if (code === 0 && res.status >= 200 && res.status < 300) return { data: env.data, text: res.text };
    throw this.refusal(kind, what, code, res.status, said);
  }

  /** A non-zero code (or a non-2xx status): whose fault it is. */
  private refusal(kind: CallKind, what: string, code: number, status: number, said: CampusAuthErrorOptions) {
    const how = `(HTTP ${status}, ${this.api === 'classic' ? 'error' : 'code'} ${code})`;
    const appRefused = APP_REFUSED_CODES.has(code) || status === 403 || (status === 401 && kind !== 'token');
    if (appRefused || kind === 'app')
      return this.error(
        'ERR_PLATFORM',
        `hduhelp refused ${what} ${how}; check clientID / clientSecret and the app registration`,
        said,
      );
    if (kind === 'code')
      return this.error('ERR_INVALID_CREDENTIAL', `hduhelp refused the code: invalid, used or expired ${how}`, said);
    if (kind === 'refresh') return this.error('ERR_INVALID_CREDENTIAL', `hduhelp refused the refresh token ${how}`, said);
    if (status === 401 || TOKEN_REFUSED_CODES.has(code))
      return this.error('ERR_INVALID_CREDENTIAL', `hduhelp refused the access token for ${what} ${how}`, said);
    return this.error('ERR_PLATFORM', `hduhelp refused ${what} ${how}`, said);
  }
}
