/**
 * The OAuth 2.0 authorization-code pieces the redirect strategies share (HDU Helper, ZAFU, and any
 * platform shaped like them): PKCE, the way out to the authorize page with a per-flow state, the
 * `?error=` answer, and the state check on the way back.
 */
import { createHash, randomBytes } from 'node:crypto';
import { CampusAuthError } from './errors';
import { readParam, resolveCallbackURL } from './params';
import { readStateParam, stateData, type StateData, type StateStore } from './state';
import type { CampusAuthenticateOptions, CampusRequest } from './strategy';

/** A PKCE S256 pair: keep `verifier` with the state, send `challenge`. */
export function createPkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** What a strategy's authorize-URL builder receives. */
export interface AuthorizeParams {
  /** The absolute callback URL (relative option values resolved against the request). */
  redirectURI: string;
  state: string;
  /** The S256 challenge, when PKCE is on. */
  codeChallenge?: string;
  /** authenticate()'s `scope`, else the strategy's. */
  scope?: string | string[];
}

export interface StartAuthorizationOptions {
  platform: string;
  stateStore: StateStore;
  /** The strategy's callbackURL option (authenticate()'s `callbackURL` wins). */
  callbackURL: string;
  scope?: string | string[];
  pkce: boolean;
  /** Trust X-Forwarded-Proto/Host when resolving a relative callback URL (default: Express' `trust proxy`). */
  trustProxy?: boolean;
  /** Build the platform's authorize URL. */
  authorizeURL(params: AuthorizeParams): string;
}

/**
 * The absolute redirect URI of this flow: authenticate()'s `callbackURL` wins over the strategy's
 * option; a relative one resolves against the request. `undefined` when neither is set.
 */
export function flowCallbackURL(
  req: CampusRequest,
  options: CampusAuthenticateOptions,
  strategyCallbackURL: string | undefined,
  trustProxy?: boolean,
): string | undefined {
  const callback = typeof options.callbackURL === 'string' && options.callbackURL ? options.callbackURL : strategyCallbackURL;
  return callback ? resolveCallbackURL(req, callback, trustProxy) : undefined;
}

/**
 * Step 1 of the flow: a fresh state for this flow (with the PKCE verifier), persisted before the
 * redirect, and the platform's authorize URL.
 */
export async function startAuthorization(
  req: CampusRequest,
  options: CampusAuthenticateOptions,
  o: StartAuthorizationOptions,
): Promise<{ kind: 'redirect'; url: string }> {
  const redirectURI = flowCallbackURL(req, options, o.callbackURL, o.trustProxy) ?? resolveCallbackURL(req, '', o.trustProxy);
  const pkce = o.pkce ? createPkcePair() : undefined;
  const data: StateData = pkce ? { verifier: pkce.verifier } : {};
  const state = await o.stateStore.issue(req, data);
  const url = o.authorizeURL({ redirectURI, state, codeChallenge: pkce?.challenge, scope: options.scope ?? o.scope });
  return { kind: 'redirect', url };
}

/**
 * The platform sent the user back with `?error=`: `access_denied` is the user's choice (fail
 * ERR_DENIED, 403); anything else is ERR_PLATFORM carrying the error and its description.
 * Returns undefined when there is no error parameter.
 */
export function authorizationError(req: CampusRequest, platform: string): CampusAuthError | undefined {
  const error = readParam(req, 'error', { from: ['query'], maxLength: 256, platform });
  if (!error) return undefined;
  let description: string | undefined;
  try {
    description = readParam(req, 'error_description', { from: ['query'], pattern: /^[^\0]*$/, maxLength: 512, platform });
  } catch {
    description = undefined;
  }
  if (error === 'access_denied')
    return new CampusAuthError('ERR_DENIED', `${platform}: the user declined the login`, { platform, platformCode: error });
  return new CampusAuthError('ERR_PLATFORM', `${platform} sent the user back with error "${error.slice(0, 64)}"`, {
    platform,
    platformCode: error,
    platformMessage: description,
  });
}

/**
 * Step 3a: the state on the callback must be one this session issued and has not used; returns
 * it and the PKCE verifier kept with it.
 */
export async function checkAuthorizationState(
  req: CampusRequest,
  stateStore: StateStore,
  platform: string,
): Promise<{ state: string | undefined; verifier?: string }> {
  const state = readStateParam(req, platform);
  // verifyState, with one await less
  const data = stateData(await stateStore.consume(req, state), platform);
  return { state, verifier: typeof data.verifier === 'string' ? data.verifier : undefined };
}
