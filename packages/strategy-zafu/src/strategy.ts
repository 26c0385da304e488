import type { Request } from 'express';
import OAuth2Strategy from 'passport-oauth2';
import {
  CampusAuthError,
  DEFAULT_TIMEOUT,
  hasParam,
  invokeVerify,
  isCampusAuthError,
  readParam,
  readStateParam,
  stateStoreOption,
  toOAuth2StateStore,
  type CampusAuthenticateOptions,
  type CampusFailInfo,
  type CampusRequest,
  type CampusStrategyOptions,
  type StateStore,
  type VerifyFunction,
  type VerifyFunctionWithRequest,
} from '@campus-passport/core';
import { ZAFU_BASE_URL, ZafuOAuthClient } from './client';
import { DEFAULT_PROFILE_FIELDS, type ZafuCredentials, type ZafuProfile, type ZafuProfileFields } from './profile';

const P = 'zafu';

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
  /** Trust X-Forwarded-* when resolving a relative callbackURL (passport-oauth2's `proxy`). */
  proxy?: boolean;
}

export type ZafuVerify<U = unknown> =
  VerifyFunction<ZafuCredentials, ZafuProfile, U> | VerifyFunctionWithRequest<ZafuCredentials, ZafuProfile, U>;

type Actions = {
  success(user: unknown, info?: unknown): void;
  fail(challenge?: unknown, status?: number): void;
  redirect(url: string, status?: number): void;
  error(err: unknown): void;
  pass(): void;
};

/** Errors thrown by the app's verify: passed to Passport's error untouched. */
const verifyErrors = new WeakSet<object>();

function cfg(message: string): CampusAuthError {
  return new CampusAuthError('ERR_CONFIG', `zafu: ${message}`, { platform: P });
}

