/**
 * Pure functions: NCUOS GeniusAuth JSON (the envelope's `data`) → typed answers, profile and
 * credentials. Wrong shapes throw ERR_BAD_RESPONSE.
 */
import { CampusAuthError, type CampusProfile } from '@campus-passport/core';
import { defineLazy, expectObject, isObject, optString, redactText, type JsonObject } from '@campus-passport/core/kit';

/** The platform's name: the strategy's default Passport name and every error's `platform`. */
export const PLATFORM = 'ncuos';

/** The login answer: the user, plus tokens in refresh_token mode. */
export interface NcuosLoginAnswer {
  /** `userID` (the server) or `id` (the seed's example). */
  userID: number | string;
  name: string;
  groups: string[];
  avatarUrl?: string;
  refreshToken?: string;
  accessToken?: string;
  /** The `data` object as parsed. */
  json: JsonObject;
  /** The whole response body as received. */
  raw: string;
}

export interface NcuosUserInfo {
  userID: number | string;
  name: string;
  groups: string[];
  avatarUrl?: string;
}

export interface NcuosAccessInfo {
  uid: number;
  payload: string;
}

export interface NcuosPublicUser {
  id: number;
  name: string;
  avatarUrl?: string;
  groups: Array<{ id: number; name: string }>;
}

/** What the strategy hands to verify as `credentials`. */
export interface NcuosCredentials {
  /** The login token from the callback (already used: it is single-use). */
  loginToken: string;
  /** refresh_token mode only. Keep it server-side; it lives `valid` seconds. */
  refreshToken?: string;
  /** refresh_token mode only; lives 5 minutes. */
  accessToken?: string;
}

/** The profile of an NCUOS user. `_json` is the login answer without its tokens. */
export interface NcuosProfile extends CampusProfile<JsonObject> {
  provider: 'ncuos';
  groups: string[];
  avatarUrl?: string;
}

function bad(what: string): CampusAuthError {
  return new CampusAuthError('ERR_BAD_RESPONSE', `${PLATFORM}: ${what}`, { platform: PLATFORM });
}

function userId(obj: JsonObject, what: string): number | string {
  const v = obj.userID ?? obj.id;
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v !== '') return v;
  throw bad(`${what} has no "userID"`);
}

/** Groups as names: strings are kept, `{ id, name }` objects give their name. */
export function parseGroups(v: unknown, what: string): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw bad(`${what}: "groups" is not a list`);
  return v.map((g) => {
    if (typeof g === 'string') return g;
    if (isObject(g) && typeof g.name === 'string') return g.name;
    throw bad(`${what}: a group is neither a name nor { id, name }`);
  });
}

function userFields(obj: JsonObject, what: string): NcuosUserInfo {
  if (typeof obj.name !== 'string') throw bad(`${what} has no "name"`);
  const avatarUrl = optString(obj, 'avatarUrl');
  // (optional fields assigned, not spread in: a spread of a conditional literal costs an object
  // and a slow copy per login)
  const user: NcuosUserInfo = { userID: userId(obj, what), name: obj.name, groups: parseGroups(obj.groups, what) };
  if (avatarUrl) user.avatarUrl = avatarUrl;
  return user;
}

function optToken(obj: JsonObject, key: string, what: string): string | undefined {
  const v = obj[key];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') throw bad(`${what}: "${key}" is not a string`);
  return v;
}

function reqToken(obj: JsonObject, key: string, what: string): string {
  const v = optToken(obj, key, what);
  if (!v) throw bad(`${what} has no "${key}"`);
  return v;
}

/** `POST /public/login/verify` data → the login answer. */
export function parseLoginAnswer(data: unknown, raw: string): NcuosLoginAnswer {
  const obj = expectObject(data, PLATFORM, 'the login answer');
  const user = userFields(obj, 'the login answer');
  const refreshToken = optToken(obj, 'refreshToken', 'the login answer');
  const accessToken = optToken(obj, 'accessToken', 'the login answer');
  const answer: NcuosLoginAnswer = { userID: user.userID, name: user.name, groups: user.groups, json: obj, raw };
  if (user.avatarUrl) answer.avatarUrl = user.avatarUrl;
  if (refreshToken) answer.refreshToken = refreshToken;
  if (accessToken) answer.accessToken = accessToken;
  return answer;
}

