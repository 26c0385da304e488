/**
 * HduHelpStrategy — Passport face of HDU Helper (杭电助手) OAuth, classic and neo.
 *
 * 1. No `code` on the request: issue a per-flow state (with the PKCE verifier for neo), save the
 *    session, redirect to the platform's authorize page.
 * 2. Back with `?error=`: access_denied → fail ERR_DENIED (reason 'declined'); anything else →
 *    error ERR_PLATFORM.
 * 3. Back with `code`: check the state — or, for an opted-in serverVerify jump (the gateway's
 *    signed-in shortcut, which carries no state of ours), the Referer origin.
 * 4. Exchange the code, fetch the person (or build the profile from the token answer), call verify.
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
  authorizationError,
  checkAuthorizationState,
  readParam,
  readStateParam,
  startAuthorization,
  stateStoreOption,
  type CampusAuthenticateOptions,
  type FlowContext,
  type FlowOutcome,
} from '@campus-passport/core/kit';
import { HduHelpClient, type HduHelpApi, type HduHelpPaths } from './client';
import { PLATFORM, profileFromToken, type HduHelpCredentials, type HduHelpProfile } from './profile';

export interface HduHelpStrategyOptions extends CampusStrategyOptions {
  /** classic: client_id; neo: app_id. */
  clientID: string;
  /** classic: client_secret; neo: app_secret. Never logged or echoed. */
  clientSecret: string;
  /** Where the platform sends the user back; may be relative (resolved against the request). */
  callbackURL: string;
  /** Platform origin. Default https://api.hduhelp.com. */
  baseURL?: string;
  /** 'classic' (default, the seed's /oauth/*) or 'neo' (/hduhelp-neo/open-apis/authen/*). */
  api?: HduHelpApi;
  /** neo: scopes to ask for (list or comma-separated). */
  scope?: string | string[];
  /** neo: PKCE S256. Default true. */
  pkce?: boolean;
  /**
   * Accept the gateway's serverVerify jump (no state). `true`: the Referer origin must be one of
   * `serverVerifyOrigin`; a function: your own check. Default off.
   */
  serverVerify?: boolean | ((req: CampusRequest) => boolean | Promise<boolean>);
  /** Origins a serverVerify Referer may have. Default: the origin of `baseURL`. */
  serverVerifyOrigin?: string | string[];
  /** 'person' (default): fetch person info; 'token': profile from the token answer alone. */
  profile?: 'person' | 'token';
  /** classic person-info path. Default /salmon_base/person/info (or the deprecated /base/person/info). */
  personInfoPath?: string;
  /** Override any platform path. */
  paths?: Partial<HduHelpPaths>;
  /** Where states live. Default: the session (express-session), one key per strategy name. */
  stateStore?: StateStore;
  /** neo: where the tenant / app tokens of `strategy.client` live. Default: the process store. */
  tokenStore?: TokenStore;
}

export type HduHelpVerify<U = unknown> =
  VerifyFunction<HduHelpCredentials, HduHelpProfile, U> | VerifyFunctionWithRequest<HduHelpCredentials, HduHelpProfile, U>;

type Outcome = FlowOutcome<HduHelpCredentials, HduHelpProfile>;
type OriginCheck = (req: CampusRequest) => boolean | Promise<boolean>;

/** The strategy's own options (the client checks clientID, clientSecret, api, baseURL and the paths). */
function checkOptions(o: HduHelpStrategyOptions): void {
  const check = new OptionChecks(PLATFORM);
  check.string(o.callbackURL, 'callbackURL');
  if (
    o.scope !== undefined &&
    typeof o.scope !== 'string' &&
    !(Array.isArray(o.scope) && o.scope.every((s) => typeof s === 'string'))
  )
    throw check.fail('option "scope" must be a string or a list of strings');
  check.optBoolean(o.pkce, 'pkce');
  if (o.serverVerify !== undefined && typeof o.serverVerify !== 'boolean' && typeof o.serverVerify !== 'function')
    throw check.fail('option "serverVerify" must be true, false or a function (req) => boolean');
  check.oneOf(o.profile, 'profile', ['person', 'token'], 'person');
  for (const origin of [o.serverVerifyOrigin ?? []].flat()) check.url(origin, 'serverVerifyOrigin');
}

/** `?error=access_denied`: the user's own choice, with the reason apps branch on. */
function declined(refused: CampusAuthError): CampusAuthError {
  return new CampusAuthError('ERR_DENIED', 'hduhelp: the user declined the login; start the login again to allow it', {
    platform: PLATFORM,
    platformCode: refused.platformCode,
    details: { reason: 'declined' },
  });
}

