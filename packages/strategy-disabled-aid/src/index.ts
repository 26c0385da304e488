export {
  DisabledAidStrategy,
  DisabledAidStrategy as Strategy,
  type DisabledAidStrategyOptions,
  type DisabledAidCredentials,
  type DisabledAidVerify,
} from './strategy';
export {
  DisabledAidClient,
  DEFAULT_ENDPOINTS,
  TEST_PREFIX,
  AGENTS,
  type DisabledAidClientOptions,
  type DisabledAidEndpoints,
  type DisabledAidSignableRequest,
  type DisabledAidSigner,
  type DisabledAidUserAnswer,
  type DisabledAidAgent,
  type DisabledAidAuthorizeParams,
} from './client';
export {
  PLATFORM,
  stripStoken,
  parseEnvelope,
  parseUser,
  parseRoles,
  parsePermissions,
  toProfile,
  ROLE_LEVELS,
  SIDES,
  type DisabledAidSide,
  type DisabledAidEnvelope,
  type DisabledAidUser,
  type DisabledAidRole,
  type DisabledAidPermission,
  type DisabledAidProfile,
} from './profile';
export { buildMenuTree, type DisabledAidMenuNode } from './menu';
