/**
 * ZafuStrategy — Passport face of ZAFU website login (OAuth 2.0 authorization code).
 *
 * 1. No `code` on the request: issue a per-flow state (with the PKCE verifier when `pkce`), save
 *    the session, redirect to the authorize page.
 * 2. Back with `?error=`: access_denied → fail ERR_DENIED (reason 'declined'); anything else →
 *    error ERR_PLATFORM.
 * 3. Back with `code`: check the state, exchange the code (repeating the redirect_uri, with the
 *    PKCE verifier), fetch the user info, call verify.
 *
 * The endpoint defaults are UNCONFIRMED guesses (ZAFU has not published its website-login
 * document); every URL is an option.
 */
import {
  CampusAuthError,
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
  buildUrl,
  checkAuthorizationState,
  readParam,
  flowCallbackURL,
  startAuthorization,
  stateStoreOption,
  type CampusAuthenticateOptions,
  type FlowContext,
  type FlowOutcome,
} from '@campus-passport/core/kit';
import { ZafuOAuthClient, type ZafuOAuthClientOptions } from './client';
import { PLATFORM, type ZafuCredentials, type ZafuProfile } from './profile';

export interface ZafuStrategyOptions
  extends CampusStrategyOptions, Omit<ZafuOAuthClientOptions, 'timeout' | 'transport' | 'now'> {
  /** Where ZAFU sends the user back; relative URLs resolve against the request. */
  callbackURL?: string;
  /** UNCONFIRMED default `<baseURL>/oauth/authorize`. */
  authorizationURL?: string;
  scope?: string | string[];
  /** PKCE (S256). Default false. */
  pkce?: boolean;
  /** Where state values live. Default: per-flow, single-use values in the session. */
  stateStore?: StateStore;
  /** Trust X-Forwarded-Proto/Host when resolving a relative callbackURL. Default: Express' `trust proxy`. */
  proxy?: boolean;
}

export type ZafuVerify<U = unknown> =
  VerifyFunction<ZafuCredentials, ZafuProfile, U> | VerifyFunctionWithRequest<ZafuCredentials, ZafuProfile, U>;

type Outcome = FlowOutcome<ZafuCredentials, ZafuProfile>;

/** `?error=access_denied`: the user's own choice, with the reason apps branch on. */
function declined(refused: CampusAuthError): CampusAuthError {
  return new CampusAuthError('ERR_DENIED', 'zafu: the user declined the login; start the login again to allow it', {
    platform: PLATFORM,
    platformCode: refused.platformCode,
    details: { reason: 'declined' },
  });
}

function checkScope(check: OptionChecks, scope: unknown): string | string[] | undefined {
  if (scope === undefined || typeof scope === 'string') return scope;
  if (Array.isArray(scope) && scope.every((s) => typeof s === 'string')) return scope as string[];
  throw check.fail('option "scope" must be a string or an array of strings');
}

export class ZafuStrategy<U = unknown> extends CampusStrategy<ZafuCredentials, ZafuProfile, U> {
  /** The authorize page users are sent to. */
  readonly authorizationURL: string;
  /** The token and user-info calls (it checks clientID, clientSecret, baseURL and the endpoint options). */
  readonly client: ZafuOAuthClient;
  private readonly callbackURL?: string;
  private readonly scope?: string | string[];
  private readonly pkce: boolean;
  private readonly proxy?: boolean;
  private readonly stateStore: StateStore;

  constructor(
    options: ZafuStrategyOptions & { passReqToCallback: true },
    verify: VerifyFunctionWithRequest<ZafuCredentials, ZafuProfile, U>,
  );
  constructor(
    options: ZafuStrategyOptions & { passReqToCallback?: false },
    verify: VerifyFunction<ZafuCredentials, ZafuProfile, U>,
  );
  constructor(options: ZafuStrategyOptions, verify: ZafuVerify<U>);
  constructor(options: ZafuStrategyOptions, verify: ZafuVerify<U>) {
    super(PLATFORM, options, verify);
    const check = new OptionChecks(PLATFORM);
    this.client = new ZafuOAuthClient({
      clientID: options.clientID,
      clientSecret: options.clientSecret,
      baseURL: options.baseURL,
      tokenURL: options.tokenURL,
      userInfoURL: options.userInfoURL,
      clientAuth: options.clientAuth,
      userInfoAuth: options.userInfoAuth,
      profileFields: options.profileFields,
      timeout: this.timeout,
      transport: this.transport,
    });
    if (options.authorizationURL !== undefined) check.url(options.authorizationURL, 'authorizationURL');
    this.authorizationURL = options.authorizationURL ?? `${this.client.baseURL}/oauth/authorize`;
    this.callbackURL = check.optString(options.callbackURL, 'callbackURL');
    this.scope = checkScope(check, options.scope);
    this.pkce = check.optBoolean(options.pkce, 'pkce') ?? false;
    this.proxy = check.optBoolean(options.proxy, 'proxy');
    this.stateStore = stateStoreOption(options.stateStore, PLATFORM, this.name);
  }

  protected async flow(req: CampusRequest, options: CampusAuthenticateOptions, login: FlowContext): Promise<Outcome> {
    // 2. the user came back refused
    const refused = authorizationError(req, PLATFORM);
    if (refused) throw refused.code === 'ERR_DENIED' ? declined(refused) : refused;

    // 1. no code yet: out to ZAFU
    const code = readParam(req, 'code', { from: ['query'], platform: PLATFORM, label: 'authorization code' });
    if (!code) return this.redirectToZafu(req, options);

    // 3. back with a code
    const { verifier } = await checkAuthorizationState(req, this.stateStore, PLATFORM);
    // the redirect_uri the token call must repeat (the one the authorize URL carried)
    const redirectUri = flowCallbackURL(req, options, this.callbackURL, this.proxy);
    const client = this.client.within(login);
    const credentials = await client.exchangeCode({ code, redirectUri, codeVerifier: verifier });
    const profile = await client.userInfo(credentials.accessToken);
    return { kind: 'login', credentials, profile };
  }

  /** Step 1: the authorize page, with client_id, redirect_uri, scope, a state and (opt-in) PKCE. */
  private redirectToZafu(req: CampusRequest, options: CampusAuthenticateOptions): Promise<Outcome> {
    return startAuthorization(req, options, {
      platform: PLATFORM,
      stateStore: this.stateStore,
      callbackURL: this.callbackURL ?? '',
      scope: this.scope,
      pkce: this.pkce,
      trustProxy: this.proxy,
      authorizeURL: ({ redirectURI, state, scope, codeChallenge }) =>
        buildUrl(this.authorizationURL, {
          response_type: 'code',
          redirect_uri: this.callbackURL || options.callbackURL ? redirectURI : undefined,
          scope: Array.isArray(scope) ? scope.join(' ') : scope || undefined,
          state,
          client_id: this.client.clientID,
          code_challenge: codeChallenge,
          code_challenge_method: codeChallenge ? 'S256' : undefined,
        }).toString(),
    });
  }
}
