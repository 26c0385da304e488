/**
 * The Ziqiang Auth backend API (自强 Auth), usable without Passport: app login / refresh through
 * core's AppTokenManager, code → union id, union id → user, app info. The client base validates
 * `baseURL`, `timeout`, `transport` and the clock and maps 429 / 5xx; this file keeps only what is
 * Ziqiang's own: the envelope `{code, detail, msg, data}` (`"00000"` is success) and which platform
 * codes mean what for which call.
 */
import { type AppToken, type CampusErrorCode, type QueryValue, type TokenStore } from '@campus-passport/core';
import {
  AppTokenManager,
  PlatformClient,
  collectSecrets,
  lazySecrets,
  type ClientRequest,
  type JsonObject,
  type PlatformClientOptions,
  processTokenStore,
} from '@campus-passport/core/kit';
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

/** Ziqiang error codes this package reacts to (zq_auth_sdk/entities/response.py). */
export const ZiqiangCodes = {
  LOGIN_FAILED: 'A0210',
  TOKEN_INVALID: 'A0221',
  NOT_LOGGED_IN: 'A0310',
  NOT_ACTIVE: 'A0311',
  THROTTLED: 'A0512',
  NOT_FOUND: 'A0514',
} as const;

export interface ZiqiangClientOptions extends PlatformClientOptions {
  /** The app's key (app_key). */
  appKey: string;
  /** The app's secret (app_secret). Never appears in an error or log. */
  appSecret: string;
  /** Where the app token lives (key `ziqiang:<baseURL>:<appKey>`). Default: `processTokenStore()`. */
  tokenStore?: TokenStore;
  /**
   * On `A0221` (app token rejected) renew the token refresh-first and retry the call once, as the
   * official SDK's `auto_retry` (default true). Off: the call fails with ERR_PLATFORM carrying
   * `appTokenRejected: true` and the token is kept, as the SDK does (zq_auth_sdk/client/base.py
   * `_handle_result`); the app decides what to do (e.g. `client.tokens.invalidate(…)`).
   */
  autoRetry?: boolean;
}

/** Which call an answer belongs to: the same platform code means different things per call. */
type CallContext = 'app-login' | 'refresh' | 'union-id' | 'users' | 'app';

const WHAT: Record<CallContext, string> = {
  'app-login': 'the app login',
  refresh: 'the token refresh',
  'union-id': 'the code exchange',
  users: 'the user lookup',
  app: 'the app call',
};

/** A bad, expired or used login code (A0514 on /sso/union-id/, or a malformed one: A04xx). */
const LOGIN_CODE_REFUSED = 'the login code is invalid, expired or already used; start the login again';

export class ZiqiangClient extends PlatformClient {
  /**
   * The app-token manager: cached, single-flight, refreshed before expiry; with `autoRetry` a token
   * the platform rejects (A0221) is renewed refresh-first and the call retried once (`withToken`).
   */
  readonly tokens: AppTokenManager;
  /** Whether a call whose app token is rejected (A0221) is renewed and retried once. */
  readonly autoRetry: boolean;
  private readonly appKey: string;
  private readonly appSecret: string;

  constructor(options: ZiqiangClientOptions) {
    super(PLATFORM, options, DEFAULT_BASE_URL);
    this.appKey = this.check.string(options.appKey, 'appKey');
    this.appSecret = this.check.string(options.appSecret, 'appSecret');
    this.autoRetry = this.check.optBoolean(options.autoRetry, 'autoRetry') ?? true;
    this.tokens = new AppTokenManager({
      key: `ziqiang:${this.baseURL}:${this.appKey}`,
      store: this.check.optTokenStore(options.tokenStore) ?? processTokenStore(),
      fetch: async () => appLoginToToken(await this.appLogin()),
      refresh: (token) => this.refreshAppToken(token),
      now: this.now,
      // a token store that does not answer ends the call within the call's own timeout
      timeout: this.timeout,
      platform: PLATFORM,
    });
  }

  // ---- app token ---------------------------------------------------------------------------

  /** `POST /auth/apps/` — a brand-new app login (bypasses the cache; prefer `getAppToken`). */
  async appLogin(): Promise<ZiqiangAppLogin> {
    const { data } = await this.call('app-login', {
      method: 'POST',
      path: APP_LOGIN_PATH,
      json: { app_key: this.appKey, app_secret: this.appSecret },
    });
    return parseAppLogin(data, this.now());
  }

  /** `POST /auth/refresh/` — a new access token for `token`; the refresh token is kept. */
  async refreshAppToken(token: AppToken): Promise<AppToken> {
    if (!token.refreshToken) throw this.check.fail('no refresh token to refresh with');
    const { data } = await this.call('refresh', { method: 'POST', path: REFRESH_PATH, json: { refresh: token.refreshToken } });
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
    throw this.check.fail('the stored app token does not say the app name; set option "appName"');
  }

  // ---- user and app calls --------------------------------------------------------------------

  /** `POST /sso/union-id/` — exchange the login code (single-use, 5 minutes) for the union id. */
  async getUnionId(code: string): Promise<string> {
    const { data } = await this.authorized('union-id', { method: 'POST', path: UNION_ID_PATH, json: { code } });
    return parseUnionId(data);
  }

  /** `GET /users/{union_id}/?detail=` — the user (default with detail). */
  async getUser(unionId: string, options: { detail?: boolean } = {}): Promise<ZiqiangProfile> {
    const query: Record<string, QueryValue> = { detail: options.detail ?? true };
    const { data, text } = await this.authorized('users', { method: 'GET', path: usersPath(unionId), query });
    return parseUser(unionId, data, text);
  }

