/**
 * TmplStrategy: Passport's face of TMPL_TITLE_EN (TMPL_TITLE_ZH).
 *
 *   GET without code          → a per-flow state in the session, then redirect to the login page
 *   GET ?error=access_denied  → fail ERR_DENIED (any other ?error= → error ERR_PLATFORM)
 *   GET ?code=…&state=…       → check the state, exchange the code, fetch the user, call verify
 */
import {
  type CampusRequest,
  type CampusStrategyOptions,
  type StateStore,
  type VerifyFunction,
  type VerifyFunctionWithRequest,
} from '@campus-passport/core';
import {
  CampusStrategy,
  OptionChecks,
  authorizationError,
  checkAuthorizationState,
  readParam,
  startAuthorization,
  stateStoreOption,
  type CampusAuthenticateOptions,
  type FlowContext,
  type FlowOutcome,
} from '@campus-passport/core/kit';
import { TmplClient } from './client';
import { PLATFORM, type TmplCredentials, type TmplProfile } from './profile';

export interface TmplStrategyOptions extends CampusStrategyOptions {
  /** The app's id on TMPL_TITLE_EN. */
  appId: string;
  /** The app's secret. It never leaves the token call and appears in no error or log. */
  appSecret: string;
  /** Where the platform sends the browser back (absolute, or relative to the request). */
  callbackURL: string;
  /** The platform's origin (an emulator or a test environment in tests). */
  baseURL: string;
  /** Where redirect-flow states live. Default: per-flow, single-use values in the session. */
  stateStore?: StateStore;
  /** Trust X-Forwarded-Proto/Host when resolving a relative callbackURL. Default: Express' `trust proxy`. */
  proxy?: boolean;
}

export type TmplVerify<U = unknown> =
  VerifyFunction<TmplCredentials, TmplProfile, U> | VerifyFunctionWithRequest<TmplCredentials, TmplProfile, U>;

type Outcome = FlowOutcome<TmplCredentials, TmplProfile>;

export class TmplStrategy<U = unknown> extends CampusStrategy<TmplCredentials, TmplProfile, U> {
  /** The API client (usable directly, e.g. `client.user(accessToken)` later). */
  readonly client: TmplClient;
  private readonly callbackURL: string;
  private readonly proxy?: boolean;
  private readonly stateStore: StateStore;

  // Overloads keyed on passReqToCallback, so an inline verify gets its parameter types.
  constructor(
    options: TmplStrategyOptions & { passReqToCallback: true },
    verify: VerifyFunctionWithRequest<TmplCredentials, TmplProfile, U>,
  );
  constructor(
    options: TmplStrategyOptions & { passReqToCallback?: false },
    verify: VerifyFunction<TmplCredentials, TmplProfile, U>,
  );
  constructor(options: TmplStrategyOptions, verify: TmplVerify<U>);
  constructor(options: TmplStrategyOptions, verify: TmplVerify<U>) {
    const check = new OptionChecks(PLATFORM);
    check.object(options);
    super(PLATFORM, options, verify);
    this.callbackURL = check.string(options.callbackURL, 'callbackURL');
    this.proxy = check.optBoolean(options.proxy, 'proxy');
    this.client = new TmplClient({
      appId: options.appId,
      appSecret: options.appSecret,
      baseURL: options.baseURL,
      timeout: this.timeout,
      transport: this.transport,
    });
    this.stateStore = stateStoreOption(options.stateStore, PLATFORM, this.name);
  }

  protected async flow(req: CampusRequest, options: CampusAuthenticateOptions, login: FlowContext): Promise<Outcome> {
    // 1. Back with ?error=: the user refused (fail) or the platform did (error).
    const refused = authorizationError(req, PLATFORM);
    if (refused) throw refused;

    // 2. No code yet: off to the login page, with a fresh state saved in the session.
    const code = readParam(req, 'code', { from: ['query'], platform: PLATFORM });
    if (!code)
      return startAuthorization(req, options, {
        platform: PLATFORM,
        stateStore: this.stateStore,
        callbackURL: this.callbackURL,
        pkce: false,
        trustProxy: this.proxy,
        authorizeURL: (params) => this.client.authorizeURL(params),
      });

    // 3. Back with a code: the state must be one this session issued; then code → token → user,
    //    each call in this login (its deadline bounds them, its credentials leave no error).
    await checkAuthorizationState(req, this.stateStore, PLATFORM);
    const client = this.client.within(login);
    const credentials = await client.exchangeCode(code);
    const profile = await client.user(credentials.accessToken);
    return { kind: 'login', credentials, profile };
  }
}
