/**
 * TMPL_TITLE_EN: pure functions from the platform's JSON to what verify receives. No I/O: tested
 * on fixtures (test/fixtures/), so a change in the platform's answer shows up as one failing
 * fixture test.
 */
import { type CampusProfile } from '@campus-passport/core';
import { expectObject, optNumber, optString, reqString, type JsonObject } from '@campus-passport/core/kit';

export const PLATFORM = 'tmpl';

/** What verify receives as `credentials`. */
export interface TmplCredentials {
  /** The user's access token: keep it only if the app calls the platform later (`client.user(token)`). */
  accessToken: string;
  /** When the access token expires (epoch ms), when the platform says. */
  expiresAt?: number;
}

/** The user as the platform sends it (the `data` of GET /api/user). */
export interface TmplUserJson extends JsonObject {
  id: string;
  name: string;
  student_id?: string;
  department?: string;
}

/** The normalized profile. */
export interface TmplProfile extends CampusProfile<TmplUserJson> {
  provider: typeof PLATFORM;
  /** 学号 / 工号. */
  studentId?: string;
  /** 院系. */
  department?: string;
}

/** The `data` of the token answer → credentials (`now`: the client's clock, epoch ms). */
export function parseToken(data: unknown, now: number): TmplCredentials {
  const o = expectObject(data, PLATFORM, 'the token data');
  const accessToken = reqString(o, 'access_token', PLATFORM, 'the token data');
  const expiresIn = optNumber(o, 'expires_in');
  return { accessToken, expiresAt: expiresIn === undefined ? undefined : now + expiresIn * 1000 };
}

/** The `data` of the user answer → the profile (`raw`: the answer as received). */
export function parseUser(data: unknown, raw: string): TmplProfile {
  const o = expectObject(data, PLATFORM, 'the user data');
  const id = reqString(o, 'id', PLATFORM, 'the user data');
  const name = optString(o, 'name');
  const json: TmplUserJson = { ...o, id, name: name ?? '' };
  return {
    provider: PLATFORM,
    id,
    displayName: name || id,
    studentId: optString(o, 'student_id') || undefined,
    department: optString(o, 'department') || undefined,
    _json: json,
    _raw: raw,
  };
}