  /** `GET /apps/{id}/` — this app's registration (default: the id from app login). */
  async appInfo(id?: string | number): Promise<ZiqiangAppInfo> {
    const appId = id ?? (await this.tokens.getToken()).extra?.id;
    if (typeof appId !== 'string' && typeof appId !== 'number') throw this.check.fail('the app id is unknown');
    const { data } = await this.authorized('app', { method: 'GET', path: appPath(appId) });
    return parseAppInfo(data);
  }

  /** `GET /` — the platform's token test. Resolves when the app token works. */
  async test(): Promise<void> {
    await this.authorized('app', { method: 'GET', path: '/' });
  }

  // ---- plumbing ---------------------------------------------------------------------------

  /**
   * A call with the app token (`Authorization: Bearer`, zq_auth_sdk/client/base.py `_request`). On
   * A0221, with `autoRetry`, the token manager renews it refresh-first — `POST /auth/refresh/`, app
   * login only when the refresh is refused — and the call is retried exactly once, as the official
   * SDK does (zq_auth_sdk/client/base.py `_handle_result`, `_refresh`); a second rejection is the
   * caller's. Without `autoRetry` the first rejection is the caller's (the SDK's `auto_retry=False`:
   * no renewal, no retry, the stored token kept).
   */
  private authorized(ctx: CallContext, req: ClientRequest & { path: string }): Promise<{ data: JsonObject; text: string }> {
    const tried: string[] = []; // every token this call used: the retry's error may quote the first
    const attempt = (token: string) => {
      tried.push(token);
      return this.call(ctx, { ...req, headers: { authorization: `Bearer ${token}` } }, tried);
    };
    if (!this.autoRetry) return this.tokens.getToken().then((token) => attempt(token.accessToken));
    return this.tokens.withToken(attempt);
  }

  /** One call: the status table, then the envelope — anything but `"00000"` is a refusal. */
  private async call(
    ctx: CallContext,
    req: ClientRequest & { path: string },
    tokens: string[] = [],
  ): Promise<{ data: JsonObject; text: string }> {
    // the app secret, the app token and the refresh token: never echoed, even when the platform
    // quotes one back in its `msg`
    // (gathered only if an error is built)
    const secrets = lazySecrets(() => [this.appSecret, ...tokens, ...collectSecrets(req.json, req.headers)]);
    // the request is this call's own (every caller builds it for the call): completed in place
    req.secrets = secrets;
    const res = await this.send(req);
    let env: ZiqiangEnvelope;
    try {
      env = parseEnvelope(res.body, res.status);
    } catch (err) {
      this.checkStatus(res, WHAT[ctx], { secrets });
      throw err;
    }
    this.checkStatus(res, WHAT[ctx], { platformCode: env.code, platformMessage: env.msg || env.detail, secrets });
    if (env.code === SUCCESS_CODE) return { data: successData(env, res.status, ctx), text: res.text };
    throw this.refusal(env, res.status, ctx, secrets);
  }

  /** A Ziqiang error envelope as a CampusAuthError, by code and by which call it answered. */
  private refusal(env: ZiqiangEnvelope, status: number, ctx: CallContext, secrets: Iterable<string>) {
    const said = { upstreamStatus: status, platformCode: env.code, platformMessage: env.msg || env.detail, secrets };
    const err = (code: CampusErrorCode, message: string, extra: { appTokenRejected?: boolean; retryable?: boolean } = {}) =>
      this.error(code, `ziqiang: ${message} (${env.code})`, { ...said, ...extra });
    // the user's problems: the wording every strategy uses, no platform code (it is in platformCode)
    const refused = (code: CampusErrorCode, message: string, reason?: string) =>
      this.error(code, `ziqiang: ${message}`, { ...said, details: reason ? { reason } : undefined });
    switch (env.code) {
      case ZiqiangCodes.LOGIN_FAILED:
        return err('ERR_PLATFORM', 'app login failed: check the appKey and appSecret');
      case ZiqiangCodes.TOKEN_INVALID:
        return ctx === 'refresh'
          ? err('ERR_PLATFORM', 'the app refresh token was rejected')
          : err('ERR_PLATFORM', `the app token was rejected${this.autoRetry ? '' : ' (autoRetry is off: not renewed)'}`, {
              appTokenRejected: ctx !== 'app-login',
            });
      case ZiqiangCodes.NOT_LOGGED_IN:
        return err('ERR_PLATFORM', 'the call was not authenticated', { appTokenRejected: ctx !== 'app-login' });
      case ZiqiangCodes.THROTTLED:
        return err('ERR_RATE_LIMITED', 'too many requests; try again later');
      case ZiqiangCodes.NOT_ACTIVE:
        return ctx === 'union-id' || ctx === 'users'
          ? refused(
              'ERR_DENIED',
              'this account is not activated on Ziqiang Auth; verify the student identity there, then start the login again',
              'inactive',
            )
          : err('ERR_PLATFORM', 'this app is not active on Ziqiang Auth');
      case ZiqiangCodes.NOT_FOUND:
        if (ctx === 'union-id') return refused('ERR_INVALID_CREDENTIAL', LOGIN_CODE_REFUSED);
        if (ctx === 'users')
          return refused('ERR_INVALID_CREDENTIAL', 'this account is gone or no longer certified (union id not found)');
        return err('ERR_PLATFORM', 'not found');
    }
    // a malformed code (A04xx) reads like a bad one; platformCode tells them apart
    if (ctx === 'union-id' && /^A04\d\d$/.test(env.code)) return refused('ERR_INVALID_CREDENTIAL', LOGIN_CODE_REFUSED);
    // B0xxx / C0xxx: server-side errors (PLATFORMS.md), worth a retry
    return err('ERR_PLATFORM', `the platform refused ${WHAT[ctx]} (HTTP ${status})`, { retryable: /^[BC]/.test(env.code) });
  }
}
