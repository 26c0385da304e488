/**
 * Pure functions: the platform's JSON → typed user, roles, permissions and profile (the menu tree
 * is built in ./menu), and `stripStoken` for the URL the user lands on. Wrong shapes throw
 * ERR_BAD_RESPONSE; nothing here does I/O.
 */
import { CampusAuthError, type CampusProfile } from '@campus-passport/core';
import { defineLazy, expectObject, isObject, optNumber, optString, reqString, type JsonObject } from '@campus-passport/core/kit';
import { buildMenuTree, type DisabledAidMenuNode } from './menu';

export const PLATFORM = 'disabled-aid';

/** Which of the platform's three user populations the app belongs to. */
export type DisabledAidSide = 'governance' | 'service' | 'collaboration';
export const SIDES: readonly DisabledAidSide[] = ['governance', 'service', 'collaboration'];

/** The platform's answer envelope: `{ meta, success, message, data }`. */
export interface DisabledAidEnvelope {
  /** "响应头部": undocumented; kept as received. Its `code` (if any) becomes `platformCode` on errors. */
  meta?: unknown;
  success: boolean;
  message: string;
  data: unknown;
}

/** The user as the user-by-token endpoint returns it (`data`). */
export interface DisabledAidUser {
  useruuid: string;
  username: string;
  areacode?: string;
  deptuuid?: string;
  deptname?: string;
}

/** 2 province / 4 city / 6 district / 9 street / 12 village (`roleLeve`). */
export const ROLE_LEVELS: Readonly<Record<number, string>> = {
  2: 'province',
  4: 'city',
  6: 'district',
  9: 'street',
  12: 'village',
};

export interface DisabledAidRole {
  /** roleId */
  id: string;
  /** roleCode: map it to the app's own roles. */
  code: string;
  /** roleName */
  name: string;
  /** roleLeve as a number (2, 4, 6, 9, 12), when given. */
  level?: number;
}

export interface DisabledAidPermission {
  /** permId */
  id: string;
  /** permPid; undefined for a top-level entry ('', '0', '-1' or absent). */
  parentId?: string;
  /** permNkey: the permission code to check. */
  key: string;
  /** permName */
  name: string;
  /** permIcon */
  icon?: string;
  /** permPath: where the menu entry leads. */
  path?: string;
  /** permSort as a number (entries without one sort last). */
  sort?: number;
  /** roleCode of every role that grants it (the platform sends one row per role and permission). */
  roleCodes: string[];
}

export interface DisabledAidProfile extends CampusProfile<JsonObject> {
  provider: 'disabled-aid';
  /** useruuid */
  id: string;
  /** username */
  displayName: string;
  /** areacode (区划), e.g. 330106000000. */
  areaCode?: string;
  /** deptuuid */
  deptId?: string;
  /** deptname */
  deptName?: string;
  side: DisabledAidSide;
  /** With fetchRoles. */
  roles?: DisabledAidRole[];
  /** With fetchPermissions: one entry per permission. */
  permissions?: DisabledAidPermission[];
  /** With fetchPermissions: the permissions as a menu tree (by permPid, ordered by permSort). */
  menu?: DisabledAidMenuNode[];
}

function bad(message: string, upstreamStatus?: number): CampusAuthError {
  return new CampusAuthError('ERR_BAD_RESPONSE', `${PLATFORM}: ${message}`, { platform: PLATFORM, upstreamStatus });
}

/** Check the `{ meta, success, message, data }` envelope. */
export function parseEnvelope(body: unknown, what: string, upstreamStatus?: number): DisabledAidEnvelope {
  const envelope = expectObject(body, PLATFORM, `the ${what} answer`, upstreamStatus);
  if (typeof envelope.success !== 'boolean') throw bad(`the ${what} answer has no boolean "success"`, upstreamStatus);
  return {
    meta: envelope.meta,
    success: envelope.success,
    message: typeof envelope.message === 'string' ? envelope.message : '',
    data: envelope.data,
  };
}

/** The platform's own code from `meta.code`, when there is one. */
export function metaCode(meta: unknown): string | number | undefined {
  if (!isObject(meta)) return undefined;
  const c = meta.code;
  return typeof c === 'string' || (typeof c === 'number' && Number.isFinite(c)) ? c : undefined;
}

/** `data` of a successful user-by-token answer → the user (needs `useruuid`). */
export function parseUser(data: unknown): DisabledAidUser {
  if (!isObject(data)) throw bad('the user answer has no "data" object');
  const useruuid = reqString(data, 'useruuid', PLATFORM, 'the user answer data');
  return {
    useruuid,
    username: optString(data, 'username') ?? '',
    areacode: optString(data, 'areacode') || undefined,
    deptuuid: optString(data, 'deptuuid') || undefined,
    deptname: optString(data, 'deptname') || undefined,
  };
}

