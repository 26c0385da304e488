/**
 * `@campus-passport/core` — for apps: the error type and its codes, the token and state stores,
 * the transports, and the public types the strategies use. Strategy authors find the building
 * blocks in `@campus-passport/core/kit`.
 */
export { CampusAuthError, isCampusAuthError, ERROR_CODES, type CampusErrorCode, type CampusAuthErrorOptions } from './errors';
export { MemoryTokenStore, type AppToken, type TokenStore } from './token-manager';
export { RedisTokenStore, type RedisLike, type RedisTokenStoreOptions } from './redis-store';
export { SessionStateStore, type StateStore, type SessionStateStoreOptions } from './state';
export {
  defaultTransport,
  undiciTransport,
  type Transport,
  type TransportRequest,
  type TransportResponse,
  type HttpMethod,
  type QueryValue,
  type UndiciTransportOptions,
} from './transport';
export { axiosTransport, type AxiosLikeInstance } from './axios';
export type { FlowContext } from './context';
export type {
  CampusProfile,
  CampusRequest,
  AppRequest,
  CampusStrategyOptions,
  CampusFailInfo,
  VerifyFunction,
  VerifyFunctionWithRequest,
  VerifyDone,
} from './strategy';
