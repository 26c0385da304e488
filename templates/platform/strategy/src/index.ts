export { TmplStrategy, TmplStrategy as Strategy, type TmplStrategyOptions, type TmplVerify } from './strategy';
export { TmplClient, TMPL_PATHS, TMPL_PLATFORM_CODES, type TmplClientOptions } from './client';
export { PLATFORM, parseToken, parseUser, type TmplCredentials, type TmplProfile, type TmplUserJson } from './profile';
