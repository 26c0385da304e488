/**
 * The HDU Helper HTTP API (classic and neo OAuth), usable without Passport. Every quirk of the
 * platform lives here: the classic token call is a GET with the client secret in the query, the
 * classic envelope is `{error, msg, data}` and the neo one `{code, msg, data}` — a non-zero code
 * is a failure even with HTTP 200.
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  CampusAuthError,
  DEFAULT_TIMEOUT,
  buildUrl,
  collectSecrets,
  isObject,
  optNumber,
  optString,
  request as defaultTransport,
  type Transport,
  type TransportRequest,
} from '@campus-passport/core';
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
const TOKEN_TYPE_HINTS: readonly string[] = ['access_token', 'refresh_token'];

export interface HduHelpClientOptions {
  /** classic: client_id; neo: app_id. */
  clientID: string;
  /** classic: client_secret; neo: app_secret. */
  clientSecret: string;
  /** The platform origin. Default https://api.hduhelp.com. */
  baseURL?: string;
  api?: HduHelpApi;
  /** Per call, ms. Default 10 000. */
  timeout?: number;
  transport?: Transport;
  /** Classic person-info path. Default /salmon_base/person/info. */
  personInfoPath?: string;
  paths?: Partial<HduHelpPaths>;
  /** Clock for token expiry times (epoch ms). */
  now?: () => number;
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

type CallKind = 'code' | 'refresh' | 'token' | 'app';

