/**
 * ZiqiangStrategy — Passport's face of Ziqiang Auth (自强 Auth, Wuhan University).
 *
 * 1. A POST with `code` in its body — the popup / SPA flow: the login page posted `{code}` to its
 *    opener and the frontend sends it here. A state, when the POST carries one (body or query),
 *    must be one this session issued (ERR_STATE). Without one the POST is accepted only as
 *    `statelessPost` allows — by default only a JSON body (`Content-Type: application/json`),
 *    which a cross-site form cannot send without a CORS preflight; a stateless form POST is login
 *    CSRF and fails ERR_STATE (403). Then on to step 5. A POST without any code fails
 *    ERR_NO_CREDENTIAL (400); with a code in the query it is a callback (step 4).
 * 2. No code: a fresh per-flow state, saved with the session, and the redirect to the login page
 *    with app-name, redirect-uri, state and response-type=code, plus app-logo and the on-flags.
 * 3. Back from a certify-only page (`is_certified`, no code): check the state, then fail
 *    ERR_NO_CREDENTIAL — the browser's word names no user.
 * 4. Back with `code`: the state must be one this session issued, unused and fresh (ERR_STATE).
 * 5. code → `POST /sso/union-id/` → union id → `GET /users/{union_id}/?detail=` → the user;
 *    refuse an uncertified user when `certifiedOnly` (ERR_DENIED, reason 'not-certified'); then verify.
 */
import {
  CampusAuthError,
  type CampusRequest,
  type CampusStrategyOptions,
  type StateStore,
  type TokenStore,
  type VerifyFunction,
  type VerifyFunctionWithRequest,
} from '@campus-passport/core';
import {
  CampusStrategy,
  OptionChecks,
  hasParam,
  isObject,
  readParam,
  readStateParam,
  startAuthorization,
  stateStoreOption,
  verifyState,
  type CampusAuthenticateOptions,
  type FlowContext,
  type FlowOutcome,
} from '@campus-passport/core/kit';
import { ZiqiangClient, type ZiqiangClientOptions } from './client';
import { PLATFORM, type ZiqiangProfile } from './profile';

/** The production login page. */
export const DEFAULT_LOGIN_URL = 'https://cas.ziqiang.net.cn/login';

/**
 * Which POSTed codes need no state (option `statelessPost`): `'json'` only a JSON body, `'off'`
 * none, `'any'` any body (form included: login CSRF unless the app guards the callback itself).
 */
export type ZiqiangStatelessPost = 'json' | 'off' | 'any';

const STATELESS_POST: readonly ZiqiangStatelessPost[] = ['json', 'off', 'any'];

/** What verify receives as `credentials`. */
export interface ZiqiangCredentials {
  /** The user's union id (stable per user and app). Keep it to call `getUser` later. */
  unionId: string;
}

/** `autoRetry` (default true) is the client's: renew a rejected app token and retry once, as the SDK. */
export interface ZiqiangStrategyOptions extends CampusStrategyOptions, Pick<ZiqiangClientOptions, 'autoRetry'> {
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
  /** Where the app token lives (key `ziqiang:<baseURL>:<appKey>`). Default: `processTokenStore()`. */
  tokenStore?: TokenStore;
  /** Where redirect-flow states live. Default: the session (express-session). */
  stateStore?: StateStore;
  /**
   * Which POSTed codes are accepted without a state. `'json'` (default): only a JSON body
   * (`Content-Type: application/json`), what the popup / SPA frontend sends — a cross-site page
   * cannot send that without a CORS preflight, so it cannot sign a visitor in as someone else
   * (login CSRF). `'off'`: every POST needs a state this session issued, like a GET callback.
   * `'any'`: form bodies too — any site can then auto-submit a form to the callback; use it only
   * behind the app's own CSRF check.
   */
  statelessPost?: ZiqiangStatelessPost;
}

