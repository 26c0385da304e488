/**
 * The transport: one request pipeline (query, body encoding, one timeout over the whole call, the
 * body cap, same-origin redirects only, JSON parsing, errors with every secret redacted) over an
 * interchangeable engine that performs a single HTTP exchange. undici is the default engine;
 * `axiosTransport(instance)` is the other. Both run through `pipeline()`, so they cannot drift.
 */
import { Agent, type Dispatcher } from 'undici';
import { CampusAuthError } from './errors';
import type { FlowContext, SecretHolder } from './context';
import { Deadline } from './deadline';
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
  /**
   * The login (flow) this call belongs to — set by a client view (`client.within(context)`): its
   * deadline bounds the call, the call's credentials join it, and the call's errors are redacted
   * of every credential of the flow. A call in a flow that has ended is not sent.
   */
  context?: FlowContext;
}

export interface TransportResponse<T = unknown> {
  status: number;
  headers: Record<string, string>;
  /** Parsed JSON (responseType 'json') or the text. */
  body: T;
  /** The raw body text, as received. */
  text: string;
  /** The final URL (redacted), after same-origin redirects. The transport's own responses redact it when it is first read (a getter). */
  url: string;
}

/** One function that performs an HTTP call. Swap it for `axiosTransport(instance)` or your own. */
export type Transport = <T = unknown>(req: TransportRequest) => Promise<TransportResponse<T>>;

export const DEFAULT_TIMEOUT = 10_000;
const DEFAULT_MAX_BODY = 1024 * 1024;
const MAX_REDIRECTS = 3;
const ACCEPT = 'application/json, text/plain;q=0.9, */*;q=0.1';

