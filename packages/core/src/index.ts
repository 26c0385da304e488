export {
  CampusAuthError,
  isCampusAuthError,
  ERROR_CODES,
  USER_ERROR_CODES,
  DEFAULT_STATUS,
  type CampusErrorCode,
  type CampusAuthErrorOptions,
} from './errors';
export { redactText, redactUrl, redactValue, collectSecrets, isSecretKey, excerpt, REDACTED } from './redact';
export {
  defaultTransport,
  defaultTransport as request,
  undiciTransport,
  undiciTransport as createTransport,
  buildUrl,
  encodeForm,
  DEFAULT_TIMEOUT,
  type Transport,
  type TransportRequest,
  type TransportResponse,
  type HttpMethod,
  type QueryValue,
  type UndiciTransportOptions,
} from './transport';
export { axiosTransport, type AxiosLikeInstance } from './axios';
export {
  AppTokenManager,
  MemoryTokenStore,
  processTokenStore,
  type AppToken,
  type TokenStore,
  type LockRelease,
  type AppTokenManagerOptions,
} from './token-manager';
export {
  SessionStateStore,
  saveSession,
  toOAuth2StateStore,
  stateStoreOption,
  readStateParam,
  verifyState,
  type StateStore,
  type StateData,
  type StateCheck,
  type StateRequest,
  type StateSession,
  type SessionStateStoreOptions,
} from './state';
export {
  CampusStrategy,
  invokeVerify,
  type CampusRequest,
  type CampusProfile,
  type CampusFailInfo,
  type CampusStrategyOptions,
  type CampusAuthenticateOptions,
  type FlowOutcome,
  type VerifyDone,
  type VerifyFunction,
  type VerifyFunctionWithRequest,
  type VerifyResult,
} from './strategy';
export { readParam, hasParam, originalURL, resolveCallbackURL, type ReadParamOptions } from './params';
export { isObject, expectObject, optString, reqString, optNumber, optBoolean, type JsonObject } from './shape';
export { RedisTokenStore, type RedisLike, type RedisTokenStoreOptions } from './redis-store';
