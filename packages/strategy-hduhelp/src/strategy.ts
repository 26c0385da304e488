/**
 * HduHelpStrategy — Passport face of HDU Helper (杭电助手) OAuth, classic and neo.
 *
 * 1. No `code` on the request: issue a per-flow state (with the PKCE verifier for neo), save the
 *    session, redirect to the platform's authorize page.
 * 2. Back with `?error=`: access_denied → fail ERR_DENIED; anything else → error ERR_PLATFORM.
 * 3. Back with `code`: check the state — or, for an opted-in serverVerify jump, the Referer origin —
 *    exchange the code, fetch the person (or build the profile from the token answer), call verify.
 */
import {
  CampusAuthError,
  CampusStrategy,
  readParam,
  readStateParam,
  stateStoreOption,
  verifyState,
  resolveCallbackURL,
  type CampusAuthenticateOptions,
  type CampusRequest,
  type CampusStrategyOptions,
  type FlowOutcome,
  type StateStore,
  type VerifyFunction,
  type VerifyFunctionWithRequest,
} from '@campus-passport/core';
import { HduHelpClient, createPkcePair, type HduHelpApi, type HduHelpPaths } from './client';
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
}

export type HduHelpVerify<U = unknown> =
  VerifyFunction<HduHelpCredentials, HduHelpProfile, U> | VerifyFunctionWithRequest<HduHelpCredentials, HduHelpProfile, U>;

type Outcome = FlowOutcome<HduHelpCredentials, HduHelpProfile>;

function config(message: string): CampusAuthError {
  return new CampusAuthError('ERR_CONFIG', `hduhelp: ${message}`, { platform: PLATFORM });
}

export class HduHelpStrategy<U = unknown> extends CampusStrategy<HduHelpCredentials, HduHelpProfile, U> {
  readonly client: HduHelpClient;
  private readonly callbackURL: string;
  private readonly scope?: string | string[];
  private readonly pkce: boolean;
  private readonly serverVerify: false | ((req: CampusRequest) => boolean | Promise<boolean>);
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
    if (typeof options.callbackURL !== 'string' || !options.callbackURL)
      throw config('option "callbackURL" must be a non-empty string');
    const scopeOk =
      options.scope === undefined ||
      typeof options.scope === 'string' ||
      (Array.isArray(options.scope) && options.scope.every((s) => typeof s === 'string'));
    if (!scopeOk) throw config('option "scope" must be a string or a list of strings');
    if (options.pkce !== undefined && typeof options.pkce !== 'boolean') throw config('option "pkce" must be a boolean');
    const sv = options.serverVerify;
    if (sv !== undefined && typeof sv !== 'boolean' && typeof sv !== 'function')
      throw config('option "serverVerify" must be a boolean or a function (req) => boolean');
    if (options.profile !== undefined && options.profile !== 'person' && options.profile !== 'token')
      throw config('option "profile" must be "person" or "token"');

    this.client = new HduHelpClient({ ...options, timeout: this.timeout, transport: this.transport });
    const origins = this.originsOf(options.serverVerifyOrigin ?? this.client.origin);
    this.callbackURL = options.callbackURL;
    this.scope = options.scope;
    this.pkce = options.pkce ?? true;
    this.serverVerify = typeof sv === 'function' ? sv : sv === true ? (req) => this.refererFrom(req, origins) : false;
    this.profileMode = options.profile ?? 'person';
    this.stateStore = stateStoreOption(options.stateStore, PLATFORM, this.name);
  }

  protected async flow(req: CampusRequest, options: CampusAuthenticateOptions): Promise<Outcome> {
    const error = readParam(req, 'error', { platform: PLATFORM });
    if (error) throw this.callbackError(req, error);

    const code = readParam(req, 'code', { platform: PLATFORM, label: 'code' });
    if (!code) return this.redirectToPlatform(req, options);

    const { state, verifier } = await this.checkState(req);
    const token = await this.client.exchangeCode(code, state, verifier);
    const profile =
      this.profileMode === 'token'
        ? profileFromToken(token)
        : await this.client.personInfo(token.credentials.accessToken, token.credentials.userId);
    const credentials: HduHelpCredentials = {
      ...token.credentials,
      staffId: token.credentials.staffId ?? profile.staffId,
      userId: token.credentials.userId ?? (this.client.api === 'neo' ? profile.id : undefined),
    };
    return { kind: 'login', credentials, profile };
  }

  /** Step 1: a fresh state per flow (two tabs don't collide), PKCE for neo, then the redirect. */
  private async redirectToPlatform(req: CampusRequest, options: CampusAuthenticateOptions): Promise<Outcome> {
    const callback = typeof options.callbackURL === 'string' && options.callbackURL ? options.callbackURL : this.callbackURL;
    const redirectURI = resolveCallbackURL(req, callback);
    const pkce = this.client.api === 'neo' && this.pkce ? createPkcePair() : undefined;
    const state = await this.stateStore.issue(req, pkce ? { verifier: pkce.verifier } : {});
    const scope = options.scope ?? this.scope;
    const url = this.client.authorizationURL({ redirectURI, state, scope, codeChallenge: pkce?.challenge });
    return { kind: 'redirect', url };
  }

  /** Step 3a: the state this session issued — or, for an opted-in serverVerify jump, the origin. */
  private async checkState(req: CampusRequest): Promise<{ state?: string; verifier?: string }> {
    const state = readStateParam(req, PLATFORM);
    if (this.serverVerify && readParam(req, 'serverVerify', { platform: PLATFORM }) === 'true') {
      if (!(await this.serverVerify(req)))
        throw new CampusAuthError('ERR_STATE', 'serverVerify callback did not come from hduhelp (origin check failed)', {
          platform: PLATFORM,
        });
      return { state };
    }
    const { verifier } = await verifyState(this.stateStore, req, PLATFORM, state);
    return { state, verifier: typeof verifier === 'string' ? verifier : undefined };
  }

  /** Step 2: the platform sent the user back with an error. */
  private callbackError(req: CampusRequest, error: string): CampusAuthError {
    let description: string | undefined;
    try {
      description = readParam(req, 'error_description', { platform: PLATFORM, pattern: /^[^\0]*$/, maxLength: 512 });
    } catch {
      description = undefined;
    }
    if (error === 'access_denied')
      return new CampusAuthError('ERR_DENIED', 'the user did not allow the login', { platform: PLATFORM, platformCode: error });
    return new CampusAuthError('ERR_PLATFORM', `hduhelp sent the user back with error "${error.slice(0, 64)}"`, {
      platform: PLATFORM,
      platformCode: error,
      platformMessage: description,
    });
  }

  private originsOf(v: string | string[]): Set<string> {
    const list = Array.isArray(v) ? v : [v];
    const out = new Set<string>();
    for (const o of list) {
      try {
        out.add(new URL(o).origin);
      } catch {
        throw config('option "serverVerifyOrigin" must be absolute URL(s)');
      }
    }
    return out;
  }

  /** The default serverVerify check: the Referer's origin is the platform's API origin. */
  private refererFrom(req: CampusRequest, origins: Set<string>): boolean {
    const ref = req.headers.referer ?? req.headers.referrer;
    if (typeof ref !== 'string' || !ref) return false;
    try {
      return origins.has(new URL(ref).origin);
    } catch {
      return false;
    }
  }
}