// application/x-www-form-urlencoded as URLSearchParams writes it (WHATWG URL §5.2): encodeURIComponent
// leaves ! ' ( ) ~ as they are and writes a space as %20; the form serializer escapes those and
// writes a space as +
const FORM_FIXUPS = /[!'()~]|%20/g;
const NEEDS_FIXUP = /[!'()~]|%20/;
const FORM_FIXUP: Record<string, string> = { '!': '%21', "'": '%27', '(': '%28', ')': '%29', '~': '%7E', '%20': '+' };
/** What the form serializer writes as it is. */
const FORM_SAFE = /^[\w*.-]*$/;
function formComponent(s: string): string {
  if (FORM_SAFE.test(s)) return s;
  const e = encodeURIComponent(s);
  return NEEDS_FIXUP.test(e) ? e.replace(FORM_FIXUPS, (c) => FORM_FIXUP[c]) : e;
}

/**
 * `k=v&…` exactly as URLSearchParams would serialize these pairs (undefined / null left out),
 * written directly: no URLSearchParams object per call.
 */
function formPairs(record: Record<string, QueryValue>): string {
  let out = '';
  try {
    for (const k of Object.keys(record)) {
      const v = record[k];
      if (v === undefined || v === null) continue;
      const key = formComponent(k);
      if (Array.isArray(v)) for (const item of v) out += `${out ? '&' : ''}${key}=${formComponent(String(item))}`;
      else out += `${out ? '&' : ''}${key}=${formComponent(String(v))}`;
    }
  } catch {
    // a lone surrogate (encodeURIComponent throws; URLSearchParams writes U+FFFD): the slow way
    const p = new URLSearchParams();
    for (const k of Object.keys(record)) {
      const v = record[k];
      if (v === undefined || v === null) continue;
      if (Array.isArray(v)) for (const item of v) p.append(k, String(item));
      else p.append(k, String(v));
    }
    return p.toString();
  }
  return out;
}

/** Build the full URL with the query parameters appended. */
export function buildUrl(url: string, query?: Record<string, QueryValue>): URL {
  if (query && !url.includes('?') && !url.includes('#')) {
    // the common case, a URL without query or fragment: the pairs serialized once, one parse
    const pairs = formPairs(query);
    return new URL(pairs ? `${url}?${pairs}` : url);
  }
  const u = new URL(url);
  if (!query) return u;
  // a query already in the URL: appended to through URLSearchParams, which re-serializes it
  // (the URL's query as URLSearchParams writes it, as always)
  let params: URLSearchParams | undefined;
  for (const k of Object.keys(query)) {
    const v = query[k];
    if (v === undefined || v === null) continue;
    params ??= new URLSearchParams(u.search);
    if (Array.isArray(v)) for (const item of v) params.append(k, String(item));
    else params.append(k, String(v));
  }
  if (params) u.search = params.toString();
  return u;
}

/** Form-encode a record. */
export function encodeForm(form: Record<string, QueryValue>): string {
  return formPairs(form);
}

/** Request fields that carry a credential although their name is not a secret's: OAuth's `code`. */
function requestCodes(...bags: unknown[]): string[] {
  const out: string[] = [];
  for (const bag of bags) {
    const v = bag && typeof bag === 'object' ? (bag as Record<string, unknown>).code : undefined;
    if (typeof v === 'string') out.push(v);
  }
  return out;
}

/** Everything the transport knows is secret in this request (collected only when an error is built). */
function requestSecrets(req: TransportRequest): string[] {
  const fromUrl: Record<string, string> = {};
  try {
    for (const [k, v] of new URL(req.url).searchParams) fromUrl[k] = v;
  } catch {
    /* not a URL: the request fails with ERR_CONFIG */
  }
  return [
    ...collectSecrets(req.query, req.form, req.json, req.headers, fromUrl),
    ...requestCodes(req.query, req.form, req.json, fromUrl),
    ...(req.secrets ? [...req.secrets] : []),
  ];
}

// ---------------------------------------------------------------------------------------------
// Engines

/** One HTTP exchange, as the pipeline hands it to an engine. No redirect is followed by an engine. */
export interface EngineRequest {
  method: HttpMethod;
  /** The URL (made when first read: an engine that needs only `origin` and `path` makes none). */
  readonly url: URL;
  /** The URL's origin (scheme, host, port). */
  readonly origin: string;
  /** The URL's path and query (`/p?a=1`), as sent. */
  readonly path: string;
  headers: Record<string, string>;
  body?: string;
  /**
   * Aborted when the call's timeout runs out. Made when first read, so an engine that stops its
   * exchange another way (`onTimeout`) costs no AbortController per call.
   */
  readonly signal: AbortSignal;
  /**
   * Register how to stop this exchange when the call's timeout runs out (called at most once; at
   * once if it already ran out). An engine honours `signal` or this; the call then fails with
   * ERR_TIMEOUT.
   */
  onTimeout(abort: () => void): void;
  /** The whole call's timeout, ms (for engines with a timeout of their own). */
  timeout: number;
  /** Largest body to read, bytes: past it, throw `bodyTooLarge()`. */
  maxBodySize: number;
}

export interface EngineResponse {
  status: number;
  /** Lower-case names. */
  headers: Record<string, string>;
  text: string;
}

/** Performs one exchange. Throw `bodyTooLarge()` past the cap; any other throw is a network failure. */
export type Engine = (req: EngineRequest) => Promise<EngineResponse>;

const TOO_LARGE = Symbol('campus-passport.bodyTooLarge');
/** What an engine throws when the body passes `maxBodySize`. */
export function bodyTooLarge(status: number): Error {
  return Object.assign(new Error('body too large'), { [TOO_LARGE]: status });
}
function tooLargeStatus(err: unknown): number | undefined {
  return err && typeof err === 'object' && TOO_LARGE in err ? (err as Record<symbol, number>)[TOO_LARGE] : undefined;
}

export interface PipelineDefaults {
  /** Default per-call timeout, ms. */
  timeout?: number;
  /** Default body cap, bytes. */
  maxBodySize?: number;
  /** Classify an engine failure as a timeout (for engines that time out on their own). */
  isTimeout?: (err: unknown) => boolean;
}

function stripQuery(url: string): string {
  const i = url.indexOf('?');
  return i === -1 ? url : url.slice(0, i);
}

/** The origin and path of a URL without query or fragment, parsed once (a small cache). */
interface BaseParts {
  origin: string;
  path: string;
}
const parsedBases = new Map<string, BaseParts>();
const MAX_PARSED_BASES = 512;

/** `url` (no query, no fragment) parsed: from the cache, or parsed now. Throws on an invalid URL. */
function baseParts(url: string): BaseParts {
  let parts = parsedBases.get(url);
  if (parts) return parts;
  const u = new URL(url);
  parts = { origin: u.origin, path: u.pathname };
  if (parsedBases.size >= MAX_PARSED_BASES) parsedBases.clear();
  parsedBases.set(url, parts);
  return parts;
}

/**
 * One call through the pipeline: its one timeout over every hop (a deadline: no Node timer of its
 * own), the request the engine gets for the hop in flight (`signal` / `onTimeout` behind that
 * timeout), and the call's secrets, gathered only when an error is built. One object per call.
 */
class Call extends Deadline implements EngineRequest, SecretHolder {
  timedOut = false;
  origin: string;
  path: string;
  private parsed?: URL;
  private controller?: AbortController;
  private abort?: () => void;
  private own?: string[];
  private forErrors?: string[];

  constructor(
    readonly req: TransportRequest,
    /** The hop in flight (a redirect changes them). */
    public method: HttpMethod,
    /** The URL as a string, and its parts (from the cache of parsed bases, or of `parsed`). */
    private href: string,
    base: BaseParts | undefined,
    pathAndQuery: string,
    readonly headers: Record<string, string>,
    public body: string | undefined,
    readonly timeout: number,
    readonly maxBodySize: number,
  ) {
    super();
    if (base) {
      this.origin = base.origin;
      this.path = pathAndQuery;
    } else {
      const u = (this.parsed = new URL(href));
      this.origin = u.origin;
      this.path = `${u.pathname}${u.search}`;
    }
  }

  get url(): URL {
    return (this.parsed ??= new URL(this.href));
  }

  /** The next hop goes to `next`. */
  redirect(next: URL): void {
    this.parsed = next;
    this.href = next.href;
    this.origin = next.origin;
    this.path = `${next.pathname}${next.search}`;
  }

  protected expire(): void {
    this.timedOut = true;
    this.controller?.abort();
    const abort = this.abort;
    this.abort = undefined;
    abort?.();
  }

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.timedOut) this.controller.abort();
    }
    return this.controller.signal;
  }

  /** The abort of the exchange in flight (one at a time: each hop registers its own). */
  onTimeout(abort: () => void): void {
    if (this.timedOut) abort();
    else this.abort = abort;
  }

  /** The call is over: its timeout cleared. */
  stop(): void {
    this.disarm();
    this.abort = undefined;
  }

  /** Everything secret in this call's request (what its flow learns of it). */
  secretValues(): string[] {
    return (this.own ??= requestSecrets(this.req));
  }

  /** What this call's errors are redacted of: every credential of its flow, or this call's own. */
  secrets(): string[] {
    return (this.forErrors ??= this.req.context ? this.req.context.secrets() : this.secretValues());
  }
}

