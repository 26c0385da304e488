/**
 * The Ziqiang Auth backend API (自强 Auth), usable without Passport: app login / refresh through
 * core's AppTokenManager, code → union id, union id → user, app info. All platform quirks live here.
 */
import {
  AppTokenManager,
  CampusAuthError,
  DEFAULT_TIMEOUT,
  isCampusAuthError,
  processTokenStore,
  collectSecrets,
  request as defaultTransport,
  type AppToken,
  type HttpMethod,
  type JsonObject,
  type QueryValue,
  type TokenStore,
  type Transport,
} from '@campus-passport/core';
import {
  PLATFORM,
  SUCCESS_CODE,
  appLoginToToken,
  parseAppInfo,
  parseAppLogin,
  parseEnvelope,
  parseRefresh,
  parseUnionId,
  parseUser,
  successData,
  type ZiqiangAppInfo,
  type ZiqiangAppLogin,
  type ZiqiangEnvelope,
  type ZiqiangProfile,
} from './profile';

/** The production API origin. */
export const DEFAULT_BASE_URL = 'https://api.cas.ziqiang.net.cn';

const APP_LOGIN_PATH = '/auth/apps/';
const REFRESH_PATH = '/auth/refresh/';
const UNION_ID_PATH = '/sso/union-id/';
const usersPath = (unionId: string) => `/users/${encodeURIComponent(unionId)}/`;
const appPath = (id: string | number) => `/apps/${encodeURIComponent(String(id))}/`;

/** Ziqiang error codes this package reacts to. */
export const ZiqiangCodes = {
  LOGIN_FAILED: 'A0210',
  TOKEN_INVALID: 'A0221',
  NOT_LOGGED_IN: 'A0310',
  NOT_ACTIVE: 'A0311',
  THROTTLED: 'A0512',
  NOT_FOUND: 'A0514',
} as const;

export interface ZiqiangClientOptions {
  /** The app's key (app_key). */
  appKey: string;
  /** The app's secret (app_secret). Never appears in an error or log. */
  appSecret: string;
  /** API origin. Default `https://api.cas.ziqiang.net.cn`. */
  baseURL?: string;
  /** Per call, ms. Default 10 000. */
  timeout?: number;
  /** Custom transport (e.g. `axiosTransport(...)`). */
  transport?: Transport;
  /** Where the app token lives (key `ziqiang:<appKey>`). Default: a memory store of this client. */
  tokenStore?: TokenStore;
  /** Clock for token expiry (epoch ms). Default `Date.now`. */
  now?: () => number;
}

type CallContext = 'app-login' | 'refresh' | 'union-id' | 'users' | 'app';

function config(message: string): CampusAuthError {
  return new CampusAuthError('ERR_CONFIG', `ziqiang: ${message}`, { platform: PLATFORM });
}