/**
 * The rows of a successful roleset / permits answer (seed §2, §3: `data` is an Array). A user
 * without roles is `[]`; `data` missing, null or anything but an array is ERR_BAD_RESPONSE — the
 * platform said nothing about the roles, which is not the same as "none".
 */
function rows(data: unknown, what: string): JsonObject[] {
  if (data === null || data === undefined) throw bad(`the ${what} answer has no "data" array`);
  if (!Array.isArray(data)) throw bad(`the ${what} answer "data" is not an array`);
  return data.map((row, i) => {
    if (!isObject(row)) throw bad(`the ${what} answer row ${i} is not an object`);
    return row;
  });
}

/** `data` of a roleset answer → roles (deduplicated by roleId, platform order kept). */
export function parseRoles(data: unknown): DisabledAidRole[] {
  const out = new Map<string, DisabledAidRole>();
  for (const row of rows(data, 'roleset')) {
    const id = reqString(row, 'roleId', PLATFORM, 'a roleset row');
    if (out.has(id)) continue;
    out.set(id, {
      id,
      code: optString(row, 'roleCode') ?? '',
      name: optString(row, 'roleName') ?? '',
      level: optNumber(row, 'roleLeve'),
    });
  }
  return [...out.values()];
}

const ROOT_PIDS = new Set(['', '0', '-1', 'null', 'root']);

/** `data` of a permits answer → one permission per permId (the roles granting it merged). */
export function parsePermissions(data: unknown): DisabledAidPermission[] {
  const out = new Map<string, DisabledAidPermission>();
  for (const row of rows(data, 'permits')) {
    const id = reqString(row, 'permId', PLATFORM, 'a permits row');
    const roleCode = optString(row, 'roleCode');
    const seen = out.get(id);
    if (seen) {
      if (roleCode && !seen.roleCodes.includes(roleCode)) seen.roleCodes.push(roleCode);
      continue;
    }
    const pid = optString(row, 'permPid');
    out.set(id, {
      id,
      parentId: pid === undefined || ROOT_PIDS.has(pid.trim()) ? undefined : pid,
      key: optString(row, 'permNkey') ?? '',
      name: optString(row, 'permName') ?? '',
      icon: optString(row, 'permIcon') || undefined,
      path: optString(row, 'permPath') || undefined,
      sort: optNumber(row, 'permSort'),
      roleCodes: roleCode ? [roleCode] : [],
    });
  }
  return [...out.values()];
}

export interface ProfileParts {
  side: DisabledAidSide;
  user: DisabledAidUser;
  /** The user answer as parsed (whole envelope) and as received. */
  json: JsonObject;
  raw: string;
  roles?: DisabledAidRole[];
  permissions?: DisabledAidPermission[];
}

/** The Passport profile. */
export function toProfile(parts: ProfileParts): DisabledAidProfile {
  const { user } = parts;
  const profile: DisabledAidProfile = {
    provider: 'disabled-aid',
    id: user.useruuid,
    displayName: user.username,
    areaCode: user.areacode,
    deptId: user.deptuuid,
    deptName: user.deptname,
    side: parts.side,
    _json: parts.json,
    _raw: parts.raw,
  };
  if (parts.roles) profile.roles = parts.roles;
  if (parts.permissions) {
    const permissions = parts.permissions;
    profile.permissions = permissions;
    // built when first read (an app that renders no menu does not pay for it)
    defineLazy(profile, 'menu', () => buildMenuTree(permissions));
  }
  return profile;
}

/**
 * Remove the stoken (and any other named parameters) from a URL or a path with a query, keeping
 * every other parameter exactly as written, their order, and the fragment. Pure.
 *
 *   stripStoken('/app/page?stoken=abc&tab=2#top')  → '/app/page?tab=2#top'
 */
export function stripStoken(url: string, params: string | readonly string[] = []): string {
  const names = new Set(['stoken', ...(typeof params === 'string' ? [params] : params)]);
  const hashAt = url.indexOf('#');
  const beforeHash = hashAt === -1 ? url : url.slice(0, hashAt);
  const hash = hashAt === -1 ? '' : url.slice(hashAt);
  const qAt = beforeHash.indexOf('?');
  if (qAt === -1) return url;
  const path = beforeHash.slice(0, qAt);
  const parts = beforeHash.slice(qAt + 1).split('&');
  const kept = parts.filter((part) => {
    const eq = part.indexOf('=');
    const rawName = (eq === -1 ? part : part.slice(0, eq)).replace(/\+/g, ' ');
    let name = rawName;
    try {
      name = decodeURIComponent(rawName);
    } catch {
      /* keep the raw name */
    }
    return !names.has(name);
  });
  if (kept.length === parts.length) return url;
  const query = kept.filter((part) => part !== '').join('&');
  return `${path}${query === '' ? '' : `?${query}`}${hash}`;
}