/**
 * A request made ready to send: the checks, the URL, the headers and body, the timeout. Throws
 * ERR_TIMEOUT for a call in a flow that has ended and ERR_CONFIG for an invalid URL.
 */
function prepare(req: TransportRequest, defaults: PipelineDefaults): Call {
  const flow = req.context;
  let left: number | undefined;
  if (flow) {
    if (flow.ended)
      throw new CampusAuthError(
        'ERR_TIMEOUT',
        `${req.platform ?? 'platform'}: the login this call belongs to is over; ${req.method} not sent`,
        { platform: req.platform },
      );
    left = flow.timeLeft();
  }
  const own = req.timeout ?? defaults.timeout ?? DEFAULT_TIMEOUT;
  // inside a login no call outlives the login's overall deadline
  const timeout = left === undefined ? own : Math.max(1, Math.min(own, left));
  let href = req.url;
  let base: BaseParts | undefined;
  let pathAndQuery = '';
  try {
    if (!href.includes('?') && !href.includes('#')) {
      // the common case, a URL without query or fragment: its parts from the cache, the pairs
      // serialized once (what URL would make of them: they need no further escaping), no URL made
      base = baseParts(href);
      const pairs = req.query ? formPairs(req.query) : '';
      if (pairs) href = `${href}?${pairs}`;
      pathAndQuery = pairs ? `${base.path}?${pairs}` : base.path;
    } else href = buildUrl(href, req.query).href;
  } catch {
    const secrets = flow ? (flow.addSecret(() => requestSecrets(req)), flow.secrets()) : requestSecrets(req);
    throw new CampusAuthError('ERR_CONFIG', `invalid URL for ${req.platform ?? 'platform'}: ${redactUrl(req.url, secrets)}`, {
      platform: req.platform,
      secrets,
    });
  }
  const headers: Record<string, string> = { accept: ACCEPT };
  if (req.headers) for (const k in req.headers) if (req.headers[k] !== undefined) headers[k.toLowerCase()] = req.headers[k];
  let body: string | undefined;
  if (req.json !== undefined) {
    body = JSON.stringify(req.json);
    headers['content-type'] ??= 'application/json';
  } else if (req.form !== undefined) {
    body = encodeForm(req.form);
    headers['content-type'] ??= 'application/x-www-form-urlencoded';
  }
  const call = new Call(
    req,
    req.method,
    href,
    base,
    pathAndQuery,
    headers,
    body,
    timeout,
    req.maxBodySize ?? defaults.maxBodySize ?? DEFAULT_MAX_BODY,
  );
  // the flow learns this call's credentials (gathered only if an error is built)
  flow?.addSecret(call);
  return call;
}