/** `POST /app/token/refresh/` data (snake_case `access_token`) → `{ accessToken, payload }`. */
export function parseRefreshAnswer(data: unknown): { accessToken: string; payload: string } {
  const obj = expectObject(data, PLATFORM, 'the refresh answer');
  const accessToken = optToken(obj, 'access_token', 'the refresh answer') ?? optToken(obj, 'accessToken', 'the refresh answer');
  if (!accessToken) throw bad('the refresh answer has no "access_token"');
  return { accessToken, payload: typeof obj.payload === 'string' ? obj.payload : '' };
}

/** `PATCH /app/token/refresh/` data → `{ refreshToken, accessToken? }`. */
export function parsePayloadAnswer(data: unknown): { refreshToken: string; accessToken?: string } {
  const obj = expectObject(data, PLATFORM, 'the payload answer');
  const refreshToken = reqToken(obj, 'refreshToken', 'the payload answer');
  const accessToken = optToken(obj, 'accessToken', 'the payload answer');
  return accessToken ? { refreshToken, accessToken } : { refreshToken };
}

/** `POST /app/token/access/verify` data → `{ uid, payload }`. */
export function parseAccessVerify(data: unknown): NcuosAccessInfo {
  const obj = expectObject(data, PLATFORM, 'the access-token answer');
  const uid = typeof obj.uid === 'string' && /^\d+$/.test(obj.uid) ? Number(obj.uid) : obj.uid;
  if (typeof uid !== 'number' || !Number.isFinite(uid)) throw bad('the access-token answer has no numeric "uid"');
  return { uid, payload: typeof obj.payload === 'string' ? obj.payload : '' };
}

/** `POST /app/token/access/user/info` data → the user. */
export function parseUserInfo(data: unknown): NcuosUserInfo {
  return userFields(expectObject(data, PLATFORM, 'the user info'), 'the user info');
}

/** `GET /app/user/info?id=` data → a list of public users. */
export function parsePublicUsers(data: unknown): NcuosPublicUser[] {
  if (!Array.isArray(data)) throw bad('the public user info is not a list');
  return data.map((item) => {
    const u = expectObject(item, PLATFORM, 'a public user');
    if (typeof u.id !== 'number' || typeof u.name !== 'string') throw bad('a public user has no numeric "id" or "name"');
    const groups = Array.isArray(u.groups)
      ? u.groups.map((g) => {
          if (!isObject(g) || typeof g.name !== 'string') throw bad('a public user group is not { id, name }');
          const id = typeof g.id === 'string' && /^\d+$/.test(g.id) ? Number(g.id) : g.id;
          if (typeof id !== 'number' || !Number.isFinite(id)) throw bad('a public user group has no numeric "id"');
          return { id, name: g.name };
        })
      : [];
    const avatarUrl = optString(u, 'avatarUrl');
    return { id: u.id, name: u.name, ...(avatarUrl ? { avatarUrl } : {}), groups };
  });
}

/**
 * The login answer → the Passport profile. The tokens stay out of `_json` and are redacted in `_raw`
 * (they go to credentials only), so storing or logging the profile never leaks them.
 */
export function toProfile(answer: NcuosLoginAnswer): NcuosProfile {
  // the answer without its tokens, copied (a delete would turn the object into a slow dictionary)
  const json: JsonObject = {};
  for (const k of Object.keys(answer.json)) if (k !== 'refreshToken' && k !== 'accessToken') json[k] = answer.json[k];
  const profile: NcuosProfile = {
    provider: 'ncuos',
    id: String(answer.userID),
    displayName: answer.name,
    groups: answer.groups,
    _json: json,
    _raw: '',
  };
  if (answer.avatarUrl) profile.avatarUrl = answer.avatarUrl;
  // redacted when first read (most apps never read it): the login does not pay for it
  return defineLazy(profile, '_raw', () => redactText(answer.raw, [answer.refreshToken ?? '', answer.accessToken ?? '']));
}

/** The login answer → the credentials handed to verify. */
export function toCredentials(loginToken: string, answer: NcuosLoginAnswer): NcuosCredentials {
  return {
    loginToken,
    ...(answer.refreshToken ? { refreshToken: answer.refreshToken } : {}),
    ...(answer.accessToken ? { accessToken: answer.accessToken } : {}),
  };
}
