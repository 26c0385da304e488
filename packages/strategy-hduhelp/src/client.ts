/**
 * The HDU Helper HTTP API (classic and neo OAuth, neo's tenant / app tokens and service APIs),
 * usable without Passport. The client base validates `baseURL`, `timeout`, `transport` and the
 * clock and maps 429 / 5xx; this file keeps only what is HDU Helper's own: the classic token call
 * is a GET with the client secret in the query, the classic envelope is `{error, msg, data}` and
 * the neo one `{code, msg, data}` — a non-zero code is a failure even with HTTP 200 — which codes
 * blame the app or the token, and the request id every error carries (`requestId`).
 * Token lifecycles (early refresh, rotation, the shared store) live in `tokens.ts`.
 */
import type { CampusAuthErrorOptions, TokenStore, TransportResponse } from '@campus-passport/core';
import {
  PlatformClient,
  processTokenStore,
  type AppTokenManager,
  buildUrl,
  collectSecrets,
  isObject,
  lazySecrets,
  optNumber,
  optString,
  type ClientRequest,
  type PlatformClientOptions,
} from '@campus-passport/core/kit';
import { parseBody, refusal, requestIdOf, type CallKind } from './envelope';
import { checkOpenApiRequest, type HduHelpOpenApiRequest, type HduHelpOpenApiResponse } from './open-api';
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
import {
  appLevelToken,
  DEFAULT_LOCK_LEASE_MS,
  DEFAULT_REFRESH_TOKEN_LIFETIME_MS,
  UserTokenSource,
  type AppLevelAnswer,
  type HduHelpUserTokenSource,
  type HduHelpUserTokenSourceOptions,
} from './tokens';

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
  neoTenantToken: string;
  neoAppToken: string;
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
  // hduhelp-neo-sdk-go core/token.go pathTenantToken, pathAppToken; openapi.yaml
  neoTenantToken: '/hduhelp-neo/open-apis/auth/tenant-access-token/internal',
  neoAppToken: '/hduhelp-neo/open-apis/auth/app-access-token/internal',
};

/** One answer of the platform, its envelope checked. */
interface HduHelpAnswer {
  data: unknown;
  text: string;
  msg?: string;
  requestId?: string;
  status: number;
}

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
  /**
   * neo: where the tenant and app tokens live (keys `hduhelp:tenant:<baseURL>:<app id>`,
   * `hduhelp:app:…`). Default: the process store. A RedisTokenStore shares them across processes.
   */
  tokenStore?: TokenStore;
}

export interface AuthorizationURLParams {
  redirectURI: string;
  state?: string;
  /** neo: comma-separated or a list. */
  scope?: string | string[];
  /** neo: the PKCE S256 challenge. */
  codeChallenge?: string;
}

export class HduHelpClient extends PlatformClient {
  readonly api: HduHelpApi;
  readonly paths: Readonly<HduHelpPaths>;
  private readonly clientID: string;
  private readonly clientSecret: string;
  private readonly tokenStore: TokenStore;
  /** The tenant / app token managers, made on first use (one object: a view of the client shares it). */
  private readonly appLevels: { tenant?: AppTokenManager; app?: AppTokenManager } = {};

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
    this.tokenStore = this.check.optTokenStore(options.tokenStore) ?? processTokenStore();
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

  /**
   * neo: a user's access token kept fresh — refreshed 60 s before expiry (at most half its
   * lifetime), the rotated refresh token kept in `store`, one refresh per key at a time across
   * every process sharing the store (hduhelp-neo-sdk-go core/userauth.go UserTokenSource).
   */
  userTokenSource(options: HduHelpUserTokenSourceOptions): HduHelpUserTokenSource {
    this.only('neo', 'userTokenSource');
    const o = this.check.object(options, 'userTokenSource() options');
    const key = this.check.string(o.key, 'key');
    const init = o.initial as { accessToken?: unknown; credentials?: { accessToken?: unknown } } | undefined;
    if (init !== undefined && typeof (init?.credentials?.accessToken ?? init?.accessToken) !== 'string')
      throw this.check.fail('option "initial" must be the credentials (or the token result) of a login');
    return new UserTokenSource(
      key,
      {
        key: `hduhelp:user:${this.baseURL}:${this.clientID}:${key}`,
        store: this.check.optTokenStore(o.store, 'store') ?? processTokenStore(),
        now: this.now,
        timeout: this.timeout,
        lockLease: this.check.ms(o.lockLease, 'lockLease', DEFAULT_LOCK_LEASE_MS),
      },
      {
        refresh: (refreshToken) => this.refreshAccessToken(refreshToken),
        revoke: (token, hint) => this.revoke(token, hint),
      },
      this.check.ms(o.refreshTokenLifetime, 'refreshTokenLifetime', DEFAULT_REFRESH_TOKEN_LIFETIME_MS),
      o.initial,
    );
  }

  /**
   * neo: the tenant_access_token (`POST …/auth/tenant-access-token/internal` `{app_id,
   * app_secret}` → `{tenantAccessToken, expire, tenantKey}`; openapi.yaml, core/token.go) —
   * cached in `tokenStore`, renewed early, one fetch at a time across processes.
   */
  tenantAccessToken(): Promise<string> {
    return this.appLevel('tenant').get();
  }

  /** neo: the app_access_token (`…/auth/app-access-token/internal` → `{appAccessToken, expire, tenantKey}`), as the tenant one. */
  appAccessToken(): Promise<string> {
    return this.appLevel('app').get();
  }

