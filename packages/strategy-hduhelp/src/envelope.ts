/**
 * Reading one HDU Helper answer: the body parsed (so even a non-JSON answer's error carries the
 * request id), the request id the platform put in a header, and — for a non-zero envelope code
 * or a non-2xx status — whose fault it is, as a CampusAuthError with a stable code.
 */
import {
  CampusAuthError,
  type CampusAuthErrorOptions,
  type CampusErrorCode,
  type TransportResponse,
} from '@campus-passport/core';
import { excerpt, redactText } from '@campus-passport/core/kit';
import { PLATFORM } from './profile';

/** Codes that blame the app (its id/secret/grant), not the user's code. */
const APP_REFUSED_CODES = new Set([40001, 40002, 20001, 20002, 20007]);
/** Codes that say the access token is bad or expired. */
const TOKEN_REFUSED_CODES = new Set([40101, 40102, 20006]);

/**
 * What a call carries, for the refusal wording: the user's code, a refresh token, an access token,
 * the app alone, or a service API call with a user's or an app-level (tenant / app) token.
 */
export type CallKind = 'code' | 'refresh' | 'token' | 'app' | 'api-user' | 'api-app';

/** Where the platform's request id may be, in priority order (hduhelp-neo-sdk-go core/response.go requestIDHeaders). */
const REQUEST_ID_HEADERS = ['x-request-id', 'x-tt-logid', 'request-id'];

/** The platform's request id of an answer, if any (header names in any case). */
export function requestIdOf(headers: Record<string, string> | undefined): string | undefined {
  if (!headers) return undefined;
  // the transport's names are lower-case: looked up directly, unless some name is not
  let mixed = false;
  for (const k in headers)
    if (k !== k.toLowerCase()) {
      mixed = true;
      break;
    }
  if (!mixed) {
    for (const h of REQUEST_ID_HEADERS) if (headers[h]) return headers[h];
    return undefined;
  }
  const lower: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) lower[k.toLowerCase()] = v;
  for (const h of REQUEST_ID_HEADERS) if (lower[h]) return lower[h];
  return undefined;
}

function error(code: CampusErrorCode, message: string, options: CampusAuthErrorOptions): CampusAuthError {
  return new CampusAuthError(code, message, { platform: PLATFORM, ...options });
}

/** Empty or only whitespace, told without trimming a copy of a body that starts with `{`. */
function isBlank(text: string): boolean {
  const c = text.charCodeAt(0);
  return !(c > 32 && c < 127) && text.trim() === '';
}

/** The body of a text answer as JSON (`undefined` when empty); not JSON → ERR_BAD_RESPONSE with the request id. */
export function parseBody(res: TransportResponse<string>, secrets: Iterable<string>, requestId: string | undefined): unknown {
  if (isBlank(res.text)) return undefined;
  try {
    return JSON.parse(res.text) as unknown;
  } catch {
    throw error(
      'ERR_BAD_RESPONSE',
      `hduhelp answered HTTP ${res.status} with a body that is not JSON (${res.headers['content-type'] ?? 'unknown type'}): ${excerpt(redactText(res.text, secrets), 120)}`,
      { upstreamStatus: res.status, retryable: res.status >= 500, secrets, requestId },
    );
  }
}

/** A non-zero code (or a non-2xx status): whose fault it is. `codeKey`: 'error' (classic) or 'code' (neo). */
export function refusal(
  kind: CallKind,
  what: string,
  codeKey: 'error' | 'code',
  code: number,
  status: number,
  said: CampusAuthErrorOptions,
): CampusAuthError {
  const how = `(HTTP ${status}, ${codeKey} ${code})`;
  if (kind === 'api-user' || kind === 'api-app') {
    const tokenRefused = status === 401 || TOKEN_REFUSED_CODES.has(code);
    if (tokenRefused && kind === 'api-user')
      return error('ERR_INVALID_CREDENTIAL', `hduhelp: the user access token was refused for ${what} ${how}`, said);
    // a rejected tenant / app token: the token manager renews it once and the call is retried
    if (tokenRefused)
      return error('ERR_PLATFORM', `hduhelp refused the app-level access token for ${what} ${how}`, {
        ...said,
        appTokenRejected: true,
      });
    if (status === 403) return error('ERR_PLATFORM', `hduhelp refused ${what}: the token lacks the permission ${how}`, said);
    return error('ERR_PLATFORM', `hduhelp refused ${what} ${how}`, said);
  }
  const appRefused = APP_REFUSED_CODES.has(code) || status === 403 || (status === 401 && kind !== 'token');
  if (appRefused || kind === 'app')
    return error('ERR_PLATFORM', `hduhelp refused ${what} ${how}; check clientID / clientSecret and the app registration`, said);
  // the login's code: the wording every strategy uses for a refused credential (the platform's code
  // and status stay in platformCode / upstreamStatus)
  if (kind === 'code')
    return error(
      'ERR_INVALID_CREDENTIAL',
      'hduhelp: the authorization code is invalid, expired or already used; start the login again',
      said,
    );
  if (kind === 'refresh') return error('ERR_INVALID_CREDENTIAL', `hduhelp: the refresh token was refused ${how}`, said);
  if (status === 401 || TOKEN_REFUSED_CODES.has(code))
    return error('ERR_INVALID_CREDENTIAL', `hduhelp: the access token was refused for ${what} ${how}`, said);
  return error('ERR_PLATFORM', `hduhelp refused ${what} ${how}`, said);
}
