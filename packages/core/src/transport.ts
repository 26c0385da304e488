import { Agent, request as undiciRequest, type Dispatcher } from 'undici';
import { CampusAuthError } from './errors';
import { collectSecrets, excerpt, redactText, redactUrl } from './redact';

export type QueryValue = string | number | boolean | undefined | null | ReadonlyArray<string | number>;
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface TransportRequest {
  method: HttpMethod;
  url: string;
  /** Added to the URL's query string (undefined/null values are left out). */
  query?: Record<string, QueryValue>;
  headers?: Record<string, string>;
  /** A JSON body (sets content-type). */
  json?: unknown;
  /** A form-urlencoded body (sets content-type). */
  form?: Record<string, QueryValue>;
  /** Whole-call timeout in ms: connect, headers and body. Default 10 000. */
  timeout?: number;
  /** Largest body accepted, in bytes. Default 1 MiB. */
  maxBodySize?: number;
  /** 'json' (default) parses the body; an empty body is `undefined`. 'text' leaves it a string. */
  responseType?: 'json' | 'text';
  /** For error messages: which platform is being called. */
  platform?: string;
  /** Further secret values to scrub from errors (those in query/form/json/headers are found). */
  secrets?: Iterable<string>;
}

export interface TransportResponse<T = unknown> {
  status: number;
  headers: Record<string, string>;
  /** Parsed JSON (responseType 'json') or the text. */
  body: T;
  /** The raw body text, as received. */
  text: string;
  /** The final URL (redacted), after same-origin redirects. */
  url: string;
}

/** One function that performs an HTTP call. Swap it for `axiosTransport(instance)` or your own. */
export type Transport = <T = unknown>(req: TransportRequest) => Promise<TransportResponse<T>>;

export const DEFAULT_TIMEOUT = 10_000;
export const DEFAULT_MAX_BODY = 1024 * 1024;
const MAX_REDIRECTS = 3;

/** Build the full URL with the query parameters appended. */
export function buildUrl(url: string, query?: Record<string, QueryValue>): URL {
  const u = new URL(url);
  if (query) {
    for (const [k, v] of Object.entries(query)) {
      if (v === undefined || v === null) continue;
      if (Array.isArray(v)) for (const item of v) u.searchParams.append(k, String(item));
      else u.searchParams.append(k, String(v));
    }
  }
  return u;
}

/** Form-encode a record. */
export function encodeForm(form: Record<string, QueryValue>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(form)) {
    if (v === undefined || v === null) continue;
    if (Array.isArray(v)) for (const item of v) p.append(k, String(item));
    else p.append(k, String(v));
  }
  return p.toString();
}

/** Everything the transport knows is secret in this request. */
export function requestSecrets(req: TransportRequest): string[] {
  const fromUrl: Record<string, string> = {};
  try {
    for (const [k, v] of new URL(req.url).searchParams) fromUrl[k] = v;
  } catch {
    /* not a URL: the request will fail with ERR_CONFIG */
  }
  return [...collectSecrets(req.query, req.form, req.json, req.headers, fromUrl), ...(req.secrets ? [...req.secrets] : [])];
}

/**
 * Turn a received body into the response: parse JSON, or throw ERR_BAD_RESPONSE with the status and
 * a short redacted excerpt. Shared by every transport, so all of them fail alike.
 */
export function finishResponse<T>(
  req: TransportRequest,
  status: number,
  headers: Record<string, string>,
  text: string,
  url: string,
  secrets: string[],
): TransportResponse<T> {
  const safeUrl = redactUrl(url, secrets);
  if (req.responseType === 'text') return { status, headers, body: text as T, text, url: safeUrl };
  if (text.trim() === '') return { status, headers, body: undefined as T, text, url: safeUrl };
  try {
    return { status, headers, body: JSON.parse(text) as T, text, url: safeUrl };
  } catch {
    const type = headers['content-type'] ?? 'unknown type';
    throw new CampusAuthError(
      'ERR_BAD_RESPONSE',
      `${req.platform ?? 'platform'} answered HTTP ${status} with a body that is not JSON (${type}): ${excerpt(redactText(text, secrets), 120)}`,
      { platform: req.platform, upstreamStatus: status, retryable: status >= 500, secrets },
    );
  }
}

export function timeoutError(req: TransportRequest, ms: number, secrets: string[]): CampusAuthError {
  return new CampusAuthError(
    'ERR_TIMEOUT',
    `${req.platform ?? 'platform'} did not answer ${req.method} ${redactUrl(stripQuery(req.url), secrets)} within ${ms} ms`,
    { platform: req.platform, secrets },
  );
}

export function tooLargeError(req: TransportRequest, status: number, max: number, secrets: string[]): CampusAuthError {
  return new CampusAuthError(
    'ERR_BAD_RESPONSE',
    `${req.platform ?? 'platform'} answered HTTP ${status} with a body larger than ${max} bytes`,
    { platform: req.platform, upstreamStatus: status, secrets },
  );
}

