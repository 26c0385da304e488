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
  ACCESS_TOKEN_CHECKS,
  type AccessTokenCheck,
  type RequireAccessTokenOptions,
  type NcuosAccess,
  type AccessTokenMiddleware,
  type AccessTokenRequest,
  type AccessTokenVerifier,
} from './middleware';
export {
  ACCESS_TOKEN_LEEWAY_MS,
  ACCESS_TOKEN_TYPE,
  MAX_ACCESS_TOKEN_LENGTH,
  SERVER_KEY_PEM_LABELS,
  checkAccessClaims,
  decodeBase64,
  decodeBase64Url,
  parseJwt,
  parseServerKeyAnswer,
  pemToDer,
  verifyJwtSignature,
  type NcuosLocalAccessInfo,
  type ParsedJwt,
} from './access-token';
export { KEY_REFETCH_INTERVAL_MS, VERIFIED_TOKEN_MEMO_SIZE } from './local-verify';
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
