export { HduHelpStrategy, HduHelpStrategy as Strategy, type HduHelpStrategyOptions, type HduHelpVerify } from './strategy';
export {
  HduHelpClient,
  DEFAULT_BASE_URL,
  DEFAULT_PATHS,
  DEPRECATED_PERSON_INFO_PATH,
  type HduHelpApi,
  type HduHelpClientOptions,
  type HduHelpPaths,
  type HduHelpTokenTypeHint,
  type AuthorizationURLParams,
} from './client';
export { requestIdOf } from './envelope';
export type { HduHelpOpenApiAuth, HduHelpOpenApiRequest, HduHelpOpenApiResponse } from './open-api';
export {
  earlyRefreshLead,
  tokenWindow,
  seededWindow,
  EARLY_REFRESH_MS,
  FALLBACK_LIFETIME_MS,
  DEFAULT_REFRESH_TOKEN_LIFETIME_MS,
  type TokenWindow,
  type HduHelpUserTokenSource,
  type HduHelpUserTokenSourceOptions,
} from './tokens';
// core's PKCE pair, for apps that drive a neo login with HduHelpClient alone (documented here before core had it)
export { createPkcePair } from '@campus-passport/core/kit';
export {
  PLATFORM,
  parseClassicToken,
  parseNeoToken,
  parseNeoUser,
  parsePersonInfo,
  parseStaffType,
  parseValidate,
  profileFromToken,
  type HduHelpCredentials,
  type HduHelpProfile,
  type HduHelpStaffTypeLabel,
  type HduHelpTokenInfo,
  type HduHelpTokenResult,
} from './profile';
