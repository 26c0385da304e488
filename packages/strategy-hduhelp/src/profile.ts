/**
 * Pure parsers: HDU Helper JSON (the `data` of an envelope) → credentials and profile.
 * Wrong shapes throw ERR_BAD_RESPONSE; nothing here makes a call.
 */
import { CampusAuthError, type CampusProfile } from '@campus-passport/core';
import { isObject, optNumber, optString, type JsonObject } from '@campus-passport/core/kit';

export const PLATFORM = 'hduhelp';

export type HduHelpStaffTypeLabel = 'undergraduate' | 'graduate' | 'staff';

export interface HduHelpCredentials {
  accessToken: string;
  refreshToken?: string;
  /** Epoch ms. */
  accessTokenExpiresAt?: number;
  /** Epoch ms. */
  refreshTokenExpiresAt?: number;
  /** 学号 / 工号. */
  staffId?: string;
  /** The platform's user id (a UUID-like string). */
  userId?: string;
}

export interface HduHelpProfile extends CampusProfile<JsonObject> {
  provider: 'hduhelp';
  staffId?: string;
  staffName?: string;
  /** 1 undergraduate, 2 graduate, 3 staff. */
  staffType?: number;
  staffTypeLabel?: HduHelpStaffTypeLabel;
  /** 在校状态, as the platform says it (e.g. 在校). */
  staffState?: string;
  unitCode?: string;
  unitName?: string;
  grade?: string;
  /** neo only. */
  avatar?: string;
  /** neo only. */
  school?: string;
}

/** A token answer, parsed: the credentials plus the data without the tokens. */
export interface HduHelpTokenResult {
  credentials: HduHelpCredentials;
  /** The answer's `data` with access/refresh tokens removed (safe to keep in a profile). */
  info: JsonObject;
}

const STAFF_TYPES: Record<number, HduHelpStaffTypeLabel> = { 1: 'undergraduate', 2: 'graduate', 3: 'staff' };
const STAFF_TYPE_TEXT: Array<[RegExp, number]> = [
  [/本科/, 1],
  [/研究生|硕士|博士/, 2],
  [/教职工|教工|教师|职工|员工/, 3],
  [/^undergraduate$/i, 1],
  [/^graduate$/i, 2],
  [/^staff$/i, 3],
];

/** Read a staff type given as 1/2/3, "1"/"2"/"3", or as text (本科生 / 研究生 / 教职工). */
export function parseStaffType(v: unknown): { staffType?: number; staffTypeLabel?: HduHelpStaffTypeLabel } {
  let n: number | undefined;
  if (typeof v === 'number' && Number.isInteger(v)) n = v;
  else if (typeof v === 'string' && /^\s*\d+\s*$/.test(v)) n = Number(v);
  else if (typeof v === 'string') n = STAFF_TYPE_TEXT.find(([re]) => re.test(v.trim()))?.[1];
  if (n === undefined) return {};
  return { staffType: n, staffTypeLabel: STAFF_TYPES[n] };
}

/**
 * `/salmon_base/person/info` numbers its kinds differently from the token answer's `staff_type`:
 * 1 本科生, 2 教师, 3 研究生 (open-docs docs/develop/teaching/person-info.md; get-access-token.md
 * warns that the two differ). Mapped to the token's numbering, which the profile uses throughout.
 */
const PERSON_INFO_STAFF_TYPES: Record<number, number> = { 1: 1, 2: 3, 3: 2 };

function parsePersonInfoStaffType(v: unknown): { staffType?: number; staffTypeLabel?: HduHelpStaffTypeLabel } {
  const parsed = parseStaffType(v);
  // only a number is renumbered; a text (本科生 / 研究生 / 教职工) already says what it is
  const numeric = typeof v === 'number' || (typeof v === 'string' && /^\s*\d+\s*$/.test(v));
  if (!numeric || parsed.staffType === undefined) return parsed;
  const n = PERSON_INFO_STAFF_TYPES[parsed.staffType];
  return n === undefined ? parsed : parseStaffType(n);
}

function bad(what: string): CampusAuthError {
  return new CampusAuthError('ERR_BAD_RESPONSE', `hduhelp: ${what}`, { platform: PLATFORM });
}

function data(body: unknown, what: string): JsonObject {
  if (!isObject(body)) throw bad(`${what} has no data object`);
  return body;
}

function accessToken(obj: JsonObject, key: string, what: string): string {
  const v = obj[key];
  if (typeof v !== 'string' || v === '') throw bad(`${what} has no "${key}"`);
  return v;
}

/** A platform time: epoch seconds or epoch ms → epoch ms. */
function epochMs(v: number | undefined): number | undefined {
  if (v === undefined || v <= 0) return undefined;
  return v < 1e12 ? v * 1000 : v;
}

function without(obj: JsonObject, keys: string[]): JsonObject {
  const out: JsonObject = {};
  for (const k of Object.keys(obj)) if (!keys.includes(k)) out[k] = obj[k];
  return out;
}