/** Validate an http(s) URL option; returns it without a trailing slash. */
export function checkURL(value: unknown, option: string): string {
  if (typeof value !== 'string' || !value) throw config(`option "${option}" must be an http(s) URL`);
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    throw config(`option "${option}" must be an http(s) URL`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw config(`option "${option}" must be an http(s) URL`);
  return value.replace(/\/+$/, '');
}

export class ZiqiangClient {
  readonly baseURL: string;
  /**
   * The app-token manager (cached, single-flight, refresh before expiry). The client's own calls
   * renew a rejected token refresh-first (see `authorized`), not through `tokens.withToken`.
   */
  readonly tokens: AppTokenManager;
  private readonly appKey: string;
  private readonly appSecret: string;
  private readonly timeout: number;
  private readonly transport: Transport;
  private readonly now: () => number;
  private readonly store: TokenStore;
  private readonly tokenKey: string;

  constructor(options: ZiqiangClientOptions) {
    if (!options || typeof options !== 'object') throw config('options must be an object');
    if (typeof options.appKey !== 'string' || !options.appKey) throw config('option "appKey" must be a non-empty string');
    if (typeof options.appSecret !== 'string' || !options.appSecret)
      throw config('option "appSecret" must be a non-empty string');
    if (options.timeout !== undefined && !(Number.isFinite(options.timeout) && options.timeout > 0))
      throw config('option "timeout" must be a positive number of ms');
    if (options.transport !== undefined && typeof options.transport !== 'function')
      throw config('option "transport" must be a function');
    const store = options.tokenStore;
    if (
      store !== undefined &&
      (!store || typeof store.get !== 'function' || typeof store.set !== 'function' || typeof store.delete !== 'function')
    )
      throw config('option "tokenStore" must have get, set and delete');
    this.appKey = options.appKey;
    this.appSecret = options.appSecret;
    this.baseURL = checkURL(options.baseURL ?? DEFAULT_BASE_URL, 'baseURL');
    this.timeout = options.timeout ?? DEFAULT_TIMEOUT;
    this.transport = options.transport ?? defaultTransport;
    this.now = options.now ?? Date.now;
    this.store = store ?? processTokenStore();
    this.tokenKey = `ziqiang:${this.baseURL}:${this.appKey}`;
    this.tokens = new AppTokenManager({
      key: this.tokenKey,
      store: this.store,
      fetch: async () => appLoginToToken(await this.appLogin()),
      refresh: (token) => this.refreshAppToken(token),
      now: this.now,
      platform: PLATFORM,
    });
  }

  // ---- app token ---------------------------------------------------------------------------

  /** `POST /auth/apps/` — a brand-new app login (bypasses the cache; prefer `getAppToken`). */
  async appLogin(): Promise<ZiqiangAppLogin> {
    const { data } = await this.call('POST', APP_LOGIN_PATH, 'app-login', {
      json: { app_key: this.appKey, app_secret: this.appSecret },
    });
    return parseAppLogin(data, this.now());
  }

  /** `POST /auth/refresh/` — a new access token for `token`; the refresh token is kept. */
  async refreshAppToken(token: AppToken): Promise<AppToken> {
    if (!token.refreshToken) throw config('no refresh token to refresh with');
    const { data } = await this.call('POST', REFRESH_PATH, 'refresh', { json: { refresh: token.refreshToken } });
    return parseRefresh(data, token, this.now());
  }

  /** The current app token (cached; logs in or refreshes when needed). */
  getAppToken(): Promise<AppToken> {
    return this.tokens.getToken();
  }

  /** The app's English id (`username` from app login): the login page's `app-name`. */
  async appUsername(): Promise<string> {
    const token = await this.tokens.getToken();
    const username = token.extra?.username;
    if (typeof username === 'string' && username) return username;
    // A token stored by something else (e.g. an older version) without the app data.
    const id = token.extra?.id;
    if (typeof id === 'string' || typeof id === 'number') return (await this.appInfo(id)).username;
    throw config('the stored app token does not say the app name; set option "appName"');
  }

  // ---- user and app calls --------------------------------------------------------------------

  /** `POST /sso/union-id/` — exchange the login code (single-use, 5 minutes) for the union id. */
  async getUnionId(code: string): Promise<string> {
    const { data } = await this.authorized('POST', UNION_ID_PATH, 'union-id', { json: { code } });
    return parseUnionId(data);
  }

  /** `GET /users/{union_id}/?detail=` — the user (default with detail). */
  async getUser(unionId: string, options: { detail?: boolean } = {}): Promise<ZiqiangProfile> {
    const { data, text } = await this.authorized('GET', usersPath(unionId), 'users', {
      query: { detail: options.detail ?? true },
    });
    return parseUser(unionId, data, text);
  }

  /** `GET /apps/{id}/` — this app's registration (default: the id from app login). */
  async appInfo(id?: string | number): Promise<ZiqiangAppInfo> {
    const appId = id ?? (await this.tokens.getToken()).extra?.id;
    if (typeof appId !== 'string' && typeof appId !== 'number') throw config('the app id is unknown');
    const { data } = await this.authorized('GET', appPath(appId), 'app');
    return parseAppInfo(data);
  }

  /** `GET /` — the platform's token test. Resolves when the app token works. */
  async test(): Promise<void> {
    await this.authorized('GET', '/', 'app');
  }

  // ---- plumbing ---------------------------------------------------------------------------

  /**
   * A call with the app token. On A0221 (token invalid) the access token is renewed refresh-first
   * — `POST /auth/refresh/`, and app login only when the refresh is refused — and the call is
   * retried exactly once, as the official SDK does (zq_auth_sdk/client/base.py `_handle_result`,
   * `_refresh`). A second rejection is the caller's error (no retry loop).
   */
  private async authorized(
    method: HttpMethod,
    path: string,
    ctx: CallContext,
    body: { json?: unknown; query?: Record<string, QueryValue> } = {},
  ): Promise<{ data: JsonObject; text: string }> {
    const first = await this.tokens.getToken();
    try {
      return await this.call(method, path, ctx, { ...body, token: first.accessToken });
    } catch (err) {
      if (!isCampusAuthError(err) || !err.appTokenRejected) throw err;
      await this.expireAccessToken(first.accessToken);
      const renewed = await this.tokens.getToken(); // refresh first; app login if that fails
      return this.call(method, path, ctx, { ...body, token: renewed.accessToken });
    }
  }

  /**
   * Mark a rejected access token as expired but keep its refresh token, so that the token manager
   * renews it with `/auth/refresh/` (core's `withToken` deletes the whole record, which would force
   * an app login). Only while it is still the stored token: another caller may have renewed it.
   */
  private async expireAccessToken(accessToken: string): Promise<void> {
    const current = await this.store.get(this.tokenKey);
    if (current?.accessToken === accessToken)
      await this.store.set(this.tokenKey, { ...current, expiresAt: Math.min(current.expiresAt, this.now()) });
  }

  private async call(
    method: HttpMethod,
    path: string,
    ctx: CallContext,
    opts: { json?: unknown; query?: Record<string, QueryValue>; token?: string },
  ): Promise<{ data: JsonObject; text: string }> {
    const headers = opts.token ? { authorization: `Bearer ${opts.token}` } : undefined;
    // the app secret, the app token and the refresh token: never echoed, even when the platform
    // quotes one back in its `msg`
    const secrets = [this.appSecret, ...collectSecrets(opts.json, headers)];
    const res = await this.transport({
      method,
      url: `${this.baseURL}${path}`,
      json: opts.json,
      query: opts.query,
      headers,
      timeout: this.timeout,
      platform: PLATFORM,
      secrets,
    });
    const env = parseEnvelope(res.body, res.status);
    if (env.code === SUCCESS_CODE) return { data: successData(env, res.status, ctx), text: res.text };
    throw this.platformError(env, res.status, ctx, secrets);
  }

  /** Map a Ziqiang error envelope to a CampusAuthError, by code and by which call it answered. */
  private platformError(env: ZiqiangEnvelope, status: number, ctx: CallContext, secrets: string[]): CampusAuthError {
    const base = {
      platform: PLATFORM,
      upstreamStatus: status,
      platformCode: env.code,
      platformMessage: env.msg || env.detail,
      secrets,
    };
    const err = (code: ConstructorParameters<typeof CampusAuthError>[0], message: string, extra: object = {}) =>
      new CampusAuthError(code, `ziqiang: ${message} (${env.code})`, { ...base, ...extra });
    switch (env.code) {
      case ZiqiangCodes.LOGIN_FAILED:
        return err('ERR_PLATFORM', 'app login failed: check the appKey and appSecret');
      case ZiqiangCodes.TOKEN_INVALID:
        return ctx === 'refresh'
          ? err('ERR_PLATFORM', 'the app refresh token was rejected')
          : err('ERR_PLATFORM', 'the app token was rejected', { appTokenRejected: ctx !== 'app-login' });
      case ZiqiangCodes.NOT_LOGGED_IN:
        return err('ERR_PLATFORM', 'the call was not authenticated', { appTokenRejected: ctx !== 'app-login' });
      case ZiqiangCodes.THROTTLED:
        return err('ERR_RATE_LIMITED', 'too many requests; try again later');
      case ZiqiangCodes.NOT_ACTIVE:
        return ctx === 'union-id' || ctx === 'users'
          ? err('ERR_DENIED', 'this Ziqiang account is not active')
          : err('ERR_PLATFORM', 'this app is not active on Ziqiang Auth');
      case ZiqiangCodes.NOT_FOUND:
        if (ctx === 'union-id') return err('ERR_INVALID_CREDENTIAL', 'the login code is invalid, expired or already used');
        if (ctx === 'users') return err('ERR_INVALID_CREDENTIAL', 'the user is gone or no longer certified (union id not found)');
        return err('ERR_PLATFORM', 'not found');
    }
    if (ctx === 'union-id' && /^A04\d\d$/.test(env.code))
      return err('ERR_INVALID_CREDENTIAL', 'the login code was refused as malformed');
    const serverSide = /^[BC]/.test(env.code) || status >= 500;
    return err('ERR_PLATFORM', `the platform refused the ${ctx} call (HTTP ${status})`, { retryable: serverSide });
  }
}