/** The default serverVerify check: the Referer's origin is one of `origins` (by default the API origin). */
function refererFrom(origins: readonly string[]): OriginCheck {
  const allowed = new Set(origins.map((o) => new URL(o).origin));
  return (req) => {
    const ref = req.headers.referer ?? req.headers.referrer;
    if (typeof ref !== 'string' || !ref) return false;
    try {
      return allowed.has(new URL(ref).origin);
    } catch {
      return false;
    }
  };
}

export class HduHelpStrategy<U = unknown> extends CampusStrategy<HduHelpCredentials, HduHelpProfile, U> {
  readonly client: HduHelpClient;
  private readonly callbackURL: string;
  private readonly scope?: string | string[];
  private readonly pkce: boolean;
  private readonly serverVerify?: OriginCheck;
  private readonly profileMode: 'person' | 'token';
  private readonly stateStore: StateStore;

  constructor(
    options: HduHelpStrategyOptions & { passReqToCallback: true },
    verify: VerifyFunctionWithRequest<HduHelpCredentials, HduHelpProfile, U>,
  );
  constructor(
    options: HduHelpStrategyOptions & { passReqToCallback?: false },
    verify: VerifyFunction<HduHelpCredentials, HduHelpProfile, U>,
  );
  constructor(options: HduHelpStrategyOptions, verify: HduHelpVerify<U>);
  constructor(options: HduHelpStrategyOptions, verify: HduHelpVerify<U>) {
    super(PLATFORM, options, verify);
    checkOptions(options);
    this.client = new HduHelpClient({ ...options, timeout: this.timeout, transport: this.transport });
    this.callbackURL = options.callbackURL;
    this.scope = options.scope;
    this.pkce = options.pkce ?? true;
    const sv = options.serverVerify;
    this.serverVerify =
      typeof sv === 'function' ? sv : sv ? refererFrom([options.serverVerifyOrigin ?? this.client.origin].flat()) : undefined;
    this.profileMode = options.profile ?? 'person';
    this.stateStore = stateStoreOption(options.stateStore, PLATFORM, this.name);
  }

  protected async flow(req: CampusRequest, options: CampusAuthenticateOptions, login: FlowContext): Promise<Outcome> {
    const refused = authorizationError(req, PLATFORM);
    if (refused) throw refused.code === 'ERR_DENIED' ? declined(refused) : refused;

    const code = readParam(req, 'code', { platform: PLATFORM, label: 'code' });
    if (!code) return this.redirectToHduHelp(req, options);

    const { state, verifier } = await this.checkState(req);
    const client = this.client.within(login);
    const token = await client.exchangeCode(code, state, verifier);
    const profile =
      this.profileMode === 'token'
        ? profileFromToken(token)
        : await client.personInfo(token.credentials.accessToken, token.credentials.userId);
    // the token answer's credentials are this login's own: completed in place
    const credentials: HduHelpCredentials = token.credentials;
    credentials.staffId ??= profile.staffId;
    if (credentials.userId === undefined && this.client.api === 'neo') credentials.userId = profile.id;
    return { kind: 'login', credentials, profile };
  }

  /** Step 1: a fresh state per flow (two tabs don't collide), PKCE for neo, then the redirect. */
  private redirectToHduHelp(req: CampusRequest, options: CampusAuthenticateOptions): Promise<Outcome> {
    return startAuthorization(req, options, {
      platform: PLATFORM,
      stateStore: this.stateStore,
      callbackURL: this.callbackURL,
      scope: this.scope,
      pkce: this.client.api === 'neo' && this.pkce,
      authorizeURL: (params) => this.client.authorizationURL(params),
    });
  }

  /** Step 3: the state this session issued — or, for an opted-in serverVerify jump, the origin. */
  private checkState(req: CampusRequest): Promise<{ state?: string; verifier?: string }> {
    if (this.serverVerify && readParam(req, 'serverVerify', { platform: PLATFORM }) === 'true')
      return this.checkServerVerify(req, this.serverVerify);
    return checkAuthorizationState(req, this.stateStore, PLATFORM);
  }

  /** The serverVerify jump: no state of ours, so the origin check decides. */
  private async checkServerVerify(req: CampusRequest, check: OriginCheck): Promise<{ state?: string }> {
    const state = readStateParam(req, PLATFORM);
    if (!(await check(req)))
      throw new CampusAuthError(
        'ERR_STATE',
        'hduhelp: the signed-in shortcut (serverVerify) did not come from HDU Helper; start the login again',
        { platform: PLATFORM },
      );
    return { state };
  }
}
