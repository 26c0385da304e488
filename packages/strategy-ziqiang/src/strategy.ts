/**
 * ZiqiangStrategy: Passport's face of Ziqiang Auth (自强 Auth, Wuhan University).
 *
 *   GET  without code          → redirect to the login page (app-name, redirect-uri, state)
 *   GET  ?code=…&state=…       → check the state, then exchange the code
 *   POST { code } (JSON/form)  → the frontend / popup flow: exchange the code, no state
 *   exchange                   → POST /sso/union-id/ {code} → GET /users/{union_id}/?detail=
 */
import {
  stateStoreOption,
  verifyState,
  CampusAuthError,
  CampusStrategy,
  readParam,
  resolveCallbackURL,
  type CampusAuthenticateOptions,
  type CampusRequest,
  type CampusStrategyOptions,
  type FlowOutcome,
  type StateStore,
  type TokenStore,
  type VerifyFunction,
  type VerifyFunctionWithRequest,
} from '@campus-passport/core';
import { ZiqiangClient, checkURL } from './client';
import { PLATFORM, type ZiqiangProfile } from './profile';

/** The production login page. */
export const DEFAULT_LOGIN_URL = 'https://cas.ziqiang.net.cn/login';

/** What verify receives as `credentials`. */
export interface ZiqiangCredentials {
  /** The user's union id (stable per user and app). Keep it to call `getUser` later. */
  unionId: string;
}

export interface ZiqiangStrategyOptions extends CampusStrategyOptions {
  /** App key from Ziqiang Auth. */
  appKey: string;
  /** App secret from Ziqiang Auth. */
  appSecret: string;
  /** Where the login page sends the browser back (absolute, or relative to the request). */
  callbackURL?: string;
  /** The login page's `app-name`; default: `username` from app login. */
  appName?: string;
  /** The login page's optional `app-logo` (a logo URL shown on the page). */
  appLogo?: string;
  /** API origin. Default `https://api.cas.ziqiang.net.cn`. */
  baseURL?: string;
  /** Login page. Default `https://cas.ziqiang.net.cn/login`, or `<baseURL>/login` when baseURL is set. */
  loginURL?: string;
  /** Fetch the user with `detail=true` (name, student id, phone). Default true. */
  detail?: boolean;
  /** Refuse users who have not passed student certification. Default true. */
  certifiedOnly?: boolean;
  /** Where the app token lives (key `ziqiang:<appKey>`). Default: memory, per strategy. */
  tokenStore?: TokenStore;
  /** Where redirect-flow states live. Default: the session (express-session). */
  stateStore?: StateStore;
}

export type ZiqiangVerify<U = unknown> =
  VerifyFunction<ZiqiangCredentials, ZiqiangProfile, U> | VerifyFunctionWithRequest<ZiqiangCredentials, ZiqiangProfile, U>;

function optionString(options: ZiqiangStrategyOptions, key: 'callbackURL' | 'appName' | 'appLogo'): string | undefined {
  const v = options[key];
  if (v !== undefined && (typeof v !== 'string' || !v))
    throw new CampusAuthError('ERR_CONFIG', `ziqiang: option "${key}" must be a non-empty string`, { platform: PLATFORM });
  return v;
}

function optionBoolean(options: ZiqiangStrategyOptions, key: 'detail' | 'certifiedOnly', fallback: boolean): boolean {
  const v = options[key];
  if (v !== undefined && typeof v !== 'boolean')
    throw new CampusAuthError('ERR_CONFIG', `ziqiang: option "${key}" must be a boolean`, { platform: PLATFORM });
  return v ?? fallback;
}

export class ZiqiangStrategy<U = unknown> extends CampusStrategy<ZiqiangCredentials, ZiqiangProfile, U> {
  /** The API client (usable directly, e.g. to refresh user data later). */
  readonly client: ZiqiangClient;
  private readonly loginURL: string;
  private readonly callbackURL?: string;
  private readonly appName?: string;
  private readonly appLogo?: string;
  private readonly detail: boolean;
  private readonly certifiedOnly: boolean;
  private readonly stateStore: StateStore;

