import { CampusAuthError } from './errors';
import type { CampusRequest } from './strategy';

export interface ReadParamOptions {
  /** Where to look, in order. Default ['query', 'body']. */
  from?: Array<'query' | 'body'>;
  /** Longest accepted value. Default 2048 characters. */
  maxLength?: number;
  /** What a valid value looks like. Default: printable ASCII, no spaces. */
  pattern?: RegExp;
  platform?: string;
  /** Human name of the value for messages (default: the parameter name). */
  label?: string;
}

const PRINTABLE_ASCII = /^[\x21-\x7e]+$/;

function lookup(source: unknown, name: string): { found: boolean; value: unknown } {
  if (!source || typeof source !== 'object') return { found: false, value: undefined };
  if (!Object.prototype.hasOwnProperty.call(source, name)) return { found: false, value: undefined };
  return { found: true, value: (source as Record<string, unknown>)[name] };
}

/**
 * Read one credential parameter (code, token, stoken, state…) from the query or body, refusing
 * garbage before any platform call: a repeated (array), nested, oversized, or non-printable value is
 * ERR_INVALID_CREDENTIAL; absent is `undefined`. Never echoes the value in the message.
 */
export function readParam(req: CampusRequest, name: string, options: ReadParamOptions = {}): string | undefined {
  const from = options.from ?? ['query', 'body'];
  const label = options.label ?? name;
  for (const where of from) {
    const { found, value } = lookup(where === 'query' ? req.query : req.body, name);
    if (!found || value === undefined || value === '') continue;
    if (Array.isArray(value))
      throw new CampusAuthError('ERR_INVALID_CREDENTIAL', `the ${label} was given more than once`, {
        platform: options.platform,
        status: 400,
      });
    if (typeof value !== 'string')
      throw new CampusAuthError('ERR_INVALID_CREDENTIAL', `the ${label} is not a plain string`, {
        platform: options.platform,
        status: 400,
      });
    if (value.length > (options.maxLength ?? 2048))
      throw new CampusAuthError('ERR_INVALID_CREDENTIAL', `the ${label} is too long`, {
        platform: options.platform,
        status: 400,
      });
    if (!(options.pattern ?? PRINTABLE_ASCII).test(value))
      throw new CampusAuthError('ERR_INVALID_CREDENTIAL', `the ${label} has characters it cannot have`, {
        platform: options.platform,
        status: 400,
      });
    return value;
  }
  return undefined;
}

/** True when the parameter is present at all (even if empty or garbage). */
export function hasParam(req: CampusRequest, name: string, from: Array<'query' | 'body'> = ['query', 'body']): boolean {
  return from.some((w) => lookup(w === 'query' ? req.query : req.body, name).found);
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
