/**
 * Pure parsers: Ziqiang Auth JSON → envelopes, app tokens, union ids and profiles. No I/O; every
 * wrong shape is ERR_BAD_RESPONSE (or ERR_PLATFORM for a 5xx without an envelope).
 */
import { CampusAuthError, type AppToken, type CampusProfile } from '@campus-passport/core';
import { isObject, optBoolean, optString, statusCode, type JsonObject } from '@campus-passport/core/kit';

export const PLATFORM = 'ziqiang';

/** The platform's success code. */
export const SUCCESS_CODE = '00000';

/** The SDK treats an access token as valid for about one day; used when the answer has no expiry. */
export const DEFAULT_ACCESS_LIFETIME = 24 * 60 * 60_000;

/** Ziqiang's answer envelope: `{ code, detail, msg, data }`. */
export interface ZiqiangEnvelope {
  code: string;
  msg: string;
  detail: string;
  /** `data` as an object (errors carry `{ eid, time, details }`); `undefined` when absent or null. */
  data: JsonObject | undefined;
}

/** The user as `/users/{union_id}/` returns it (all fields optional: `detail=false` trims them). */
export interface ZiqiangUserJson {
  name?: string | null;
  student_id?: string | null;
  phone?: string | null;
  is_certified?: boolean;
  certify_time?: string | null;
  update_time?: string | null;
  [k: string]: unknown;
}

/** The profile a Ziqiang login produces. */
export interface ZiqiangProfile extends CampusProfile<ZiqiangUserJson> {
  provider: 'ziqiang';
  /** The user's union id (32 hex characters). */
  id: string;
  /** `name`, else `student_id`, else the union id. */
  displayName: string;
  name?: string;
  studentId?: string;
  phone?: string;
  /** `is_certified`; when absent (detail=false), whether `certify_time` is set. */
  isCertified: boolean;
  /** ISO time of the student certification, `null` when not certified. */
  certifyTime: string | null;
  updateTime?: string;
}

/** What app login (`POST /auth/apps/`) answers. */
export interface ZiqiangAppLogin {
  id: number | string;
  /** The app's English id (the login page's `app-name`). */
  username: string;
  name: string;
  access: string;
  refresh?: string;
  expireTime: number;
}

/** `GET /apps/{id}/`. */
export interface ZiqiangAppInfo {
  id: number | string;
  username: string;
  name: string;
  isActive?: boolean;
  _json: JsonObject;
}

function bad(message: string, upstreamStatus?: number): CampusAuthError {
  return new CampusAuthError('ERR_BAD_RESPONSE', `ziqiang: ${message}`, { platform: PLATFORM, upstreamStatus });
}

/**
 * Read the envelope of any answer. A body that is not an envelope is ERR_BAD_RESPONSE, or what
 * core's status table says for its HTTP status (5xx: ERR_PLATFORM, 429: ERR_RATE_LIMITED; both
 * retryable).
 */
export function parseEnvelope(body: unknown, status: number): ZiqiangEnvelope {
  if (!isObject(body) || typeof body.code !== 'string' || body.code === '') {
    const what =
      body === undefined
        ? 'an empty body'
        : Array.isArray(body)
          ? 'an array'
          : isObject(body)
            ? 'an object without "code"'
            : typeof body;
    const byStatus = statusCode(status);
    if (byStatus)
      throw new CampusAuthError(byStatus.code, `ziqiang answered HTTP ${status} (${what})`, {
        platform: PLATFORM,
        upstreamStatus: status,
        retryable: byStatus.retryable,
      });
    throw bad(`the answer is not a Ziqiang envelope (HTTP ${status}, ${what})`, status);
  }
  const data = body.data;
  if (data !== undefined && data !== null && !isObject(data)) {
    if (body.code === SUCCESS_CODE) throw bad(`"data" is not an object (HTTP ${status})`, status);
  }
  return {
    code: body.code,
    msg: optString(body, 'msg') ?? '',
    detail: optString(body, 'detail') ?? '',
    data: isObject(data) ? data : undefined,
  };
}

/** The `data` of a successful envelope (an object), or ERR_BAD_RESPONSE. */
export function successData(env: ZiqiangEnvelope, status: number, what: string): JsonObject {
  if (status < 200 || status >= 300) throw bad(`${what} answered code ${SUCCESS_CODE} with HTTP ${status}`, status);
  if (!env.data) throw bad(`${what} has no "data" object`, status);
  return env.data;
}

/**
 * A point in time as epoch ms: an ISO string (with or without zone, any fraction digits), epoch
 * seconds, or epoch ms (numbers or numeric strings). `undefined` for null/absent; ERR_BAD_RESPONSE
 * for anything else.
 */
export function parseTime(value: unknown, what: string): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  let n: number | undefined;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'string' && /^\d+(\.\d+)?$/.test(value.trim())) n = Number(value);
  if (n !== undefined && Number.isFinite(n) && n > 0) return n < 1e11 ? Math.round(n * 1000) : Math.round(n);
  if (typeof value === 'string') {
    // Python's isoformat() may give microseconds and a space separator; Date.parse copes with both.
    const ms = Date.parse(value.trim().replace(' ', 'T'));
    if (Number.isFinite(ms)) return ms;
  }
  throw bad(`${what} is not a time (${typeof value})`);
}