/** A redirect answer: the URL of the next hop, or the error that ends the call. */
function nextHop(call: Call, status: number, location: string, hop: number): URL {
  const { req } = call;
  const platform = req.platform ?? 'platform';
  let next: URL;
  try {
    next = new URL(location, call.url);
  } catch {
    throw new CampusAuthError(
      'ERR_BAD_RESPONSE',
      `${platform} redirected ${call.method} to a location that is not a URL; not followed`,
      {
        platform: req.platform,
        upstreamStatus: status,
      },
    );
  }
  if (next.origin !== call.origin)
    throw new CampusAuthError(
      'ERR_BAD_RESPONSE',
      `${platform} redirected ${call.method} ${redactUrl(stripQuery(call.url.toString()), call.secrets())} to another host (${next.origin}); not followed`,
      { platform: req.platform, upstreamStatus: status, secrets: call.secrets() },
    );
  if (hop >= MAX_REDIRECTS)
    throw new CampusAuthError('ERR_BAD_RESPONSE', `${platform} redirected too many times`, {
      platform: req.platform,
      upstreamStatus: status,
      secrets: call.secrets(),
    });
  if (status === 303 || ((status === 301 || status === 302) && call.method !== 'GET')) {
    call.method = 'GET';
    call.body = undefined;
    delete call.headers['content-type'];
  }
  return next;
}

/** What an engine's failure means for the call: too large, timed out, or unreachable. */
function engineFailure(call: Call, err: unknown, defaults: PipelineDefaults): CampusAuthError {
  const { req } = call;
  const platform = req.platform ?? 'platform';
  const largeAt = tooLargeStatus(err);
  if (largeAt !== undefined)
    return new CampusAuthError(
      'ERR_BAD_RESPONSE',
      `${platform} answered${largeAt ? ` HTTP ${largeAt}` : ''} with a body larger than ${call.maxBodySize} bytes`,
      { platform: req.platform, upstreamStatus: largeAt || undefined, secrets: call.secrets() },
    );
  if (call.timedOut || defaults.isTimeout?.(err))
    return new CampusAuthError(
      'ERR_TIMEOUT',
      `${platform} did not answer ${req.method} ${redactUrl(stripQuery(req.url), call.secrets())} within ${call.timeout} ms`,
      { platform: req.platform, secrets: call.secrets() },
    );
  const why = err instanceof Error ? ((err as { code?: string }).code ?? err.message) : String(err);
  return new CampusAuthError(
    'ERR_NETWORK',
    `could not reach ${platform} at ${redactUrl(stripQuery(req.url), call.secrets())}: ${why}`,
    {
      platform: req.platform,
      cause: err,
      secrets: call.secrets(),
    },
  );
}