/** A PKCE S256 pair: keep `verifier`, send `challenge`. */
export function createPkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export class HduHelpClient {
  readonly api: HduHelpApi;
  readonly baseURL: string;
  readonly paths: Readonly<HduHelpPaths>;
  private readonly clientID: string;
  private readonly clientSecret: string;
  private readonly timeout: number;
  private readonly transport: Transport;
  private readonly now: () => number;

  constructor(options: HduHelpClientOptions) {
    const cfg = (m: string) => new CampusAuthError('ERR_CONFIG', `hduhelp: ${m}`, { platform: PLATFORM });
    if (!options || typeof options !== 'object') throw cfg('options must be an object');
    if (typeof options.clientID !== 'string' || !options.clientID) throw cfg('option "clientID" must be a non-empty string');
    if (typeof options.clientSecret !== 'string' || !options.clientSecret)
      throw cfg('option "clientSecret" must be a non-empty string');
    const api = options.api ?? 'classic';
    if (api !== 'classic' && api !== 'neo') throw cfg('option "api" must be "classic" or "neo"');
    const base = options.baseURL ?? DEFAULT_BASE_URL;
    let parsed: URL;
    try {
      parsed = new URL(base);
    } catch {
      throw cfg('option "baseURL" must be an absolute http(s) URL');
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
      throw cfg('option "baseURL" must be an absolute http(s) URL');
    if (options.timeout !== undefined && !(Number.isFinite(options.timeout) && options.timeout > 0))
      throw cfg('option "timeout" must be a positive number of ms');
    if (options.transport !== undefined && typeof options.transport !== 'function')
      throw cfg('option "transport" must be a function');
    const paths: HduHelpPaths = { ...DEFAULT_PATHS, ...(options.paths ?? {}) };
    if (options.personInfoPath !== undefined) paths.personInfo = options.personInfoPath;
    for (const [k, v] of Object.entries(paths))
      if (typeof v !== 'string' || !v.startsWith('/'))
        throw cfg(`option "${k === 'personInfo' ? 'personInfoPath' : `paths.${k}`}" must be a path starting with "/"`);
    this.api = api;
    this.baseURL = base.replace(/\/+$/, '');
    this.paths = paths;
    this.clientID = options.clientID;
    this.clientSecret = options.clientSecret;
    this.timeout = options.timeout ?? DEFAULT_TIMEOUT;
    this.transport = options.transport ?? defaultTransport;
    this.now = options.now ?? Date.now;
  }

  /** The platform's API origin (what a serverVerify Referer must come from by default). */
  get origin(): string {
    return new URL(this.baseURL).origin;
  }

  /** Where to send the user: classic /oauth/authorize or neo …/authen/authorize (with PKCE). */
  authorizationURL(p: AuthorizationURLParams): string {
    if (this.api === 'classic') {
      return buildUrl(this.url(this.paths.authorize), {
        response_type: 'code',
        client_id: this.clientID,
        redirect_uri: p.redirectURI,
        state: p.state,
      }).toString();
    }
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
        url: this.url(this.paths.token),
        // the platform wants the secret in the URL: the transport redacts it from every error
        query: {
          client_id: this.clientID,
          client_secret: this.clientSecret,
          grant_type: 'authorization_code',
          code,
          state,
        },
      });
      return parseClassicToken(data);
    }
    const { data } = await this.call('code', 'the token exchange', {
      method: 'POST',
      url: this.url(this.paths.neoToken),
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
      url: this.url(this.paths.validate),
      headers: { authorization: `token ${accessToken}` },
    });
    return parseValidate(data);
  }

  /** The signed-in person. classic: person info (`token` header); neo: user-info (Bearer). */
  async personInfo(accessToken: string, userId?: string): Promise<HduHelpProfile> {
    if (this.api === 'classic') {
      const { data, text } = await this.call('token', 'the person info', {
        method: 'GET',
        url: this.url(this.paths.personInfo),
        headers: { authorization: `token ${accessToken}` },
      });
      return parsePersonInfo(data, text, userId);
    }
    const { data, text } = await this.call('token', 'the user info', {
      method: 'GET',
      url: this.url(this.paths.neoUserInfo),
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
      url: this.url(this.paths.neoRefresh),
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
    if (tokenTypeHint !== undefined && !TOKEN_TYPE_HINTS.includes(tokenTypeHint))
      throw new CampusAuthError('ERR_CONFIG', 'hduhelp: revoke() tokenTypeHint must be "access_token" or "refresh_token"', {
        platform: PLATFORM,
      });
    await this.call('app', 'the token revocation', {
      method: 'POST',
      url: this.url(this.paths.neoRevoke),
      json: {
        app_id: this.clientID,
        app_secret: this.clientSecret,
        token,
        ...(tokenTypeHint ? { token_type_hint: tokenTypeHint } : {}),
      },
    });
  }

  private url(path: string): string {
    return `${this.baseURL}${path}`;
  }

  private only(api: HduHelpApi, method: string): void {
    if (this.api !== api)
      throw new CampusAuthError('ERR_CONFIG', `hduhelp: ${method}() exists only in the ${api} API (this client is ${this.api})`, {
        platform: PLATFORM,
      });
  }

  /** One call through the transport, with the envelope read and every failure classified. */
  private async call(
    kind: CallKind,
    what: string,
    req: Pick<TransportRequest, 'method' | 'url' | 'query' | 'form' | 'json' | 'headers'>,
  ): Promise<{ data: unknown; text: string }> {
    // the client secret, and every token / verifier this call carries: never echoed, even when the
    // platform quotes one back in its `msg`
    const secrets = [this.clientSecret, ...collectSecrets(req.query, req.form, req.json, req.headers)];
    const res = await this.transport({ ...req, timeout: this.timeout, platform: PLATFORM, secrets });
    const body = res.body;
    const env = isObject(body) ? body : undefined;
    const codeKey = this.api === 'classic' ? 'error' : 'code';
    const platformCode = env ? (optNumber(env, codeKey) ?? optString(env, codeKey)) : undefined;
    const platformMessage = env ? (optString(env, 'msg') ?? optString(env, 'message')) : undefined;
    const base = { platform: PLATFORM, upstreamStatus: res.status, platformCode, platformMessage, secrets };

    if (res.status === 429) throw new CampusAuthError('ERR_RATE_LIMITED', `hduhelp is rate limiting ${what} (HTTP 429)`, base);
    if (res.status >= 500)
      throw new CampusAuthError('ERR_PLATFORM', `hduhelp failed ${what} (HTTP ${res.status})`, { ...base, retryable: true });
    if (!env) throw new CampusAuthError('ERR_BAD_RESPONSE', `hduhelp: ${what} is not a JSON object (HTTP ${res.status})`, base);
    const code = optNumber(env, codeKey);
    if (code === undefined)
      throw new CampusAuthError('ERR_BAD_RESPONSE', `hduhelp: ${what} has no numeric "${codeKey}" (HTTP ${res.status})`, base);
    if (code === 0 && res.status >= 200 && res.status < 300) return { data: env.data, text: res.text };
    throw this.refusal(kind, what, code, res.status, base);
  }

  private refusal(kind: CallKind, what: string, code: number, status: number, base: object): CampusAuthError {
    const said = `(HTTP ${status}, ${this.api === 'classic' ? 'error' : 'code'} ${code})`;
    const appRefused = APP_REFUSED_CODES.has(code) || status === 403 || (status === 401 && kind !== 'token');
    if (appRefused || kind === 'app')
      return new CampusAuthError(
        'ERR_PLATFORM',
        `hduhelp refused ${what} ${said}; check clientID / clientSecret and the app registration`,
        base,
      );
    if (kind === 'code')
      return new CampusAuthError('ERR_INVALID_CREDENTIAL', `hduhelp refused the code: invalid, used or expired ${said}`, base);
    if (kind === 'refresh')
      return new CampusAuthError('ERR_INVALID_CREDENTIAL', `hduhelp refused the refresh token ${said}`, base);
    if (status === 401 || TOKEN_REFUSED_CODES.has(code))
      return new CampusAuthError('ERR_INVALID_CREDENTIAL', `hduhelp refused the access token for ${what} ${said}`, base);
    return new CampusAuthError('ERR_PLATFORM', `hduhelp refused ${what} ${said}`, base);
  }
}
