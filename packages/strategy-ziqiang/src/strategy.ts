/**
 * ZiqiangStrategy: Passport's face of Ziqiang Auth (自强 Auth, Wuhan University).
 *
 *   GET  without code          → redirect to the login page (app-name, redirect-uri, state, …)
 *   GET  ?code=…&state=…       → check the state, then exchange the code
 *   GET  ?is_certified=…&state → back from a certify-only page: check the state, then fail (no code)
 *   POST { code } (JSON/form)  → the frontend / popup flow: exchange the code, no state
 *   exchange                   → POST /sso/union-id/ {code} → GET /users/{union_id}/?detail=
 */
import {
  stateStoreOption,
  verifyState,
  CampusAuthError,
  CampusStrategy,
  hasParam,
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
  /**
   * The login page's `app-logo`: an absolute http(s) URL of the app's logo, shown on the page. The
   * doc marks it required, but the page works without it (it then shows no app logo), so it is
   * optional here and left off the URL when unset.
   */
  appLogo?: string;
  /**
   * The login page's `certify-only=true`: the page only checks (or walks the user through) student
   * certification and hands back `is_certified` — **no code**, so no one can be signed in from
   * that answer. Default false. See the README.
   */
  certifyOnly?: boolean;
  /** The login page's `manually=true`: never sign in automatically with a remembered login. Default false. */
  manually?: boolean;
  /** The login page's `wxapp=true`: WeChat mini-program web-view mode. Default false. */
  wxapp?: boolean;
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

function optionString(options: ZiqiangStrategyOptions, key: 'callbackURL' | 'appName'): string | undefined {
  const v = options[key];
  if (v !== undefined && (typeof v !== 'string' || !v))
    throw new CampusAuthError('ERR_CONFIG', `ziqiang: option "${key}" must be a non-empty string`, { platform: PLATFORM });
  return v;
}

function optionBoolean(
  options: ZiqiangStrategyOptions,
  key: 'detail' | 'certifiedOnly' | 'certifyOnly' | 'manually' | 'wxapp',
  fallback: boolean,
): boolean {
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
  /** The login page's true/false flags that are on (the page reads each as `=== 'true'`). */
  private readonly pageFlags: ReadonlyArray<'certify-only' | 'manually' | 'wxapp'>;
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
    if (options.appLogo !== undefined) checkURL(options.appLogo, 'appLogo'); // validated, sent as given
    this.appLogo = options.appLogo;
    const flags = [
      ['certify-only', optionBoolean(options, 'certifyOnly', false)],
      ['manually', optionBoolean(options, 'manually', false)],
      ['wxapp', optionBoolean(options, 'wxapp', false)],
    ] as const;
    this.pageFlags = flags.filter(([, on]) => on).map(([key]) => key);
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
    if (!code && hasParam(req, 'is_certified', ['query'])) return this.certifyOnlyReturn(req);
    if (!code) return this.redirectToLogin(req, options);

    // 3. Back from the login page: the state must be one this session issued, unused and fresh.
    await verifyState(this.stateStore, req, PLATFORM);
    return this.login(code);
  }

  /**
   * Back from a `certify-only` page: it redirects with `is_certified` (and the state) but no code
   * (zq_auth_doc docs/development/frontend.md; zq_auth_frontend pages/login.vue, utils/callback.ts).
   * The value is the browser's word and names no user, so it signs no one in: check the state,
   * then fail. Re-check the user the app already knows with `client.getUser(unionId)`.
   */
  private async certifyOnlyReturn(req: CampusRequest): Promise<never> {
    await verifyState(this.stateStore, req, PLATFORM);
    throw new CampusAuthError(
      'ERR_NO_CREDENTIAL',
      'ziqiang: the login page ran in certify-only mode and returned no code, so no user can be signed in; ' +
        'check the certification with client.getUser(unionId)',
      { platform: PLATFORM },
    );
  }

  /**
   * Send the browser to the login page with app-name, redirect-uri, state and response-type, plus
   * app-logo and the on-flags certify-only / manually / wxapp as `true` (zq_auth_doc
   * docs/development/frontend.md; zq_auth_frontend pages/login.vue reads each flag as `=== 'true'`,
   * so an off flag is simply left out).
   */
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
    for (const flag of this.pageFlags) url.searchParams.set(flag, 'true');
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