/** The `exp` claim of a JWT-shaped token, in epoch ms; `undefined` when it is not a readable JWT. */
export function jwtExpiry(token: string | undefined): number | undefined {
  if (!token) return undefined;
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const claims: unknown = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    if (isObject(claims) && typeof claims.exp === 'number' && Number.isFinite(claims.exp) && claims.exp > 0)
      return claims.exp < 1e11 ? claims.exp * 1000 : claims.exp;
  } catch {
    /* not a JWT */
  }
  return undefined;
}

/** Access-token expiry: `expire_time`, else the JWT's `exp`, else one day from `now`. */
function accessExpiry(data: JsonObject, access: string, now: number): number {
  return parseTime(data.expire_time, 'expire_time') ?? jwtExpiry(access) ?? now + DEFAULT_ACCESS_LIFETIME;
}

/** `POST /auth/apps/` data → the app login. */
export function parseAppLogin(data: JsonObject, now: number): ZiqiangAppLogin {
  const access = optString(data, 'access');
  if (!access) throw bad('app login answer has no "access" token');
  const username = optString(data, 'username');
  if (!username) throw bad('app login answer has no "username"');
  const id = data.id;
  if (typeof id !== 'number' && typeof id !== 'string') throw bad('app login answer has no "id"');
  const refresh = optString(data, 'refresh') || undefined;
  return {
    id,
    username,
    name: optString(data, 'name') ?? '',
    access,
    refresh,
    expireTime: accessExpiry(data, access, now),
  };
}

/** The app login as the AppTokenManager stores it (app id, username and name ride in `extra`). */
export function appLoginToToken(login: ZiqiangAppLogin): AppToken {
  return {
    accessToken: login.access,
    expiresAt: login.expireTime,
    refreshToken: login.refresh,
    refreshExpiresAt: jwtExpiry(login.refresh),
    extra: { id: login.id, username: login.username, name: login.name },
  };
}

/**
 * `POST /auth/refresh/` data → the renewed token. Ziqiang returns no new refresh token: the
 * previous one (and the app's id / username) are kept.
 */
export function parseRefresh(data: JsonObject, previous: AppToken, now: number): AppToken {
  const access = optString(data, 'access');
  if (!access) throw bad('refresh answer has no "access" token');
  const refresh = optString(data, 'refresh') || previous.refreshToken;
  return {
    ...previous,
    accessToken: access,
    expiresAt: accessExpiry(data, access, now),
    refreshToken: refresh,
    refreshExpiresAt: refresh === previous.refreshToken ? previous.refreshExpiresAt : jwtExpiry(refresh),
  };
}

const UNION_ID_RE = /^[A-Za-z0-9_-]{1,128}$/;

/** `POST /sso/union-id/` data → the union id. */
export function parseUnionId(data: JsonObject): string {
  const unionId = optString(data, 'union_id');
  if (!unionId) throw bad('union-id answer has no "union_id"');
  if (!UNION_ID_RE.test(unionId)) throw bad('"union_id" has characters a union id cannot have');
  return unionId;
}

function nullableString(data: JsonObject, key: string): string | undefined {
  const v = data[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  throw bad(`user field "${key}" is a ${Array.isArray(v) ? 'array' : typeof v}, not a string`);
}

/**
 * `GET /users/{union_id}/` data → the profile. With `detail=false` the platform returns only
 * `certify_time` (and, per the docs, `is_certified`): the profile then has no name / student id.
 * Every answer carries `certify_time` (SDK fixtures users_123.json, users_123_no_detail.json) or
 * `is_certified` (seed): one with neither (e.g. `data: {}`) says nothing about the user and is
 * ERR_BAD_RESPONSE — not an uncertified user.
 */
export function parseUser(unionId: string, data: JsonObject, raw: string): ZiqiangProfile {
  if (!isObject(data)) throw bad('the user is not an object');
  if (data.certify_time === undefined && data.is_certified === undefined)
    throw bad('the user answer has neither "certify_time" nor "is_certified"');
  const name = nullableString(data, 'name') || undefined;
  const studentId = nullableString(data, 'student_id') || undefined;
  const phone = nullableString(data, 'phone') || undefined;
  const certifyTime = nullableString(data, 'certify_time') ?? null;
  const updateTime = nullableString(data, 'update_time') || undefined;
  let isCertified: boolean;
  if (data.is_certified === undefined || data.is_certified === null) isCertified = certifyTime !== null;
  else {
    const b = optBoolean(data, 'is_certified');
    if (b === undefined) throw bad('user field "is_certified" is not a boolean');
    isCertified = b;
  }
  return {
    provider: 'ziqiang',
    id: unionId,
    displayName: name ?? studentId ?? unionId,
    name,
    studentId,
    phone,
    isCertified,
    certifyTime,
    updateTime,
    _json: data as ZiqiangUserJson,
    _raw: raw,
  };
}

/** `GET /apps/{id}/` data → the app. */
export function parseAppInfo(data: JsonObject): ZiqiangAppInfo {
  const id = data.id;
  if (typeof id !== 'number' && typeof id !== 'string') throw bad('app answer has no "id"');
  const username = optString(data, 'username');
  if (!username) throw bad('app answer has no "username"');
  return { id, username, name: optString(data, 'name') ?? '', isActive: optBoolean(data, 'is_active'), _json: data };
}
