/**
 * ZafuStrategy — Passport face of ZAFU website login (OAuth 2.0 authorization code).
 *
 * 1. No `code` on the request: issue a per-flow state (with the PKCE verifier when `pkce`), save
 *    the session, redirect to the authorize page.
 * 2. Back with `?error=`: access_denied → fail ERR_DENIED; anything else → error ERR_PLATFORM.
 * 3. Back with `code`: check the state, exchange the code, fetch the user info, call verify.
 *
 * The endpoint defaults are UNCONFIRMED guesses (ZAFU has not published its website-login
 * document); every URL is an option.
 */
import {
  buildUrl,
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
  resolveCallbackURL,
  startAuthorization,
  stateStoreOption,
  type CampusAuthenticateOptions,
  type FlowOutcome,
} from '@campus-passport/core/kit';
import { ZAFU_BASE_URL, ZafuOAuthClient } from './client';
import { DEFAULT_PROFILE_FIELDS, type ZafuCredentials, type ZafuProfile, type ZafuProfileFields } from './profile';

const PLATFORM = 'zafu';

export interface ZafuStrategyOptions extends CampusStrategyOptions {
  clientID: string;
  clientSecret: string;
  /** Where ZAFU sends the user back; relative URLs resolve against the request. */
  callbackURL?: string;
  /** The platform origin the default endpoint URLs hang off. Default https://open.zafu.edu.cn */
  baseURL?: string;
  /** UNCONFIRMED default `<baseURL>/oauth/authorize`. */
  authorizationURL?: string;
  /** UNCONFIRMED default `<baseURL>/oauth/token`. */
  tokenURL?: string;
  /** UNCONFIRMED default `<baseURL>/oauth/userinfo`. */
  userInfoURL?: string;
  scope?: string | string[];
  /** Client authentication at the token endpoint. Default 'body'. */
  clientAuth?: 'body' | 'basic';
  /** How the access token goes to the user-info endpoint. Default 'header' (Bearer). */
  userInfoAuth?: 'header' | 'query';
  /** Where profile fields come from in the user-info JSON. */
  profileFields?: ZafuProfileFields;
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

function checkOptions(o: ZafuStrategyOptions): { base: string } {
  const check = new OptionChecks(PLATFORM);
  check.object(o);
  for (const k of ['clientID', 'clientSecret'] as const) check.string(o[k], k);
  check.optString(o.callbackURL, 'callbackURL');
  check.oneOf(o.clientAuth, 'clientAuth', ['body', 'basic'], 'body');
  check.oneOf(o.userInfoAuth, 'userInfoAuth', ['header', 'query'], 'header');
  if (
    o.scope !== undefined &&
    typeof o.scope !== 'string' &&
    !(Array.isArray(o.scope) && o.scope.every((s) => typeof s === 'string'))
  )
    throw check.fail('option "scope" must be a string or an array of strings');
  check.optBoolean(o.pkce, 'pkce');
  check.optBoolean(o.proxy, 'proxy');
  if (o.profileFields !== undefined) {
    if (!o.profileFields || typeof o.profileFields !== 'object') throw check.fail('option "profileFields" must be an object');
    for (const [k, v] of Object.entries(o.profileFields)) {
      if (!(k in DEFAULT_PROFILE_FIELDS)) throw check.fail(`option "profileFields" has an unknown field "${k}"`);
      const ok = (typeof v === 'string' && v) || (Array.isArray(v) && v.length > 0 && v.every((p) => typeof p === 'string' && p));
      if (!ok) throw check.fail(`option "profileFields.${k}" must be a path or a list of paths`);
    }
  }
  const base = check.url(o.baseURL ?? ZAFU_BASE_URL, 'baseURL');
  for (const k of ['authorizationURL', 'tokenURL', 'userInfoURL'] as const) if (o[k] !== undefined) check.url(o[k], k);
  return { base };
}

export class ZafuStrategy<U = unknown> extends CampusStrategy<ZafuCredentials, ZafuProfile, U> {
  /** The authorize page users are sent to. */
  readonly authorizationURL: string;
  readonly client: ZafuOAuthClient;
  private readonly clientID: string;
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
    const { base } = checkOptions(options);
    super(PLATFORM, options, verify);
    this.authorizationURL = options.authorizationURL ?? `${base}/oauth/authorize`;
    this.clientID = options.clientID;
    this.callbackURL = options.callbackURL;
    this.scope = options.scope;
    this.pkce = options.pkce === true;
    this.proxy = options.proxy;
    this.stateStore = stateStoreOption(options.stateStore, PLATFORM, this.name);
    this.client = new ZafuOAuthClient({
      clientID: options.clientID,
      clientSecret: options.clientSecret,
      tokenURL: options.tokenURL ?? `${base}/oauth/token`,
      userInfoURL: options.userInfoURL ?? `${base}/oauth/userinfo`,
      clientAuth: options.clientAuth,
      userInfoAuth: options.userInfoAuth,
      profileFields: options.profileFields,
      timeout: this.timeout,
      transport: this.transport,
    });
  }

  protected async flow(req: CampusRequest, options: CampusAuthenticateOptions): Promise<Outcome> {
    const refused = authorizationError(req, PLATFORM);
    if (refused) throw refused;

    const code = readParam(req, 'code', { from: ['query'], platform: PLATFORM, label: 'authorization code' });
    if (!code) return this.redirectToZafu(req, options);

    const { verifier } = await checkAuthorizationState(req, this.stateStore, PLATFORM);
    const redirectUri = this.redirectURI(req, options);
    const credentials = await this.client.exchangeCode({ code, redirectUri, codeVerifier: verifier });
    const profile = await this.client.userInfo(credentials.accessToken);
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
          client_id: this.clientID,
          code_challenge: codeChallenge,
          code_challenge_method: codeChallenge ? 'S256' : undefined,
        }).toString(),
    });
  }

  /** The redirect_uri the token call must repeat (the one the authorize URL carried). */
  private redirectURI(req: CampusRequest, options: CampusAuthenticateOptions): string | undefined {
    const callback = typeof options.callbackURL === 'string' && options.callbackURL ? options.callbackURL : this.callbackURL;
    return callback ? resolveCallbackURL(req, callback, this.proxy) : undefined;
  }
}
