export { HduHelpStrategy, HduHelpStrategy as Strategy, type HduHelpStrategyOptions, type HduHelpVerify } from './strategy';
export {
  HduHelpClient,
  createPkcePair,
  DEFAULT_BASE_URL,
  DEFAULT_PATHS,
  DEPRECATED_PERSON_INFO_PATH,
  type HduHelpApi,
  type HduHelpClientOptions,
  type HduHelpPaths,
  type HduHelpTokenTypeHint,
  type AuthorizationURLParams,
} from './client';
export {
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
