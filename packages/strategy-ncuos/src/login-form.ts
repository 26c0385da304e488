/**
 * The login form: the fields of `POST /api/v1/public/login/verify` besides the token, and the rules
 * the server binds on them (ncuhome/GeniusAuthoritarian internal/api/controllers/public/login/verify.go
 * CompleteLogin), checked before any call so that a bad value is ERR_CONFIG naming the option.
 */
import { OptionChecks } from '@campus-passport/core/kit';
import { PLATFORM } from './profile';

/** verify.go `grantType`: `binding:"eq=|eq=refresh_token|eq=once"` (empty is once mode on the server). */
export const GRANT_TYPES = ['refresh_token', 'once'] as const;
export type GrantType = (typeof GRANT_TYPES)[number];

/**
 * `valid` (refresh-token lifetime, seconds): the server binds min=0,max=2592000; in refresh_token
 * mode 0 means its default 604800 and 1–604799 is refused (verify.go).
 */
export const VALID_MIN = 604_800;
export const VALID_MAX = 2_592_000;
/** `payload` on verify: at most 32 characters (verify.go `binding:"max=32"`, counted in code points). */
export const PAYLOAD_LIMIT = 32;

/** The fields of `POST /api/v1/public/login/verify` besides the token (verify.go's names). */
export interface VerifyLoginOptions {
  /** 'refresh_token' (default) also issues refresh + access tokens; 'once' only the user. */
  grantType?: GrantType;
  /**
   * The browser's IP, sent as `clientIp`. The platform accepts it but does not check it: its
   * client-IP check (code 20) is commented out upstream since 2024-12 (verify.go).
   */
  clientIp?: string;
  /** Refresh-token lifetime in seconds: 0 (the platform default, 604800) or 604800–2592000. */
  valid?: number;
  /** Custom payload, at most 32 characters, carried by the refresh and access tokens. */
  payload?: string;
}

const check = new OptionChecks(PLATFORM);

/** Unicode code points, as Go's validator counts a string's length (utf8.RuneCountInString). */
const codePoints = (s: string) => [...s].length;

/** verify.go `binding:"max=32"`: at most 32 characters (code points). `what` names it in the error. */
export function checkPayload(payload: unknown, what = 'option "payload"'): string {
  if (typeof payload !== 'string' || codePoints(payload) > PAYLOAD_LIMIT)
    throw check.fail(`${what} must be a string of at most ${PAYLOAD_LIMIT} characters`);
  return payload;
}

/** Validate verifyLogin options before any call (ERR_CONFIG naming the option); returns the grant type. */
export function checkLoginOptions(opts: VerifyLoginOptions): GrantType {
  const grantType = check.oneOf(opts.grantType, 'grantType', GRANT_TYPES, 'refresh_token');
  // verify.go: min=0,max=2592000; in refresh_token mode 0 is the default (604800) and 1–604799 is refused
  const { valid } = opts;
  if (valid !== undefined && !(valid === 0 || (Number.isInteger(valid) && valid >= VALID_MIN && valid <= VALID_MAX)))
    throw check.fail(
      `option "valid" must be 0 (the platform default, ${VALID_MIN}) or an integer number of seconds from ${VALID_MIN} to ${VALID_MAX}`,
    );
  if (opts.payload !== undefined) checkPayload(opts.payload);
  if (opts.clientIp !== undefined && typeof opts.clientIp !== 'string') throw check.fail('option "clientIp" must be a string');
  return grantType;
}
