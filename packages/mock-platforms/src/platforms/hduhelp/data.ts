/**
 * Seeded data of the HDU Helper emulator: the default app registrations, the test users, and the
 * emulator's error-code tables (each marked with its source, or *unconfirmed*).
 */

/** The fixed port `campus-mock` uses. */
export const DEFAULT_PORT = 4101;

/** The default classic app registration (works out of the box with the demo app). */
export const HDUHELP_CLIENT_ID = 'campus-passport-demo';
export const HDUHELP_CLIENT_SECRET = 'hduhelp-demo-client-secret-0d6f2c1e9b';
/** The default neo app registration. */
export const HDUHELP_NEO_APP_ID = 'cli_campus_passport_demo';
export const HDUHELP_NEO_APP_SECRET = 'hduhelp-neo-demo-app-secret-7a41e5c3';

/**
 * Classic `error` codes of the emulator (answered with HTTP 200, as the seed's envelope allows).
 * The numbers are the emulator's own — *unconfirmed*: no classic error table is published.
 */
export const HDUHELP_ERRORS = {
  invalidClient: 40001,
  unsupportedGrantType: 40002,
  invalidCode: 40003,
  stateMismatch: 40004,
  invalidToken: 40101,
  tokenExpired: 40102,
} as const;

/**
 * Neo `code` values of the emulator. openapi.yaml gives only "0 = success" (core/response.go
 * CodeMsg.Success); these non-zero numbers are the emulator's own — *unconfirmed*.
 */
export const HDUHELP_NEO_ERRORS = {
  invalidApp: 20001,
  unsupportedGrantType: 20002,
  invalidCode: 20003,
  pkceFailed: 20004,
  invalidRefreshToken: 20005,
  invalidAccessToken: 20006,
  /** A body in the wrong encoding, a missing field, a field of the wrong JSON type, an ungranted scope. */
  invalidParams: 20007,
  /** A service API: no such person for the X-Staff-Id given. */
  staffNotFound: 20008,
  /** A service API: a valid token of a kind, or without the permission, the operation does not accept. */
  permissionDenied: 20009,
} as const;

/** staffType: 1 undergraduate, 2 graduate, 3 staff (the token answer's numbering). */
export interface HduHelpUser {
  userId: string;
  staffId: string;
  staffName: string;
  staffType: 1 | 2 | 3;
  staffState: string;
  unitCode: string;
  unitName: string;
  grade: string;
  avatar: string;
  /**
   * The student-record fields of neo person info (openapi.yaml PersonInfoData: classId, majorId,
   * majorName, teacherId, teacherName — "仅学生填充", empty for staff). The values are the emulator's.
   */
  classId: string;
  majorId: string;
  majorName: string;
  teacherId: string;
  teacherName: string;
}

export const HDUHELP_USERS: readonly HduHelpUser[] = [
  {
    userId: '3f1b2c4d-0001-4a6b-9c21-5e7f80a1b201',
    staffId: '22051234',
    staffName: '张三',
    staffType: 1,
    staffState: '在校',
    unitCode: '05',
    unitName: '计算机学院',
    grade: '2022',
    avatar: 'https://static.hduhelp.com/avatar/22051234.png',
    classId: '22052311',
    majorId: '0523',
    majorName: '计算机科学与技术',
    teacherId: '40123',
    teacherName: '王老师',
  },
  {
    userId: '3f1b2c4d-0002-4a6b-9c21-5e7f80a1b202',
    staffId: '232050077',
    staffName: '李四',
    staffType: 2,
    staffState: '在校',
    unitCode: '08',
    unitName: '电子信息学院',
    grade: '2023',
    avatar: 'https://static.hduhelp.com/avatar/232050077.png',
    classId: '23085201',
    majorId: '0852',
    majorName: '电子信息',
    teacherId: '40123',
    teacherName: '王老师',
  },
  {
    userId: '3f1b2c4d-0003-4a6b-9c21-5e7f80a1b203',
    staffId: '40123',
    staffName: '王老师',
    staffType: 3,
    staffState: '在职',
    unitCode: '05',
    unitName: '计算机学院',
    grade: '',
    avatar: 'https://static.hduhelp.com/avatar/40123.png',
    classId: '',
    majorId: '',
    majorName: '',
    teacherId: '',
    teacherName: '',
  },
];

export const STAFF_TYPE_TEXT: Record<number, string> = { 1: '本科生', 2: '研究生', 3: '教职工' };
/**
 * person info numbers the kinds differently from the token answer: 1 本科生, 2 教师, 3 研究生
 * (open-docs docs/develop/teaching/person-info.md; get-access-token.md warns that they differ).
 */
export const PERSON_INFO_STAFF_TYPE: Record<number, string> = { 1: '1', 2: '3', 3: '2' };

export interface HduHelpClientRegistration {
  clientId: string;
  clientSecret: string;
  /** 'classic' (default) or 'neo'. */
  api?: 'classic' | 'neo';
  /**
   * Registered redirect URIs; when absent any local URI (http(s)://localhost:* or 127.0.0.1:*, the
   * emulator kit's `isLocalRedirect`) is accepted. neo: an authorize without `redirect_uri` uses
   * the first of them.
   */
  redirectUris?: string[];
  /** Where the serverVerify jump sends users (default: the last redirect_uri seen at authorize). */
  defaultRedirectUri?: string;
  /** Neo scopes the app may ask for (default: 'user:read,profile:read'). */
  scopes?: string[];
}