export function networkError(req: TransportRequest, cause: unknown, secrets: string[]): CampusAuthError {
  const why = cause instanceof Error ? ((cause as { code?: string }).code ?? cause.message) : String(cause);
  return new CampusAuthError(
    'ERR_NETWORK',
    `could not reach ${req.platform ?? 'platform'} at ${redactUrl(stripQuery(req.url), secrets)}: ${why}`,
    { platform: req.platform, cause, secrets },
  );
}

function stripQuery(url: string): string {
  const i = url.indexOf('?');
  return i === -1 ? url : url.slice(0, i);
}

function flattenHeaders(h: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

export interface CreateTransportOptions {
  /** An undici dispatcher (Agent/Pool/ProxyAgent). Default: one shared keep-alive Agent. */
  dispatcher?: Dispatcher;
  /** Default per-call timeout, ms. */
  timeout?: number;
  /** Default body cap, bytes. */
  maxBodySize?: number;
}

let sharedAgent: Agent | undefined;
/** The process-wide keep-alive agent (undici keeps one connection pool per origin). */
export function defaultDispatcher(): Agent {
  sharedAgent ??= new Agent({ keepAliveTimeout: 10_000, keepAliveMaxTimeout: 60_000, connections: 128 });
  return sharedAgent;
}

/** Build the request body and content-type for a request. */
export function encodeBody(req: TransportRequest): { body?: string; contentType?: string } {
  if (req.json !== undefined) return { body: JSON.stringify(req.json), contentType: 'application/json' };
  if (req.form !== undefined) return { body: encodeForm(req.form), contentType: 'application/x-www-form-urlencoded' };
  return {};
}

/**
 * The undici transport: keep-alive pool per origin, one timeout over the whole call, a body cap,
 * JSON parsing, same-origin redirects only, secrets redacted from every error.
 */
export function createTransport(options: CreateTransportOptions = {}): Transport {
  return async function undiciTransport<T>(req: TransportRequest): Promise<TransportResponse<T>> {
    const secrets = requestSecrets(req);
    const timeout = req.timeout ?? options.timeout ?? DEFAULT_TIMEOUT;
    const maxBody = req.maxBodySize ?? options.maxBodySize ?? DEFAULT_MAX_BODY;
    let url: URL;
    try {
      url = buildUrl(req.url, req.query);
    } catch {
      throw new CampusAuthError('ERR_CONFIG', `invalid URL for ${req.platform ?? 'platform'}: ${redactUrl(req.url, secrets)}`, {
        platform: req.platform,
        secrets,
      });
    }
    const origin = url.origin;
    const { body, contentType } = encodeBody(req);
    const headers: Record<string, string> = { accept: 'application/json, text/plain;q=0.9, */*;q=0.1', ...lower(req.headers) };
    if (contentType && !headers['content-type']) headers['content-type'] = contentType;

    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeout);
    try {
      let method: HttpMethod = req.method;
      let sendBody = body;
      for (let hop = 0; ; hop++) {
        const res = await undiciRequest(url, {
          method,
          headers,
          body: sendBody,
          signal: controller.signal,
          dispatcher: options.dispatcher ?? defaultDispatcher(),
        });
        const resHeaders = flattenHeaders(res.headers);
        const location = resHeaders.location;
        if (res.statusCode >= 300 && res.statusCode < 400 && location) {
          res.body.resume();
          const next = new URL(location, url);
          if (next.origin !== origin) {
            throw new CampusAuthError(
              'ERR_BAD_RESPONSE',
              `${req.platform ?? 'platform'} redirected ${method} ${redactUrl(stripQuery(url.toString()), secrets)} to another host (${next.origin}); not followed`,
              { platform: req.platform, upstreamStatus: res.statusCode, secrets },
            );
          }
          if (hop >= MAX_REDIRECTS) {
            throw new CampusAuthError('ERR_BAD_RESPONSE', `${req.platform ?? 'platform'} redirected too many times`, {
              platform: req.platform,
              upstreamStatus: res.statusCode,
              secrets,
            });
          }
          if (res.statusCode === 303 || ((res.statusCode === 301 || res.statusCode === 302) && method !== 'GET')) {
            method = 'GET';
            sendBody = undefined;
            delete headers['content-type'];
          }
          url = next;
          continue;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        for await (const chunk of res.body) {
          size += (chunk as Buffer).length;
          if (size > maxBody) {
            res.body.destroy();
            throw tooLargeError(req, res.statusCode, maxBody, secrets);
          }
          chunks.push(chunk as Buffer);
        }
        const text = Buffer.concat(chunks).toString('utf8');
        return finishResponse<T>(req, res.statusCode, resHeaders, text, url.toString(), secrets);
      }
    } catch (err) {
      if (err instanceof CampusAuthError) throw err;
      if (timedOut) throw timeoutError(req, timeout, secrets);
      throw networkError(req, err, secrets);
    } finally {
      clearTimeout(timer);
    }
  };
}

function lower(h?: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  if (h) for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k.toLowerCase()] = v;
  return out;
}

/** The default transport (shared keep-alive agent, 10 s timeout, 1 MiB cap). */
export const request: Transport = createTransport();
