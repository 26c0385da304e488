export { ZiqiangStrategy, ZiqiangStrategy as Strategy, DEFAULT_LOGIN_URL } from './strategy';
export type { ZiqiangCredentials, ZiqiangStatelessPost, ZiqiangStrategyOptions, ZiqiangVerify } from './strategy';
export { ZiqiangClient, DEFAULT_BASE_URL, ZiqiangCodes } from './client';
export type { ZiqiangClientOptions } from './client';
export {
  PLATFORM,
  parseEnvelope,
  parseAppLogin,
  parseRefresh,
  parseUnionId,
  parseUser,
  parseAppInfo,
  parseTime,
  jwtExpiry,
  appLoginToToken,
  DEFAULT_ACCESS_LIFETIME,
} from './profile';
export type { ZiqiangProfile, ZiqiangUserJson, ZiqiangAppLogin, ZiqiangAppInfo, ZiqiangEnvelope } from './profile';
