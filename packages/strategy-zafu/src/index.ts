export { ZafuStrategy, ZafuStrategy as Strategy, type ZafuStrategyOptions, type ZafuVerify } from './strategy';
export {
  ZafuOAuthClient,
  DEFAULT_BASE_URL,
  ZAFU_BASE_URL,
  ZAFU_AUTHORIZATION_URL,
  ZAFU_TOKEN_URL,
  ZAFU_USERINFO_URL,
  type ZafuOAuthClientOptions,
} from './client';
export {
  ZafuOpenPlatform,
  ZAFU_API_PATHS,
  type ZafuApi,
  type ZafuOpenPlatformOptions,
  type ZafuOpenPlatformSettings,
  type ZafuMenu,
  type ZafuMenuDap,
  type ZafuMessageScope,
  type ZafuMessageType,
  type ZafuCreateMessageInput,
  type ZafuSendMessageInput,
  type ZafuMessageStatusInput,
  type ZafuMessageStatus,
  type ZafuTask,
  type ZafuScanRecordInput,
} from './open-platform';
export { encryptIdCard, decryptIdCard, zafuAesKey, type ZafuAesOptions } from './crypto';
export {
  PLATFORM,
  parseProfile,
  parseUserTokens,
  parseAppToken,
  checkEnvelope,
  checkStatusEnvelope,
  DEFAULT_PROFILE_FIELDS,
  APP_TOKEN_TTL_SECONDS,
  type ZafuProfile,
  type ZafuProfileField,
  type ZafuProfileFields,
  type ZafuCredentials,
  type ZafuUserJson,
  type ZafuStatusResult,
} from './profile';
