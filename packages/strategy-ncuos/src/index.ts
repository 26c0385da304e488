export { NcuosStrategy, NcuosStrategy as Strategy, type NcuosStrategyOptions, type NcuosVerify } from './strategy';
export {
  GeniusAuthClient,
  GeniusAuthClient as NcuosClient,
  DEFAULT_BASE_URL,
  PATHS,
  SIGNATURE_PROOF_TTL_MS,
  type GeniusAuthClientOptions,
  type GeniusAuthClientOptions as NcuosClientOptions,
} from './client';
export {
  checkLoginOptions,
  checkPayload,
  GRANT_TYPES,
  VALID_MIN,
  VALID_MAX,
  PAYLOAD_LIMIT,
  type GrantType,
  type VerifyLoginOptions,
} from './login-form';
export { signParams, signatureBase, stringifyForSignature, signedQuery, type SignableValue } from './signature';
export {
  requireAccessToken,
  type NcuosAccess,
  type AccessTokenMiddleware,
  type AccessTokenRequest,
  type AccessTokenVerifier,
} from './middleware';
export {
  PLATFORM,
  parseLoginAnswer,
  parseRefreshAnswer,
  parsePayloadAnswer,
  parseAccessVerify,
  parseUserInfo,
  parsePublicUsers,
  parseGroups,
  toProfile,
  toCredentials,
  type NcuosCredentials,
  type NcuosProfile,
  type NcuosLoginAnswer,
  type NcuosUserInfo,
  type NcuosAccessInfo,
  type NcuosPublicUser,
} from './profile';
