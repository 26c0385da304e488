/**
 * The NCUOS GeniusAuth emulator's data: the demo app, the seeded users, lifetimes and limits, the
 * platform's codes and the forms its handlers bind. Sources: ncuhome/GeniusAuthoritarian (paths
 * below are in that repository).
 */
import type { GoField } from './gojson';

export const DEFAULT_PORT = 4103;
/** The demo app registered on the emulator out of the box. */
export const DEFAULT_APP_CODE = 'campus-passport-demo';
export const DEFAULT_APP_SECRET = 'ncuos-demo-secret-7f3a9c1e5b2d4086';
export const DEFAULT_CALLBACK_URL = 'http://localhost:3000/auth/ncuos/callback';

/** Login tokens live 5 minutes (jwt.go GenerateLoginToken); access tokens 5 minutes (GenerateAccessToken). */
export const LOGIN_TOKEN_TTL_MS = 5 * 60_000;
export const ACCESS_TOKEN_TTL_MS = 5 * 60_000;
/** `valid` (verify.go): binding min=0,max=2592000; in refresh_token mode 0 means 604800 and less is refused. */
export const MIN_VALID_SECONDS = 604_800;
export const MAX_VALID_SECONDS = 2_592_000;
/** `payload` (verify.go): binding max=32 — at most 32 characters (validator counts runes). */
export const PAYLOAD_MAX_LENGTH = 32;
/** middlewares/secure.go: RateLimit 60 per minute per client IP, on the login-page routes only. */
export const RATE_LIMIT_PER_MINUTE = 60;

export interface NcuosApp {
  appCode: string;
  appSecret: string;
  /** Where the login page sends the browser with `?token=` (the app's registered callback). */
  callbackURL: string;
  /** The app's display name (GET /api/v1/public/app/). Default: the appCode. */
  name?: string;
  /** dao.App PermitAllGroup: users without a group may log in (thirdPartyLogin.go checkUserPermission). */
  permitAllGroup?: boolean;
}

export interface NcuosSeedUser {
  id: number;
  name: string;
  avatarUrl: string;
  /** Group names (what the login records); the public user info answers `{ id, name }` objects. */
  groups: string[];
  /** A user the platform has no identity for: the login page refuses with code 26. */
  noIdentity?: boolean;
}

/** Seeded users: 8 and 9 are ordinary members; the login page refuses 10 (no group, code 7) and 11 (no identity, code 26). */
export const NCUOS_USERS: NcuosSeedUser[] = [
  { id: 8, name: '孙翔宇', avatarUrl: 'https://avatar.example.ncuos.test/8.png', groups: ['研发', '中心'] },
  { id: 9, name: '李晓燕', avatarUrl: 'https://avatar.example.ncuos.test/9.png', groups: ['设计'] },
  { id: 10, name: '王无组', avatarUrl: 'https://avatar.example.ncuos.test/10.png', groups: [] },
  { id: 11, name: '赵无身份', avatarUrl: 'https://avatar.example.ncuos.test/11.png', groups: ['运营'], noIdentity: true },
];

/** Group ids used by the public user-info answer. */
export const GROUP_IDS: Record<string, number> = { 研发: 1, 中心: 2, 设计: 3, 运营: 4 };

/** The platform's codes: [code, HTTP status, message] (internal/api/callback/code.go). */
export const NCUOS_CODES = {
  form: [1, 400, '参数错误，请把输入截图发给前端同学'],
  appCodeNotFound: [3, 404, '没有找到授权码'],
  dbOperation: [4, 500, '数据库操作失败，请反馈后端同学修复'],
  remoteFailed: [5, 500, '远程调用异常，请稍候重试'],
  unauthorized: [6, 401, '身份校验失败，令牌失效或过期'],
  noGroup: [7, 403, '找不到身份组，请联系管理员处理'],
  unexpected: [8, 500, '发生预期外错误，请反馈后端同学'],
  signatureExpired: [9, 403, '请求已过期，请重试'],
  rateLimited: [19, 403, '操作频繁，请稍后重试'],
  /** Never raised on verify: verify.go's client-IP check is commented out (since 2024-12). */
  netContextChanged: [20, 403, '网络环境异常变更，请重新登录'],
  noIdentity: [26, 403, '没有找到角色，请尝试使用其他登录方式或联系管理员'],
  tokenInvalid: [31, 403, '身份令牌无效或已过期'],
} as const satisfies Record<string, readonly [number, number, string]>;
export type CodeName = keyof typeof NCUOS_CODES;

/** The forms the handlers bind (gin binding tags: json / form). */
/** RequireAppSignature's header struct (middlewares/app.go). */
export const HEADER_FIELDS: GoField[] = [
  { go: 'AppCode', json: 'appCode', form: 'appCode', kind: 'string' },
  { go: 'TimeStamp', json: 'timeStamp', form: 'timeStamp', kind: 'int64' },
  { go: 'Signature', json: 'signature', form: 'signature', kind: 'string' },
];
/** CompleteLogin's form (controllers/public/login/verify.go): json tags only. */
export const VERIFY_FIELDS: GoField[] = [
  { go: 'Token', json: 'token', kind: 'string' },
  { go: 'ClientIp', json: 'clientIp', kind: 'string' },
  { go: 'GrantType', json: 'grantType', kind: 'string' },
  { go: 'Payload', json: 'payload', kind: 'string' },
  { go: 'Valid', json: 'valid', kind: 'int64' },
];
export const TOKEN_FIELDS: GoField[] = [{ go: 'Token', json: 'token', form: 'token', kind: 'string' }];
export const MODIFY_FIELDS: GoField[] = [
  ...TOKEN_FIELDS,
  { go: 'Payload', json: 'payload', form: 'payload', kind: 'string' },
  { go: 'AccessToken', json: 'accessToken', form: 'accessToken', kind: 'bool' },
];
export const ID_FIELDS: GoField[] = [{ go: 'ID', json: 'id', form: 'id', kind: 'string' }];
export const CODE_FIELDS: GoField[] = [{ go: 'Code', json: 'code', form: 'code', kind: 'string' }];
export const APP_CODE_FIELDS: GoField[] = [{ go: 'AppCode', json: 'appCode', form: 'appCode', kind: 'string' }];
/** thirdPartyLogin.go: the `:app` route names. */
export const LOGIN_APPS = ['feishu', 'dingTalk'];