  /**
   * neo: one service API call with `Authorization: Bearer` of the kind asked for, `staffId` as
   * the `X-Staff-Id` header (openapi.yaml), the `{code, msg, data}` envelope checked. A tenant /
   * app token the platform rejects is renewed once and the call retried.
   */
  async openApi<T = unknown>(req: HduHelpOpenApiRequest): Promise<HduHelpOpenApiResponse<T>> {
    this.only('neo', 'openApi');
    const r = checkOpenApiRequest(this.check, req);
    const tried: string[] = []; // every token this call used: the retry's error may quote the first
    const attempt = async (token: string): Promise<HduHelpOpenApiResponse<T>> => {
      tried.push(token);
      const res = await this.call(r.auth === 'user' ? 'api-user' : 'api-app', `${r.method} ${r.path}`, {
        method: r.method,
        path: r.path,
        query: r.query,
        json: r.json,
        headers: r.headers(token),
        secrets: tried,
      });
      return { data: res.data as T, msg: res.msg, requestId: res.requestId, status: res.status };
    };
    if (r.accessToken) return attempt(r.accessToken);
    return this.appLevel(r.auth === 'app' ? 'app' : 'tenant').withToken(attempt);
  }

  /** The tenant / app token of this app, made on first use. */
  private appLevel(kind: 'tenant' | 'app'): AppTokenManager {
    this.only('neo', kind === 'tenant' ? 'tenantAccessToken' : 'appAccessToken');
    const made = this.appLevels[kind];
    if (made) return made;
    const tokens = appLevelToken(
      {
        key: `hduhelp:${kind}:${this.baseURL}:${this.clientID}`,
        store: this.tokenStore,
        now: this.now,
        timeout: this.timeout,
        lockLease: DEFAULT_LOCK_LEASE_MS,
      },
      () => this.fetchAppLevel(kind),
    );
    this.appLevels[kind] = tokens;
    return tokens;
  }

  /** One tenant / app token call (JSON `{app_id, app_secret}`, core/token.go postEnvelope). */
  private async fetchAppLevel(kind: 'tenant' | 'app'): Promise<AppLevelAnswer> {
    const field = kind === 'tenant' ? 'tenantAccessToken' : 'appAccessToken';
    const what = `the ${kind} access token`;
    const { data, requestId } = await this.call('app', what, {
      method: 'POST',
      path: kind === 'tenant' ? this.paths.neoTenantToken : this.paths.neoAppToken,
      json: { app_id: this.clientID, app_secret: this.clientSecret },
    });
    const token = isObject(data) ? optString(data, field) : undefined;
    if (!isObject(data) || !token)
      throw this.error('ERR_BAD_RESPONSE', `hduhelp: ${what} answer has no "${field}"`, { requestId });
    return { accessToken: token, expire: optNumber(data, 'expire'), tenantKey: optString(data, 'tenantKey') || undefined };
  }

  private only(api: HduHelpApi, method: string): void {
    if (this.api !== api) throw this.check.fail(`${method}() exists only in the ${api} API (this client is ${this.api})`);
  }

  /**
   * One call: the body parsed here (so even a non-JSON answer's error carries the request id),
   * the status table, then the envelope — `error` (classic) or `code` (neo) must be 0.
   */
  private call(kind: CallKind, what: string, req: ClientRequest & { path: string }): Promise<HduHelpAnswer> {
    // the client secret, and every token / verifier this call carries: never echoed, even when the
    // platform quotes one back in its `msg` (gathered only if an error is built)
    const extra = req.secrets;
    const secrets = lazySecrets(() => [
      this.clientSecret,
      ...collectSecrets(req.query, req.form, req.json, req.headers),
      ...(extra ?? []),
    ]);
    // the request is this call's own (every caller builds it for the call): completed in place
    req.secrets = secrets;
    req.responseType = 'text';
    return this.send<string>(req).then((res) => this.answer(res, kind, what, secrets));
  }

  /** An answer read: the request id, the body, the status table, the envelope. */
  private answer(res: TransportResponse<string>, kind: CallKind, what: string, secrets: Iterable<string>): HduHelpAnswer {
    const requestId = requestIdOf(res.headers);
    const body = parseBody(res, secrets, requestId);
    const env = isObject(body) ? body : undefined;
    const codeKey = this.api === 'classic' ? 'error' : 'code';
    const msg = env ? (optString(env, 'msg') ?? optString(env, 'message')) : undefined;
    const code = env ? optNumber(env, codeKey) : undefined;
    // the success path ends here, before any error's options are built
    if (code === 0 && res.status >= 200 && res.status < 300)
      return { data: env?.data, text: res.text, msg, requestId, status: res.status };
    const said: CampusAuthErrorOptions = {
      upstreamStatus: res.status,
      platformCode: env ? (code ?? optString(env, codeKey)) : undefined,
      platformMessage: msg,
      secrets,
      requestId,
    };
    this.checkStatus(res, what, said);
    if (!env) throw this.error('ERR_BAD_RESPONSE', `hduhelp: ${what} is not a JSON object (HTTP ${res.status})`, said);
    if (code === undefined)
      throw this.error('ERR_BAD_RESPONSE', `hduhelp: ${what} has no numeric "${codeKey}" (HTTP ${res.status})`, said);
    throw refusal(kind, what, codeKey, code, res.status, said);
  }
}