export type ZiqiangVerify<U = unknown> =
  VerifyFunction<ZiqiangCredentials, ZiqiangProfile, U> | VerifyFunctionWithRequest<ZiqiangCredentials, ZiqiangProfile, U>;

type Outcome = FlowOutcome<ZiqiangCredentials, ZiqiangProfile>;

/** The login page's true/false keys (zq_auth_frontend pages/login.vue reads each as `=== 'true'`). */
const PAGE_FLAGS = [
  ['certifyOnly', 'certify-only'],
  ['manually', 'manually'],
  ['wxapp', 'wxapp'],
] as const;

export class ZiqiangStrategy<U = unknown> extends CampusStrategy<ZiqiangCredentials, ZiqiangProfile, U> {
  /** The API client (usable directly, e.g. to refresh user data later). */
  readonly client: ZiqiangClient;
  private readonly loginURL: string;
  private readonly callbackURL?: string;
  private readonly appName?: string;
  private readonly appLogo?: string;
  /** The login page's flags that are on; an off flag is simply left out of the URL. */
  private readonly pageFlags: ReadonlyArray<(typeof PAGE_FLAGS)[number][1]>;
  private readonly detail: boolean;
  private readonly certifiedOnly: boolean;
  private readonly stateStore: StateStore;
  private readonly statelessPost: ZiqiangStatelessPost;

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
    const { appKey, appSecret, baseURL, tokenStore, autoRetry } = options;
    this.client = new ZiqiangClient({
      appKey,
      appSecret,
      baseURL,
      tokenStore,
      autoRetry,
      timeout: this.timeout,
      transport: this.transport,
    });
    const check = new OptionChecks(PLATFORM);
    this.callbackURL = check.optString(options.callbackURL, 'callbackURL');
    this.appName = check.optString(options.appName, 'appName');
    if (options.appLogo !== undefined) check.url(options.appLogo, 'appLogo'); // validated, sent as given
    this.appLogo = options.appLogo;
    this.pageFlags = PAGE_FLAGS.filter(([option]) => check.optBoolean(options[option], option)).map(([, key]) => key);
    this.detail = check.optBoolean(options.detail, 'detail') ?? true;
    this.certifiedOnly = check.optBoolean(options.certifiedOnly, 'certifiedOnly') ?? true;
    this.loginURL = check.url(
      options.loginURL ?? (baseURL === undefined ? DEFAULT_LOGIN_URL : `${this.client.baseURL}/login`),
      'loginURL',
    );
    this.stateStore = stateStoreOption(options.stateStore, PLATFORM, this.name);
    this.statelessPost = check.oneOf(options.statelessPost, 'statelessPost', STATELESS_POST, 'json');
  }

  protected async flow(req: CampusRequest, options: CampusAuthenticateOptions, login: FlowContext): Promise<Outcome> {
    if (req.method === 'POST') {
      const posted = readParam(req, 'code', { from: ['body'], platform: PLATFORM });
      if (posted) {
        await this.checkPostState(req);
        return this.login(posted, login);
      }
      if (!readParam(req, 'code', { from: ['query'], platform: PLATFORM }))
        throw new CampusAuthError('ERR_NO_CREDENTIAL', 'ziqiang: the request carries no login code; start the login again', {
          platform: PLATFORM,
          status: 400,
        });
    }

    const code = readParam(req, 'code', { from: ['query'], platform: PLATFORM });
    if (!code && hasParam(req, 'is_certified', ['query'])) return this.certifyOnlyReturn(req);
    if (!code) return this.redirectToLogin(req, options, login);

    await verifyState(this.stateStore, req, PLATFORM);
    return this.login(code, login);
  }

  /**
   * Step 1's guard against login CSRF: a state the POST carries (body, else query) is checked like
   * a callback's; none is accepted only as `statelessPost` allows. The check reads the request's
   * `Content-Type`, not how the body was parsed: an app whose JSON parser also reads `text/plain`
   * (a type any cross-site form can send) stays protected.
   */
  private async checkPostState(req: CampusRequest): Promise<void> {
    const body = isObject(req.body) ? req.body : {};
    const given = body.state !== undefined && body.state !== '' ? body.state : req.query?.state;
    const state = readStateParam({ query: { state: given } }, PLATFORM);
    if (state !== undefined) {
      await verifyState(this.stateStore, req, PLATFORM, state);
      return;
    }
    if (this.statelessPost === 'any' || (this.statelessPost === 'json' && isJsonRequest(req))) return;
    throw new CampusAuthError(
      'ERR_STATE',
      this.statelessPost === 'json'
        ? 'ziqiang: a login code POSTed without its state is accepted only as JSON; start the login again'
        : 'ziqiang: a POSTed login code needs the state of a login started here; start the login again',
      { platform: PLATFORM, details: { reason: 'missing' } },
    );
  }

  /**
   * Step 2: the login page with app-name, redirect-uri, state, response-type, plus app-logo and
   * the on-flags as `true` (zq_auth_doc docs/development/frontend.md; zq_auth_frontend
   * pages/login.vue). The app name comes first: no state is issued when the app login fails.
   */
  private async redirectToLogin(req: CampusRequest, options: CampusAuthenticateOptions, login: FlowContext): Promise<Outcome> {
    const appName = this.appName ?? (await this.client.within(login).appUsername());
    const ownPath = ((req as { originalUrl?: string }).originalUrl ?? req.url ?? '/').split('?')[0];
    return startAuthorization(req, options, {
      platform: PLATFORM,
      stateStore: this.stateStore,
      callbackURL: this.callbackURL ?? ownPath,
      pkce: false,
      authorizeURL: ({ redirectURI, state }) => {
        const url = new URL(this.loginURL);
        url.searchParams.set('app-name', appName);
        url.searchParams.set('redirect-uri', redirectURI);
        url.searchParams.set('state', state);
        url.searchParams.set('response-type', 'code');
        if (this.appLogo) url.searchParams.set('app-logo', this.appLogo);
        for (const flag of this.pageFlags) url.searchParams.set(flag, 'true');
        return url.toString();
      },
    });
  }

  /**
   * Step 3: a `certify-only` page redirects with `is_certified` (and the state) but no code
   * (zq_auth_doc docs/development/frontend.md; zq_auth_frontend pages/login.vue, utils/callback.ts).
   * The value is the browser's word and names no user, so it signs no one in: check the state,
   * then fail. Re-check the user the app already knows with `client.getUser(unionId)`.
   */
  private async certifyOnlyReturn(req: CampusRequest): Promise<never> {
    await verifyState(this.stateStore, req, PLATFORM);
    throw new CampusAuthError(
      'ERR_NO_CREDENTIAL',
      'ziqiang: the request carries no login code (the login page ran in certify-only mode), so no one is signed in',
      { platform: PLATFORM },
    );
  }

  /** Step 5: code → union id → user; refuse uncertified users when `certifiedOnly`. */
  private async login(code: string, login: FlowContext): Promise<Outcome> {
    const client = this.client.within(login);
    const unionId = await client.getUnionId(code);
    const profile = await client.getUser(unionId, { detail: this.detail });
    if (this.certifiedOnly && !profile.isCertified)
      throw new CampusAuthError(
        'ERR_DENIED',
        'ziqiang: this account has not passed student certification; certify it on Ziqiang Auth, then start the login again',
        { platform: PLATFORM, details: { reason: 'not-certified' } },
      );
    return { kind: 'login', credentials: { unionId }, profile };
  }
}

/** The request's media type is exactly `application/json` (parameters such as charset aside). */
function isJsonRequest(req: CampusRequest): boolean {
  const type = req.headers['content-type'];
  return typeof type === 'string' && type.split(';')[0].trim().toLowerCase() === 'application/json';
}