  // Overloads keyed on passReqToCallback, so an inline verify gets its parameter types.
  constructor(
    options: ZiqiangStrategyOptions & { passReqToCallback: true },
    verify: VerifyFunctionWithRequest<ZiqiangCredentials, ZiqiangProfile, U>,
  );
  constructor(
    options: ZiqiangStrategyOptions & { passReqToCallback?: false },
    verify: VerifyFunction<ZiqiangCredentials, ZiqiangProfile, U>,
  );
  constructor(options: ZiqiangStrategyOptions, verify: ZiqiangVerify<U>);
  constructor(options: ZiqiangStrategyOptions, verify: ZiqiangVerify<U>) {
    super(PLATFORM, options, verify);
    this.client = new ZiqiangClient({
      appKey: options.appKey,
      appSecret: options.appSecret,
      baseURL: options.baseURL,
      timeout: this.timeout,
      transport: this.transport,
      tokenStore: options.tokenStore,
    });
    this.callbackURL = optionString(options, 'callbackURL');
    this.appName = optionString(options, 'appName');
    this.appLogo = optionString(options, 'appLogo');
    this.detail = optionBoolean(options, 'detail', true);
    this.certifiedOnly = optionBoolean(options, 'certifiedOnly', true);
    const defaultLogin = options.baseURL === undefined ? DEFAULT_LOGIN_URL : `${this.client.baseURL}/login`;
    this.loginURL = checkURL(options.loginURL ?? defaultLogin, 'loginURL');
    this.stateStore = stateStoreOption(options.stateStore, PLATFORM, this.name);
  }

  protected async flow(
    req: CampusRequest,
    options: CampusAuthenticateOptions,
  ): Promise<FlowOutcome<ZiqiangCredentials, ZiqiangProfile>> {
    // 1. The frontend flow: a popup or SPA got the code and POSTs it here. There is no state.
    if (req.method === 'POST') {
      const posted = readParam(req, 'code', { from: ['body'], platform: PLATFORM });
      if (posted) return this.login(posted);
      if (!readParam(req, 'code', { from: ['query'], platform: PLATFORM }))
        throw new CampusAuthError('ERR_NO_CREDENTIAL', 'ziqiang: the POST carries no code', { platform: PLATFORM, status: 400 });
    }

    // 2. The redirect flow: no code yet → off to the login page.
    const code = readParam(req, 'code', { from: ['query'], platform: PLATFORM });
    if (!code) return this.redirectToLogin(req, options);

    // 3. Back from the login page: the state must be one this session issued, unused and fresh.
    await verifyState(this.stateStore, req, PLATFORM);
    return this.login(code);
  }

  /** Send the browser to the login page with app-name, redirect-uri, state and response-type. */
  private async redirectToLogin(
    req: CampusRequest,
    options: CampusAuthenticateOptions,
  ): Promise<FlowOutcome<ZiqiangCredentials, ZiqiangProfile>> {
    const appName = this.appName ?? (await this.client.appUsername());
    const callback = typeof options.callbackURL === 'string' ? options.callbackURL : this.callbackURL;
    const ownPath = ((req as { originalUrl?: string }).originalUrl ?? req.url ?? '/').split('?')[0];
    const redirectURI = resolveCallbackURL(req, callback ?? ownPath);
    const state = await this.stateStore.issue(req);
    const url = new URL(this.loginURL);
    url.searchParams.set('app-name', appName);
    url.searchParams.set('redirect-uri', redirectURI);
    url.searchParams.set('state', state);
    url.searchParams.set('response-type', 'code');
    if (this.appLogo) url.searchParams.set('app-logo', this.appLogo);
    return { kind: 'redirect', url: url.toString() };
  }

  /** code → union id → user; refuse uncertified users when `certifiedOnly`. */
  private async login(code: string): Promise<FlowOutcome<ZiqiangCredentials, ZiqiangProfile>> {
    const unionId = await this.client.getUnionId(code);
    const profile = await this.client.getUser(unionId, { detail: this.detail });
    if (this.certifiedOnly && !profile.isCertified)
      throw new CampusAuthError('ERR_DENIED', 'ziqiang: this account has not passed student certification', {
        platform: PLATFORM,
      });
    return { kind: 'login', credentials: { unionId }, profile };
  }
}