/**
 * The one request pipeline. Everything a transport promises — query and body encoding, one
 * timeout over the whole call, the body cap, same-origin redirects (at most 3, 303 and
 * 301/302-after-POST become GET), JSON parsing, and errors with the call's secrets redacted — is
 * here; the engine only moves bytes. The success path collects no secret and redacts nothing:
 * secrets are gathered only when an error is built (or the response's `url` is read).
 */
export function pipeline(engine: Engine, defaults: PipelineDefaults = {}): Transport {
  // the async part is small (its frame is made per call): the rest is in plain functions
  return async function transport<T>(req: TransportRequest): Promise<TransportResponse<T>> {
    const call = prepare(req, defaults);
    call.arm(call.timeout);
    try {
      for (let hop = 0; ; hop++) {
        let res: EngineResponse;
        try {
          res = await engine(call);
        } catch (err) {
          throw err instanceof CampusAuthError ? err : engineFailure(call, err, defaults);
        }
        const location = res.status >= 300 && res.status < 400 ? res.headers.location : undefined;
        if (!location) return finish<T>(res, call);
        call.redirect(nextHop(call, res.status, location, hop));
      }
    } finally {
      call.stop();
    }
  };
}

/** The text starts with a printable ASCII character (so it is not blank), told without trimming it. */
function startsPrintable(text: string): boolean {
  const c = text.charCodeAt(0);
  return c > 32 && c < 127;
}

/** Parse the body, or throw ERR_BAD_RESPONSE with the status and a short redacted excerpt. */
function finish<T>(res: EngineResponse, call: Call): TransportResponse<T> {
  const { status, headers, text } = res;
  const { req } = call;
  let body: unknown;
  if (req.responseType === 'text') body = text;
  else if (startsPrintable(text) || text.trim() !== '') {
    try {
      body = JSON.parse(text);
    } catch {
      throw new CampusAuthError(
        'ERR_BAD_RESPONSE',
        `${req.platform ?? 'platform'} answered HTTP ${status} with a body that is not JSON (${headers['content-type'] ?? 'unknown type'}): ${excerpt(redactText(text, call.secrets()), 120)}`,
        { platform: req.platform, upstreamStatus: status, retryable: status >= 500, secrets: call.secrets() },
      );
    }
  }
  return new Answer<T>(status, headers, body as T, text, call);
}

/**
 * A response. Its `url` is redacted only if somebody reads it (a getter; `toJSON` carries it), so
 * the success path redacts nothing. The call behind it (its request, with the raw URL) is in a
 * private field: neither a spread nor `util.inspect` shows it.
 */
class Answer<T> implements TransportResponse<T> {
  readonly #call: Call;
  #safeUrl?: string;

  constructor(
    readonly status: number,
    readonly headers: Record<string, string>,
    readonly body: T,
    readonly text: string,
    call: Call,
  ) {
    this.#call = call;
  }