/** Classic `GET /oauth/token` data → credentials. */
export function parseClassicToken(body: unknown): HduHelpTokenResult {
  const d = data(body, 'the token answer');
  return {
    credentials: {
      accessToken: accessToken(d, 'access_token', 'the token answer'),
      refreshToken: optString(d, 'refresh_token') || undefined,
      accessTokenExpiresAt: epochMs(optNumber(d, 'access_token_expire')),
      refreshTokenExpiresAt: epochMs(optNumber(d, 'refresh_token_expire')),
      staffId: optString(d, 'staff_id') || undefined,
      userId: optString(d, 'user_id') || undefined,
    },
    info: without(d, ['access_token', 'refresh_token']),
  };
}

/** Neo `access-token` / `refresh-access-token` data → credentials. `now` is epoch ms. */
export function parseNeoToken(body: unknown, now: number): HduHelpTokenResult {
  const d = data(body, 'the token answer');
  const expiresIn = optNumber(d, 'expiresIn');
  return {
    credentials: {
      accessToken: accessToken(d, 'accessToken', 'the token answer'),
      refreshToken: optString(d, 'refreshToken') || undefined,
      accessTokenExpiresAt: expiresIn !== undefined && expiresIn > 0 ? now + expiresIn * 1000 : undefined,
      userId: optString(d, 'userId') || undefined,
    },
    info: without(d, ['accessToken', 'refreshToken']),
  };
}

/** Classic `GET /oauth/token/validate` data. */
export interface HduHelpTokenInfo {
  staffId?: string;
  /** Epoch ms. */
  accessTokenExpiresAt?: number;
  /** The answer's data without the token. */
  _json: JsonObject;
}

export function parseValidate(body: unknown): HduHelpTokenInfo {
  const d = data(body, 'the validate answer');
  if (optString(d, 'staff_id') === undefined && optString(d, 'access_token') === undefined)
    throw bad('the validate answer has neither "staff_id" nor "access_token"');
  return {
    staffId: optString(d, 'staff_id'),
    accessTokenExpiresAt: epochMs(optNumber(d, 'access_token_expire')),
    _json: without(d, ['access_token']),
  };
}

function finish(p: Omit<HduHelpProfile, 'provider' | 'id' | 'displayName'>, userId: string | undefined): HduHelpProfile {
  const id = userId || p.staffId;
  if (!id) throw bad('the person info has no user id and no staff id');
  return { provider: 'hduhelp', id, displayName: p.staffName || p.staffId || id, ...p };
}

/**
 * Classic person info → profile. Reads the current `/salmon_base/person/info` shape (staffId,
 * staffName…; its staffType renumbered, see above) and the deprecated `/base/person/info`
 * upper-case shape (STAFFID, STAFFNAME…, STAFFTYPE as text).
 * `userId` (from the token answer) becomes the id when there is one; else the staff id.
 */
export function parsePersonInfo(body: unknown, raw: string, userId?: string): HduHelpProfile {
  const d = data(body, 'the person info');
  const upper = d.STAFFID !== undefined || d.STAFFNAME !== undefined;
  // one field of either shape (built in one literal: a login reads this on every sign-in)
  const staffId = (upper ? optString(d, 'STAFFID') : optString(d, 'staffId')) || undefined;
  if (!staffId) throw bad('the person info has no staff id');
  const staffName = (upper ? optString(d, 'STAFFNAME') : optString(d, 'staffName')) || undefined;
  const kind = upper ? parseStaffType(d.STAFFTYPE) : parsePersonInfoStaffType(d.staffType);
  const id = userId || staffId;
  return {
    provider: 'hduhelp',
    id,
    displayName: staffName || staffId,
    staffId,
    staffName,
    staffType: kind.staffType,
    staffTypeLabel: kind.staffTypeLabel,
    staffState: (upper ? optString(d, 'STAFFSTATE') : optString(d, 'staffState')) || undefined,
    unitCode: (upper ? optString(d, 'UNITCODE') : optString(d, 'unitCode')) || undefined,
    unitName: (upper ? optString(d, 'UNITNAME') : optString(d, 'unitName')) || undefined,
    grade: (upper ? optString(d, 'GRADE') : optString(d, 'grade')) || undefined,
    _json: d,
    _raw: raw,
  };
}

/**
 * Profile from the classic token answer alone (`profile: 'token'`): staff_id, staff_name,
 * staff_type, user_id. `_json` / `_raw` hold the answer without the tokens.
 */
export function profileFromToken(token: HduHelpTokenResult): HduHelpProfile {
  const d = token.info;
  return finish(
    {
      staffId: optString(d, 'staff_id') || token.credentials.staffId,
      staffName: optString(d, 'staff_name') || undefined,
      ...parseStaffType(d.staff_type),
      _json: d,
      _raw: JSON.stringify(d),
    },
    optString(d, 'user_id') || optString(d, 'userId') || token.credentials.userId,
  );
}

/** Neo `GET …/authen/user-info` data → profile. */
export function parseNeoUser(body: unknown, raw: string): HduHelpProfile {
  const d = data(body, 'the user info');
  const userId = optString(d, 'userId') || undefined;
  const staffId = optString(d, 'staffId') || undefined;
  if (!userId && !staffId) throw bad('the user info has no "userId"');
  return finish(
    {
      staffId,
      staffName: optString(d, 'name') || undefined,
      ...parseStaffType(d.staffType),
      avatar: optString(d, 'avatar') || undefined,
      school: optString(d, 'school') || undefined,
      _json: d,
      _raw: raw,
    },
    userId,
  );
}
