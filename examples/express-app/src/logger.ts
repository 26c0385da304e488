import type { IncomingMessage, ServerResponse } from 'node:http';
import { isCampusAuthError } from '@campus-passport/core';
import { isSecretKey, redactText, REDACTED } from '@campus-passport/core/kit';
import { pino, type DestinationStream, type Logger } from 'pino';
import { pinoHttp, type HttpLogger } from 'pino-http';

/**
 * Query / form parameters that carry a credential in these flows, beyond what core's
 * `isSecretKey` already knows (tokens, secrets, stoken, signature…): the authorization `code`,
 * the `state`, Ziqiang's `response-type`-named code, HDU's `serverVerify` is harmless and kept.
 */
const EXTRA_SECRET_PARAMS = new Set(['code', 'state', 'ticket', 'sid', 'sessionid', 'session_id', 'union_id', 'unionid']);

export function isSecretParam(name: string): boolean {
  return isSecretKey(name) || EXTRA_SECRET_PARAMS.has(name.toLowerCase());
}

/** A request path with every credential-bearing query value replaced by [REDACTED]. */
export function redactPath(path: string | undefined): string {
  if (!path) return '';
  const q = path.indexOf('?');
  if (q === -1) return path;
  const base = path.slice(0, q);
  const parts = path
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const rawKey = eq === -1 ? pair : pair.slice(0, eq);
      let key: string;
      try {
        key = decodeURIComponent(rawKey.replace(/\+/g, ' '));
      } catch {
        return `${rawKey}=${REDACTED}`; // undecodable: keep nothing of it
      }
      return eq === -1 || !isSecretParam(key) ? pair : `${rawKey}=${REDACTED}`;
    });
  return redactText(`${base}?${parts.join('&')}`);
}

/** Headers worth logging, with secrets removed. */
function safeHeaders(headers: Record<string, unknown>, keep: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of keep) {
    const v = headers[k];
    if (v === undefined) continue;
    out[k] = typeof v === 'string' ? redactPath(redactText(v)) : v;
  }
  return out;
}

/** An error as the log may see it: code, platform and redacted message; never a secret. */
export function serializeError(err: unknown): Record<string, unknown> {
  if (isCampusAuthError(err)) return { ...err.toJSON(), stack: err.stack };
  if (err instanceof Error)
    return { name: err.name, message: redactText(err.message), stack: err.stack ? redactText(err.stack) : undefined };
  return { message: redactText(String(err)) };
}

export interface LoggerOptions {
  level?: string;
  /** Where lines go (tests pass a stream); stdout by default. */
  destination?: DestinationStream;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: undefined,
      serializers: { err: serializeError },
      // anything logged by hand that carries one of these fields is masked as well; `code` is not
      // among them: error codes (ERR_STATE…) are what a log is read for, and authorization codes
      // are redacted from URLs by `redactPath` and from errors by value (core's flow context)
      redact: {
        paths: [
          '*.password',
          '*.secret',
          '*.clientSecret',
          '*.appSecret',
          '*.token',
          '*.accessToken',
          '*.refreshToken',
          '*.stoken',
        ],
        censor: REDACTED,
      },
    },
    options.destination,
  );
}

/** pino-http middleware: one line per request, with query strings and headers redacted. */
export function requestLogger(logger: Logger): HttpLogger {
  return pinoHttp({
    logger,
    quietReqLogger: true,
    customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
    serializers: {
      req: (req: IncomingMessage & { raw?: IncomingMessage; originalUrl?: string; url?: string }) => {
        const raw = (req.raw ?? req) as IncomingMessage & { originalUrl?: string };
        return {
          method: raw.method,
          url: redactPath(raw.originalUrl ?? raw.url),
          headers: safeHeaders(raw.headers as Record<string, unknown>, ['host', 'user-agent', 'referer', 'content-type']),
        };
      },
      res: (res: ServerResponse & { raw?: ServerResponse }) => {
        const raw = res.raw ?? res;
        const location = raw.getHeader?.('location');
        return {
          statusCode: raw.statusCode,
          ...(typeof location === 'string' ? { location: redactPath(redactText(location)) } : {}),
        };
      },
      err: serializeError,
    },
  });
}
