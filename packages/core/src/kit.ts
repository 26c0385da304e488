/**
 * `@campus-passport/core/kit` — for strategy authors: the client base and its status table,
 * option checks, the request pipeline, the one path from a flow to Passport's actions, the OAuth
 * pieces, state for redirect flows, the app-token manager, the flow context (secrets, deadline),
 * request parameters, JSON shape readers and redaction. Apps need only the root export.
 */
export { USER_ERROR_CODES, DEFAULT_STATUS } from './errors';
export { PlatformClient, OptionChecks, configError, statusCode, type PlatformClientOptions, type ClientRequest } from './client';
export {
  pipeline,
  bodyTooLarge,
  buildUrl,
  encodeForm,
  DEFAULT_TIMEOUT,
  type Engine,
  type EngineRequest,
  type EngineResponse,
  type PipelineDefaults,
} from './transport';
export { redactText, redactUrl, redactValue, collectSecrets, lazySecrets, isSecretKey, excerpt, REDACTED } from './redact';
export { FlowContext, type SecretSource, type SecretHolder } from './context';
export { AppTokenManager, processTokenStore, type AppTokenManagerOptions, type LockRelease } from './token-manager';
export {
  saveSession,
  STATE_MESSAGES,
  toOAuth2StateStore,
  stateStoreOption,
  readStateParam,
  verifyState,
  type StateData,
  type StateCheck,
  type StateRequest,
  type StateSession,
} from './state';
export { CampusStrategy, invokeVerify, type CampusAuthenticateOptions, type FlowOutcome, type VerifyResult } from './strategy';
export {
  createPkcePair,
  startAuthorization,
  flowCallbackURL,
  authorizationError,
  checkAuthorizationState,
  type AuthorizeParams,
  type StartAuthorizationOptions,
} from './oauth';
export { readParam, hasParam, originalURL, resolveCallbackURL, type ReadParamOptions } from './params';
export { isObject, expectObject, optString, reqString, optNumber, optBoolean, defineLazy, type JsonObject } from './shape';