  get url(): string {
    return (this.#safeUrl ??= redactUrl(this.#call.url.toString(), this.#call.secrets()));
  }

  toJSON(): { status: number; headers: Record<string, string>; body: T; text: string; url: string } {
    return { status: this.status, headers: this.headers, body: this.body, text: this.text, url: this.url };
  }
}

// ---------------------------------------------------------------------------------------------
// The undici engine

export interface UndiciTransportOptions {
  /** An undici dispatcher (Agent/Pool/ProxyAgent). Default: one shared keep-alive Agent. */
  dispatcher?: Dispatcher;
  /** Default per-call timeout, ms. */
  timeout?: number;
  /** Default body cap, bytes. */
  maxBodySize?: number;
}

let sharedAgent: Agent | undefined;
/** The process-wide keep-alive agent (undici keeps one connection pool per origin). */
function sharedDispatcher(): Agent {
  sharedAgent ??= new Agent({ keepAliveTimeout: 10_000, keepAliveMaxTimeout: 60_000, connections: 128 });
  return sharedAgent;
}

function flattenHeaders(h: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k in h) {
    const v = h[k];
    if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

/**
 * One exchange on undici's dispatcher API: the body is gathered straight from the socket's chunks
 * (no body stream, no async iterator), the cap is checked on every chunk, and the call's timeout
 * stops it through the dispatch controller (no AbortController, no signal listener).
 */
class Exchange implements Dispatcher.DispatchHandler {
  private controller?: Dispatcher.DispatchController;
  private stopped?: Error;
  private settled = false;
  private status = 0;
  private headers: Record<string, string> = {};
  private chunks: Buffer[] = [];
  private size = 0;
  private skipBody = false;

  constructor(
    private readonly maxBodySize: number,
    private readonly resolve: (res: EngineResponse) => void,
    private readonly reject: (err: unknown) => void,
  ) {}

  /** The call's timeout ran out: stop the exchange now, or as soon as undici starts it. */
  stop(): void {
    this.stopped ??= Object.assign(new Error('the call timed out'), { code: 'ETIMEDOUT' });
    this.controller?.abort(this.stopped);
    this.fail(this.stopped);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.stopped) return void controller.abort(this.stopped);
    // a retried request (undici may restart one at the head of a pipeline) starts over
    this.chunks = [];
    this.size = 0;
  }

  onResponseStart(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: Record<string, string | string[] | undefined>,
  ): void {
    if (statusCode < 200) return; // 1xx informational: the real answer follows
    this.status = statusCode;
    this.headers = flattenHeaders(headers);
    // a redirect's body is not read (the pipeline follows or refuses it)
    this.skipBody = statusCode >= 300 && statusCode < 400 && this.headers.location !== undefined;
    if (!this.skipBody && Number(this.headers['content-length']) > this.maxBodySize) this.tooLarge(controller);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.settled || this.skipBody) return;
    this.size += chunk.length;
    if (this.size > this.maxBodySize) return this.tooLarge(controller);
    this.chunks.push(chunk);
  }

  onResponseEnd(): void {
    if (this.settled) return;
    this.settled = true;
    const { chunks } = this;
    const text =
      this.skipBody || chunks.length === 0
        ? ''
        : (chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, this.size)).toString('utf8');
    this.chunks = [];
    this.resolve({ status: this.status, headers: this.headers, text });
  }

  onResponseError(_controller: Dispatcher.DispatchController | undefined, err: Error): void {
    this.fail(err);
  }

  private tooLarge(controller: Dispatcher.DispatchController): void {
    const err = bodyTooLarge(this.status);
    this.fail(err);
    controller.abort(err);
  }

  private fail(err: unknown): void {
    if (this.settled) return;
    this.settled = true;
    this.chunks = [];
    this.reject(err);
  }
}

function undiciEngine(dispatcher: Dispatcher | undefined): Engine {
  return (req) =>
    new Promise<EngineResponse>((resolve, reject) => {
      const exchange = new Exchange(req.maxBodySize, resolve, reject);
      req.onTimeout(() => exchange.stop());
      (dispatcher ?? sharedDispatcher()).dispatch(
        {
          origin: req.origin,
          path: req.path,
          method: req.method,
          headers: req.headers,
          body: req.body ?? null,
        },
        exchange,
      );
    });
}

/** The undici transport: keep-alive pool per origin (shared by default), on the common pipeline. */
export function undiciTransport(options: UndiciTransportOptions = {}): Transport {
  return pipeline(undiciEngine(options.dispatcher), options);
}

/** The default transport: undici, the shared keep-alive agent, 10 s timeout, 1 MiB cap. */
export const defaultTransport: Transport = undiciTransport();
