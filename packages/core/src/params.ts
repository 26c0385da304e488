import { CampusAuthError } from './errors';
import type { CampusRequest } from './strategy';

export interface ReadParamOptions {
  /** Where to look, in order. Default ['query', 'body']. */
  from?: ReadonlyArray<'query' | 'body'>;
  /** Longest accepted value. Default 2048 characters. */
  maxLength?: number;
  /** What a valid value looks like. Default: printable ASCII, no spaces. */
  pattern?: RegExp;
  platform?: string;
  /** Human name of the value for messages (default: the parameter name). */
  label?: string;
}

const PRINTABLE_ASCII = /^[\x21-\x7e]+$/;
const QUERY_THEN_BODY: ReadonlyArray<'query' | 'body'> = ['query', 'body'];
const hasOwn = Object.prototype.hasOwnProperty;

/** `source[name]` when `source` is an object that has it as its own property (absent: undefined). */
function own(source: unknown, name: string): unknown {
  return source && typeof source === 'object' && hasOwn.call(source, name)
    ? (source as Record<string, unknown>)[name]
    : undefined;
}

function found(source: unknown, name: string): boolean {
  return !!source && typeof source === 'object' && hasOwn.call(source, name);
}

/**
 * Read one credential parameter (code, token, stoken, state…) from the query or body, refusing
 * garbage before any platform call: a repeated (array), nested, oversized, or non-printable value is
 * ERR_INVALID_CREDENTIAL; absent is `undefined`. Never echoes the value in the message.
 */
export function readParam(req: CampusRequest, name: string, options?: ReadParamOptions): string | undefined {
  const from = options?.from ?? QUERY_THEN_BODY;
  for (let i = 0; i < from.length; i++) {
    const value = own(from[i] === 'query' ? req.query : req.body, name);
    if (value === undefined || value === '') continue;
    if (
      typeof value === 'string' &&
      value.length <= (options?.maxLength ?? 2048) &&
      (options?.pattern ?? PRINTABLE_ASCII).test(value)
    )
      return value;
    const label = options?.label ?? name;
    const why = Array.isArray(value)
      ? 'was given more than once'
      : typeof value !== 'string'
        ? 'is not a plain string'
        : value.length > (options?.maxLength ?? 2048)
          ? 'is too long'
          : 'has characters it cannot have';
    throw new CampusAuthError('ERR_INVALID_CREDENTIAL', `the ${label} ${why}`, { platform: options?.platform, status: 400 });
  }
  return undefined;
}

/** True when the parameter is present at all (even if empty or garbage). */
export function hasParam(req: CampusRequest, name: string, from: ReadonlyArray<'query' | 'body'> = QUERY_THEN_BODY): boolean {
  return from.some((w) => found(w === 'query' ? req.query : req.body, name));
}

/**
 * The absolute URL of this request (like passport-oauth2's originalURL): honours X-Forwarded-Proto
 * and -Host only when Express' `trust proxy` is on, or when `trustProxy` says so.
 */
export function originalURL(req: CampusRequest, trustProxy: boolean = !!req.app?.get?.('trust proxy')): string {
  const fwd = req.headers['x-forwarded-proto'];
  const tls = (req.socket as { encrypted?: boolean } | undefined)?.encrypted;
  const forwarded = trustProxy && typeof fwd === 'string' ? fwd.split(',')[0].trim() : undefined;
  const proto = forwarded ?? req.protocol ?? (tls ? 'https' : 'http');
  const host = (trustProxy && (req.headers['x-forwarded-host'] as string | undefined)) || req.headers.host || 'localhost';
  const path = (req as { originalUrl?: string }).originalUrl ?? req.url ?? '/';
  return `${proto}://${host}${path}`;
}

/** Resolve a (possibly relative) callback URL against the current request. */
export function resolveCallbackURL(req: CampusRequest, callbackURL: string, trustProxy?: boolean): string {
  return new URL(callbackURL, originalURL(req, trustProxy)).toString();
}
