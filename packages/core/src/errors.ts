import { redactText, redactValue } from './redact';

/** Stable error codes. Apps branch on these; they never change meaning. */
export const ERROR_CODES = [
  'ERR_CONFIG',
  'ERR_STATE',
  'ERR_NO_CREDENTIAL',
  'ERR_INVALID_CREDENTIAL',
  'ERR_DENIED',
  'ERR_PLATFORM',
  'ERR_RATE_LIMITED',
  'ERR_TIMEOUT',
  'ERR_NETWORK',
  'ERR_BAD_RESPONSE',
  'ERR_STORE',
] as const;
export type CampusErrorCode = (typeof ERROR_CODES)[number];

/**
 * Codes that are the user's own problem (bad/used code, bad state, denied…). Strategies answer
 * these with Passport's `fail`; every other code is an `error`.
 */
export const USER_ERROR_CODES: ReadonlySet<CampusErrorCode> = new Set([
  'ERR_STATE',
  'ERR_NO_CREDENTIAL',
  'ERR_INVALID_CREDENTIAL',
  'ERR_DENIED',
]);

/** The HTTP status an app should answer for each code, unless the error says otherwise. */
export const DEFAULT_STATUS: Record<CampusErrorCode, number> = {
  ERR_CONFIG: 500,
  ERR_STATE: 403,
  ERR_NO_CREDENTIAL: 401,
  ERR_INVALID_CREDENTIAL: 401,
  ERR_DENIED: 403,
  ERR_PLATFORM: 502,
  ERR_RATE_LIMITED: 503,
  ERR_TIMEOUT: 504,
  ERR_NETWORK: 502,
  ERR_BAD_RESPONSE: 502,
  ERR_STORE: 503,
};

export interface CampusAuthErrorOptions {
  /** Which platform: 'hduhelp' | 'ziqiang' | 'ncuos' | 'disabled-aid' | 'zafu' | other. */
  platform?: string;
  /** The HTTP status the app should answer (defaults by code). */
  status?: number;
  /** The HTTP status the platform answered, when there was one. */
  upstreamStatus?: number;
  /** The platform's own error code (e.g. 'A0514', 31, 'invalid_grant'). */
  platformCode?: string | number;
  /** The platform's own message (redacted). */
  platformMessage?: string;
  /** The platform's id of the request (e.g. its `X-Request-Id`), to quote when asking its support. */
  requestId?: string;
  /** Whether retrying later may help (5xx, timeouts, "retry" codes). */
  retryable?: boolean;
  /** The platform rejected the app-level token: AppTokenManager.withToken retries once. */
  appTokenRejected?: boolean;
  /** Structured extra data (redacted), e.g. ZAFU's errorFields. */
  details?: Record<string, unknown>;
  /** The underlying error. It is replaced by a redacted copy. */
  cause?: unknown;
  /** Extra secret values to scrub from message, cause and details. */
  secrets?: Iterable<string>;
}

const BRAND = Symbol.for('campus-passport.CampusAuthError');

/** A plain, redacted copy of an arbitrary thrown value, safe to keep as `cause`. */
function sanitizeCause(cause: unknown, secrets: string[]): Error | undefined {
  if (cause === undefined || cause === null) return undefined;
  if (isCampusAuthError(cause)) return cause; // already redacted at construction
  const src = cause instanceof Error ? cause : new Error(String(cause));
  const copy = new Error(redactText(src.message, secrets));
  copy.name = src.name;
  const code = (src as { code?: unknown }).code;
  if (typeof code === 'string' || typeof code === 'number') (copy as { code?: unknown }).code = code;
  copy.stack = src.stack ? redactText(src.stack, secrets) : undefined;
  return copy;
}

/**
 * The one error type of campus-passport. Messages, causes, stacks and JSON are redacted: no client
 * secret, app secret, token or signature can be read from it.
 */
export class CampusAuthError extends Error {
  override readonly name = 'CampusAuthError';
  readonly code: CampusErrorCode;
  readonly platform?: string;
  readonly status: number;
  readonly upstreamStatus?: number;
  readonly platformCode?: string | number;
  readonly platformMessage?: string;
  readonly requestId?: string;
  readonly retryable: boolean;
  readonly appTokenRejected: boolean;
  readonly details?: Record<string, unknown>;
  declare readonly cause?: Error;

  constructor(code: CampusErrorCode, message: string, options: CampusAuthErrorOptions = {}) {
    // the values this error was told about (a strategy's login adds every credential of the flow
    // when the error ends it: redactError)
    const secrets = options.secrets ? [...options.secrets] : [];
    super(redactText(message, secrets));
    Object.defineProperty(this, BRAND, { value: true });
    this.code = code;
    this.platform = options.platform;
    this.status = options.status ?? DEFAULT_STATUS[code] ?? 500;
    this.upstreamStatus = options.upstreamStatus;
    this.platformCode = options.platformCode;
    this.platformMessage =
      options.platformMessage === undefined ? undefined : redactText(String(options.platformMessage), secrets);
    this.requestId = options.requestId;
    this.retryable =
      options.retryable ??
      (code === 'ERR_TIMEOUT' || code === 'ERR_NETWORK' || code === 'ERR_RATE_LIMITED' || code === 'ERR_STORE');
    this.appTokenRejected = options.appTokenRejected ?? false;
    this.details = options.details ? (redactValue(options.details, secrets) as Record<string, unknown>) : undefined;
    const cause = sanitizeCause(options.cause, secrets);
    if (cause) Object.defineProperty(this, 'cause', { value: cause, enumerable: false, writable: false });
    if (this.stack) this.stack = redactText(this.stack, secrets);
  }

  /** Whether Passport should treat this as the user's problem (`fail`) rather than an `error`. */
  get isUserError(): boolean {
    return USER_ERROR_CODES.has(this.code);
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      platform: this.platform,
      status: this.status,
      upstreamStatus: this.upstreamStatus,
      platformCode: this.platformCode,
      platformMessage: this.platformMessage,
      requestId: this.requestId,
      retryable: this.retryable,
      details: this.details,
    };
  }
}

/**
 * Redact `secrets` from an error already built — its message, stack, platform message, details and
 * cause (a CampusAuthError cause in turn) — in place: how a login scrubs every credential of the
 * flow from the error it ends with, wherever in the flow it was built. Internal to core.
 */
export function redactError(err: CampusAuthError, secrets: readonly string[], depth = 0): void {
  if (secrets.length === 0 || depth > 4) return;
  const e = err as { -readonly [K in keyof CampusAuthError]: CampusAuthError[K] };
  e.message = redactText(e.message, secrets);
  if (e.stack) e.stack = redactText(e.stack, secrets);
  if (e.platformMessage !== undefined) e.platformMessage = redactText(e.platformMessage, secrets);
  if (e.details) e.details = redactValue(e.details, secrets) as Record<string, unknown>;
  const cause = err.cause;
  if (isCampusAuthError(cause)) redactError(cause, secrets, depth + 1);
  else if (cause) {
    cause.message = redactText(cause.message, secrets);
    if (cause.stack) cause.stack = redactText(cause.stack, secrets);
  }
}

/**
 * True for a CampusAuthError from any copy of this package — the CJS and ESM builds, or two
 * installed versions — by a global brand, not `instanceof`.
 */
export function isCampusAuthError(err: unknown): err is CampusAuthError {
  return !!err && typeof err === 'object' && (err as Record<symbol, unknown>)[BRAND] === true;
}
