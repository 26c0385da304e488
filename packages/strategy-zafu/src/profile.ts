import { CampusAuthError, type AppToken, type CampusProfile } from '@campus-passport/core';
import { expectObject, isObject, optNumber, optString, type JsonObject } from '@campus-passport/core/kit';

/** The platform's name, in every error and option message. */
export const PLATFORM = 'zafu';

// ───────────────────────────── website login (authorization code) ─────────────────────────────

/** What the user-info endpoint answered (the fields are not published; see `profileFields`). */
export type ZafuUserJson = JsonObject;

/** The profile of a ZAFU user. */
export interface ZafuProfile extends CampusProfile<ZafuUserJson> {
  provider: 'zafu';
  /** 学工号 (student / staff number), when the platform sends it. */
  xgh?: string;
  /** 身份, e.g. 学生 / 教师. */
  userType?: string;
  /** 院系 / 部门. */
  department?: string;
}

/** The profile fields that can be mapped from the user-info JSON. */
export type ZafuProfileField = 'id' | 'displayName' | 'xgh' | 'userType' | 'department';

/**
 * Where each profile field comes from in the user-info JSON: a key, a dotted path (`'data.user.id'`)
 * or a list of candidates (the first present wins). A field given here replaces its default.
 */
export type ZafuProfileFields = Partial<Record<ZafuProfileField, string | readonly string[]>>;

/**
 * Default mapping. ZAFU's user-info fields are unpublished, so the defaults try the common names
 * (and the OIDC `sub`) in order.
 */
export const DEFAULT_PROFILE_FIELDS: Readonly<Record<ZafuProfileField, readonly string[]>> = {
  id: ['id', 'userId', 'user_id', 'uid', 'sub', 'xgh'],
  displayName: ['name', 'displayName', 'nickname', 'xm', 'username'],
  xgh: ['xgh', 'userno', 'studentId', 'staffId', 'username'],
  userType: ['userType', 'user_type', 'identity', 'sf'],
  department: ['department', 'dept', 'deptName', 'org', 'yx'],
};

/** The user's tokens from the authorization-code exchange: what `verify` receives as credentials. */
export interface ZafuCredentials {
  accessToken: string;
  refreshToken?: string;
  tokenType?: string;
  /** Seconds, as the platform said. */
  expiresIn?: number;
  scope?: string;
  /** The whole token answer as parsed (e.g. an `id_token`, or ZAFU-specific extras). */
  params: JsonObject;
}

function pick(obj: JsonObject, path: string): unknown {
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (!isObject(cur)) return undefined;
    cur = cur[part];
  }
  return cur;
}

function first(obj: JsonObject, paths: string | readonly string[]): string | undefined {
  for (const path of typeof paths === 'string' ? [paths] : paths) {
    const v = pick(obj, path);
    if (typeof v === 'string' && v !== '') return v;
    if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  }
  return undefined;
}

/**
 * The user-info answer → ZafuProfile. Accepts a plain user object, or the ZAFU house envelope
 * `{type:"success", data:{…}}` (then `data` is the user; `type:"error"` is ERR_PLATFORM).
 */
export function parseProfile(body: unknown, raw: string, fields: ZafuProfileFields = {}): ZafuProfile {
  let user = expectObject(body, PLATFORM, 'the user-info answer');
  if (typeof user.type === 'string' && 'data' in user && ('content' in user || 'errorFields' in user)) {
    const data = checkEnvelope(user, 'the user-info answer');
    user = expectObject(data, PLATFORM, 'the user-info answer data');
  }
  const map = { ...DEFAULT_PROFILE_FIELDS, ...fields } as Record<ZafuProfileField, string | readonly string[]>;
  const id = first(user, map.id);
  if (id === undefined)
    throw new CampusAuthError('ERR_BAD_RESPONSE', 'zafu: the user-info answer has no user id (see the profileFields option)', {
      platform: PLATFORM,
    });
  const xgh = first(user, map.xgh);
  const profile: ZafuProfile = {
    provider: 'zafu',
    id,
    displayName: first(user, map.displayName) ?? xgh ?? id,
    _json: user,
    _raw: raw,
  };
  if (xgh !== undefined) profile.xgh = xgh;
  const userType = first(user, map.userType);
  if (userType !== undefined) profile.userType = userType;
  const department = first(user, map.department);
  if (department !== undefined) profile.department = department;
  return profile;
}

/** A successful authorization-code token answer → credentials (no access_token → ERR_BAD_RESPONSE). */
export function parseUserTokens(body: unknown): ZafuCredentials {
  const obj = expectObject(body, PLATFORM, 'the token answer');
  const accessToken = optString(obj, 'access_token');
  if (!accessToken)
    throw new CampusAuthError('ERR_BAD_RESPONSE', 'zafu: the token answer has no access_token', { platform: PLATFORM });
  const creds: ZafuCredentials = { accessToken, params: obj };
  const refreshToken = optString(obj, 'refresh_token');
  if (refreshToken) creds.refreshToken = refreshToken;
  const tokenType = optString(obj, 'token_type');
  if (tokenType) creds.tokenType = tokenType;
  const expiresIn = optNumber(obj, 'expires_in');
  if (expiresIn !== undefined) creds.expiresIn = expiresIn;
  const scope = optString(obj, 'scope');
  if (scope !== undefined) creds.scope = scope;
  return creds;
}