function absoluteURL(name: string, value: unknown): string {
  if (typeof value !== 'string' || !/^https?:\/\//i.test(value)) throw cfg(`option "${name}" must be an absolute http(s) URL`);
  try {
    return new URL(value).toString();
  } catch {
    throw cfg(`option "${name}" must be an absolute http(s) URL`);
  }
}

function validate(o: ZafuStrategyOptions, verify: unknown): void {
  if (!o || typeof o !== 'object') throw cfg('options must be an object');
  if (typeof verify !== 'function') throw cfg('verify must be a function (credentials, profile, done)');
  for (const k of ['clientID', 'clientSecret'] as const)
    if (typeof o[k] !== 'string' || !o[k]) throw cfg(`option "${k}" is required`);
  if (o.name !== undefined && (typeof o.name !== 'string' || !o.name)) throw cfg('option "name" must be a non-empty string');
  if (o.timeout !== undefined && !(Number.isFinite(o.timeout) && o.timeout > 0))
    throw cfg('option "timeout" must be a positive number of ms');
  if (o.transport !== undefined && typeof o.transport !== 'function') throw cfg('option "transport" must be a function');
  if (o.callbackURL !== undefined && (typeof o.callbackURL !== 'string' || !o.callbackURL))
    throw cfg('option "callbackURL" must be a non-empty string');
  if (o.clientAuth !== undefined && o.clientAuth !== 'body' && o.clientAuth !== 'basic')
    throw cfg(`option "clientAuth" must be 'body' or 'basic'`);
  if (o.userInfoAuth !== undefined && o.userInfoAuth !== 'header' && o.userInfoAuth !== 'query')
    throw cfg(`option "userInfoAuth" must be 'header' or 'query'`);
  if (
    o.scope !== undefined &&
    typeof o.scope !== 'string' &&
    !(Array.isArray(o.scope) && o.scope.every((s) => typeof s === 'string'))
  )
    throw cfg('option "scope" must be a string or an array of strings');
  if (o.pkce !== undefined && typeof o.pkce !== 'boolean') throw cfg('option "pkce" must be a boolean');
  if (o.profileFields !== undefined) {
    if (!o.profileFields || typeof o.profileFields !== 'object') throw cfg('option "profileFields" must be an object');
    for (const [k, v] of Object.entries(o.profileFields)) {
      if (!(k in DEFAULT_PROFILE_FIELDS)) throw cfg(`option "profileFields" has an unknown field "${k}"`);
      const ok = (typeof v === 'string' && v) || (Array.isArray(v) && v.length > 0 && v.every((p) => typeof p === 'string' && p));
      if (!ok) throw cfg(`option "profileFields.${k}" must be a path or a list of paths`);
    }
  }
}

/**
 * Passport strategy for ZAFU website login: OAuth 2.0 authorization code on passport-oauth2
 * (authorize URL, state, PKCE, callback URL), with the token and user-info calls through core's
 * transport (timeouts, body cap, redaction). Endpoint defaults are UNCONFIRMED guesses.
 */
export class ZafuStrategy<U = unknown> extends OAuth2Strategy {
  readonly platform = P;
  protected readonly client: ZafuOAuthClient;

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
    validate(options, verify);
    const base = absoluteURL('baseURL', options.baseURL ?? ZAFU_BASE_URL).replace(/\/+$/, '');
    const name = options.name ?? P;
    const passReq = options.passReqToCallback === true;
    const stateStore = stateStoreOption(options.stateStore, P, name);
    // passport-oauth2 picks its verify call by arity: 6 = (req, accessToken, refreshToken, params, profile, verified)
    const adapter = (
      req: Request,
      _accessToken: string,
      _refreshToken: string,
      credentials: ZafuCredentials,
      profile: ZafuProfile,
      verified: OAuth2Strategy.VerifyCallback,
    ): void => {
      invokeVerify(verify, passReq, req as unknown as CampusRequest, credentials, profile)
        .then(
          ({ user, info }) => verified(null, user as Express.User | false, info as object | undefined),
          (err: unknown) => {
            if (err && typeof err === 'object') verifyErrors.add(err);
            verified(err);
          },
        )
        .catch(() => undefined); // an action was taken; what the app does after is not ours
    };
    super(
      {
        authorizationURL: absoluteURL('authorizationURL', options.authorizationURL ?? `${base}/oauth/authorize`),
        tokenURL: absoluteURL('tokenURL', options.tokenURL ?? `${base}/oauth/token`),
        clientID: options.clientID,
        clientSecret: options.clientSecret,
        callbackURL: options.callbackURL,
        scope: options.scope,
        pkce: options.pkce === true,
        store: toOAuth2StateStore(stateStore) as unknown as OAuth2Strategy.StateStore,
        proxy: options.proxy,
        passReqToCallback: true,
      },
      adapter as OAuth2Strategy.VerifyFunctionWithRequest,
    );
    this.name = name;
    this.client = new ZafuOAuthClient({
      clientID: options.clientID,
      clientSecret: options.clientSecret,
      tokenURL: absoluteURL('tokenURL', options.tokenURL ?? `${base}/oauth/token`),
      userInfoURL: absoluteURL('userInfoURL', options.userInfoURL ?? `${base}/oauth/userinfo`),
      clientAuth: options.clientAuth,
      userInfoAuth: options.userInfoAuth,
      profileFields: options.profileFields,
      timeout: options.timeout ?? DEFAULT_TIMEOUT,
      transport: options.transport,
    });
    // passport-oauth2's own HTTP (no timeout, no redaction) is replaced by the client's.
    const exchange = (code: string, params: Record<string, string>, callback: (...a: unknown[]) => void): void => {
      this.client
        .exchangeCode({ code, redirectUri: params.redirect_uri, codeVerifier: params.code_verifier })
        .then(
          (creds) => callback(null, creds.accessToken, creds.refreshToken, creds),
          (err: unknown) => callback(err),
        )
        .catch(() => undefined);
    };
    this._oauth2.getOAuthAccessToken = exchange as typeof this._oauth2.getOAuthAccessToken;
  }

  /** Load the profile through the client (user-info endpoint + profileFields mapping). */
  override userProfile(accessToken: string, done: (err?: unknown, profile?: ZafuProfile) => void): void {
    this.client
      .userInfo(accessToken)
      .then(
        (profile) => done(null, profile),
        (err: unknown) => done(err),
      )
      .catch(() => undefined);
  }

  /**
   * One request: check the callback's parameters, let passport-oauth2 run the flow, and turn
   * whatever it does into exactly one Passport action with a `{ message, code }` fail info.
   */
  override authenticate(req: Request, options: CampusAuthenticateOptions = {}): void {
    const self = this as unknown as Actions;
    const orig: Actions = { success: self.success, fail: self.fail, redirect: self.redirect, error: self.error, pass: self.pass };
    let acted = false;
    const once =
      <A extends unknown[]>(fn: (...a: A) => void) =>
      (...a: A): void => {
        if (acted) return;
        acted = true;
        fn(...a);
      };
    self.success = once((user, info) => orig.success.call(this, user, info));
    self.redirect = once((url, status) => orig.redirect.call(this, url, status));
    self.pass = once(() => orig.pass.call(this));
    self.fail = once((challenge, status) => orig.fail.call(this, failInfo(challenge), status ?? 401));
    self.error = (err: unknown) => {
      const e = err && typeof err === 'object' && 'oauthError' in err ? (err as { oauthError: unknown }).oauthError : err;
      if (isCampusAuthError(e) && e.isUserError && !verifyErrors.has(e))
        return self.fail({ message: e.message, code: e.code } satisfies CampusFailInfo, e.status);
      once(() => orig.error.call(this, e instanceof Error ? e : new Error(String(e))))();
    };

    const creq = req as unknown as CampusRequest;
    try {
      if (hasParam(creq, 'error', ['query']) && creq.query?.error !== '') {
        const error = readParam(creq, 'error', { from: ['query'], maxLength: 256, platform: P });
        if (error === 'access_denied')
          return self.fail({ message: 'the user declined the login at ZAFU', code: 'ERR_DENIED' }, 403);
        const description = readParam(creq, 'error_description', { from: ['query'], pattern: /^[^\0]*$/, platform: P });
        throw new CampusAuthError('ERR_PLATFORM', `zafu answered the authorization with error "${error}"`, {
          platform: P,
          platformCode: error,
          platformMessage: description,
        });
      }
      if (readParam(creq, 'code', { platform: P, label: 'authorization code' }) !== undefined) readStateParam(creq, P);
      // a string `state` would make passport-oauth2 skip the store: states are always ours
      super.authenticate(req, { ...options, state: undefined });
    } catch (err) {
      self.error(err);
    }
  }
}

/** Passport-oauth2's fail challenges (undefined, a string, an object) → `{ message, code, … }`. */
function failInfo(challenge: unknown): CampusFailInfo {
  if (challenge && typeof challenge === 'object') {
    const c = challenge as Record<string, unknown>;
    if (typeof c.code === 'string' && typeof c.message === 'string') return c as CampusFailInfo;
    return {
      ...c,
      message: typeof c.message === 'string' ? c.message : 'login refused',
      code: typeof c.code === 'string' ? c.code : 'ERR_DENIED',
    };
  }
  if (typeof challenge === 'string' && challenge) return { message: challenge, code: 'ERR_DENIED' };
  return { message: 'verify did not accept this user', code: 'ERR_DENIED' };
}