// ─────────────────────────────────── open platform (app) ───────────────────────────────────

/** Two weeks, the documented lifetime of a client-credentials token. */
export const APP_TOKEN_TTL_SECONDS = 1_209_600;

/** The client-credentials answer `{access_token, expires_in, scope, token_type}` → AppToken. */
export function parseAppToken(body: unknown, now: number): AppToken {
  const obj = expectObject(body, PLATFORM, 'the client-credentials answer');
  const accessToken = optString(obj, 'access_token');
  if (!accessToken)
    throw new CampusAuthError('ERR_BAD_RESPONSE', 'zafu: the client-credentials answer has no access_token', {
      platform: PLATFORM,
    });
  const expiresIn = optNumber(obj, 'expires_in') ?? APP_TOKEN_TTL_SECONDS; // the table types it as a string
  const extra: Record<string, string> = {};
  const scope = optString(obj, 'scope');
  if (scope !== undefined) extra.scope = scope;
  const tokenType = optString(obj, 'token_type');
  if (tokenType !== undefined) extra.tokenType = tokenType;
  return { accessToken, expiresAt: now + expiresIn * 1000, extra };
}

/**
 * What an OAuth-style refusal said (`{error, error_description}`, Spring Security OAuth2's shape,
 * which the seed's token errors match), or the house `content` / `message` of a non-200 answer.
 */
export function refusalOf(body: unknown): { platformCode?: string; platformMessage?: string } {
  const obj: JsonObject = isObject(body) ? body : {};
  return {
    platformCode: optString(obj, 'error'),
    platformMessage: optString(obj, 'error_description') ?? optString(obj, 'content') ?? optString(obj, 'message'),
  };
}

/** The `errorFields` of an envelope, as the platform sent them (array, string or null). */
function errorFieldsOf(obj: JsonObject): unknown {
  return obj.errorFields === undefined ? null : obj.errorFields;
}

/**
 * Check the `{type, code, content, anchor, errorFields, data}` envelope: `type:"success"` → `data`;
 * any other type → ERR_PLATFORM with the platform's `content`, `code` and `errorFields` (in
 * `details`); no `type` → ERR_BAD_RESPONSE.
 */
export function checkEnvelope(body: unknown, what: string): unknown {
  const obj = expectObject(body, PLATFORM, what);
  if (typeof obj.type !== 'string')
    throw new CampusAuthError('ERR_BAD_RESPONSE', `zafu: ${what} has no envelope "type"`, { platform: PLATFORM });
  if (obj.type === 'success') return obj.data;
  const content = optString(obj, 'content') ?? '';
  throw new CampusAuthError('ERR_PLATFORM', `zafu refused: ${content || obj.type}`, {
    platform: PLATFORM,
    platformCode: optString(obj, 'code') ?? obj.type,
    platformMessage: content,
    details: { type: obj.type, errorFields: errorFieldsOf(obj), anchor: obj.anchor ?? null },
  });
}

/** The answer of the message APIs (`msgcreate`, `msgsend`). */
export interface ZafuStatusResult {
  status: 1;
  message: string;
}

/**
 * Check the `{status: 0|1, message, errorFields?}` answer: 1 → ok; 0 → ERR_PLATFORM with the
 * message and errorFields; anything else → ERR_BAD_RESPONSE.
 */
export function checkStatusEnvelope(body: unknown, what: string): ZafuStatusResult {
  const obj = expectObject(body, PLATFORM, what);
  const status = optNumber(obj, 'status');
  const message = optString(obj, 'message') ?? '';
  if (status === 1) return { status: 1, message };
  if (status === 0)
    throw new CampusAuthError('ERR_PLATFORM', `zafu refused: ${message || 'status 0'}`, {
      platform: PLATFORM,
      platformCode: 0,
      platformMessage: message,
      details: { status: 0, errorFields: errorFieldsOf(obj) },
    });
  throw new CampusAuthError('ERR_BAD_RESPONSE', `zafu: ${what} has no "status" of 0 or 1`, { platform: PLATFORM });
}

/** The array `data` of an envelope (null/absent → []; anything else → ERR_BAD_RESPONSE). */
export function expectArray<T>(data: unknown, what: string): T[] {
  if (data === null || data === undefined) return [];
  if (!Array.isArray(data) || !data.every(isObject))
    throw new CampusAuthError('ERR_BAD_RESPONSE', `zafu: ${what} is not a list of objects`, { platform: PLATFORM });
  return data as T[];
}
