/**
 * The base of every platform client: validates `baseURL`, `timeout`, `transport` and the clock
 * once, sends calls through the transport with the platform's name and the call's secrets, and
 * maps HTTP statuses to error codes through one table, so every client answers 429, 5xx and a
 * non-JSON body alike. A client adds only its envelope and its platform-code table.
 */
import { CampusAuthError, type CampusAuthErrorOptions, type CampusErrorCode } from './errors';
import { DEFAULT_TIMEOUT, defaultTransport, type Transport, type TransportRequest, type TransportResponse } from './transport';
import type { TokenStore } from './token-manager';
import type { FlowContext } from './context';

/** The options every client shares. */
export interface PlatformClientOptions {
  /** The platform's origin (an emulator or a test environment in tests). */
  baseURL?: string;
  /** Per platform call, ms. Default 10 000. */
  timeout?: number;
  /** A custom transport, e.g. `axiosTransport(axios.create({ proxy }))`. Default: undici. */
  transport?: Transport;
  /** Clock for expiry times, epoch ms. Default `Date.now` (tests inject one). */
  now?: () => number;
}

/** `ERR_CONFIG` with the platform's prefix: `hduhelp: option "clientID" must be …`. */
export function configError(platform: string, message: string): CampusAuthError {
  return new CampusAuthError('ERR_CONFIG', `${platform}: ${message}`, { platform });
}

/**
 * Option checks, each throwing `ERR_CONFIG` naming the option. One wording for every package:
 * `option "x" must be …`.
 */
export class OptionChecks {
  constructor(readonly platform: string) {}

  fail(message: string): CampusAuthError {
    return configError(this.platform, message);
  }

  /** The options argument itself. */
  object<T>(options: T, what = 'options'): NonNullable<T> {
    if (!options || typeof options !== 'object' || Array.isArray(options)) throw this.fail(`${what} must be an object`);
    return options as NonNullable<T>;
  }

  /** A required non-empty string. */
  string(value: unknown, option: string): string {
    if (typeof value !== 'string' || value === '') throw this.fail(`option "${option}" must be a non-empty string`);
    return value;
  }

  /** An optional non-empty string. */
  optString(value: unknown, option: string): string | undefined {
    return value === undefined ? undefined : this.string(value, option);
  }

  optBoolean(value: unknown, option: string): boolean | undefined {
    if (value !== undefined && typeof value !== 'boolean') throw this.fail(`option "${option}" must be true or false`);
    return value;
  }

  optFunction<F>(value: F, option: string): F {
    if (value !== undefined && typeof value !== 'function') throw this.fail(`option "${option}" must be a function`);
    return value;
  }

  /** A positive number of milliseconds, or the default. */
  ms(value: unknown, option: string, fallback: number): number {
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0)
      throw this.fail(`option "${option}" must be a positive number of ms`);
    return value;
  }

  /** One of the listed values, or the default. */
  oneOf<V extends string>(value: unknown, option: string, allowed: readonly V[], fallback: V): V {
    if (value === undefined) return fallback;
    if (typeof value !== 'string' || !allowed.includes(value as V))
      throw this.fail(`option "${option}" must be ${allowed.map((a) => `"${a}"`).join(' or ')}`);
    return value as V;
  }

  /** An absolute http(s) URL, returned without trailing slashes. */
  url(value: unknown, option: string): string {
    if (typeof value !== 'string' || !value) throw this.fail(`option "${option}" must be an absolute http(s) URL`);
    let u: URL;
    try {
      u = new URL(value);
    } catch {
      throw this.fail(`option "${option}" must be an absolute http(s) URL`);
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw this.fail(`option "${option}" must be an absolute http(s) URL`);
    return value.replace(/\/+$/, '');
  }

  /** A TokenStore: something with get, set and delete. */
  optTokenStore(value: TokenStore | undefined, option = 'tokenStore'): TokenStore | undefined {
    if (
      value !== undefined &&
      (!value || typeof value.get !== 'function' || typeof value.set !== 'function' || typeof value.delete !== 'function')
    )
      throw this.fail(`option "${option}" must have get, set and delete`);
    return value;
  }
}

/**
 * The one table from an HTTP status to an error code, for answers the platform's envelope cannot
 * explain. 429 is always ERR_RATE_LIMITED; 5xx is ERR_PLATFORM (retryable). Transport failures are
 * classified by the transport itself (ERR_TIMEOUT, ERR_NETWORK, ERR_BAD_RESPONSE for a body that
 * is not JSON, too large, or redirected to another host).
 */
export function statusCode(status: number): { code: CampusErrorCode; retryable: boolean } | undefined {
  if (status === 429) return { code: 'ERR_RATE_LIMITED', retryable: true };
  if (status >= 500) return { code: 'ERR_PLATFORM', retryable: true };
  return undefined;
}

/** A request as a client sends it: a path under `baseURL` (or a full `url`). */
export type ClientRequest = Omit<TransportRequest, 'url' | 'timeout' | 'platform' | 'context'> & { path?: string; url?: string };

export abstract class PlatformClient {
  readonly platform: string;
  readonly baseURL: string;
  protected readonly timeout: number;
  protected readonly transport: Transport;
  protected readonly now: () => number;
  protected readonly check: OptionChecks;
  /** The flow of a view made by `within()`; none on the client itself. */
  private readonly flowContext?: FlowContext;

  /**
   * @param defaultBaseURL used when `options.baseURL` is not set; without one, `baseURL` is
   * required.
   */
  protected constructor(platform: string, options: PlatformClientOptions, defaultBaseURL?: string) {
    this.check = new OptionChecks(platform);
    this.check.object(options);
    this.platform = platform;
    this.baseURL = this.check.url(options.baseURL ?? defaultBaseURL, 'baseURL');
    this.timeout = this.check.ms(options.timeout, 'timeout', DEFAULT_TIMEOUT);
    this.transport = this.check.optFunction(options.transport, 'transport') ?? defaultTransport;
    this.now = this.check.optFunction(options.now, 'now') ?? Date.now;
  }

  /**
   * This client for one flow (a login): calls made through the returned view belong to `context`
   * — its deadline bounds them, their credentials join it, a call after it ended is not sent.
   * The view shares everything with the client (it is made per login: one small object) and is
   * sealed, so client state must live in objects made in the constructor: a method that assigned
   * a field of its own through a view would throw rather than keep the value on the view alone.
   * `within(undefined)` is the client itself.
   */
  within(context: FlowContext | undefined): this {
    if (!context) return this;
    const view = Object.create(this) as { flowContext?: FlowContext };
    // an own field shadowing the client's (an assignment: cheaper than defining it)
    view.flowContext = context;
    return Object.preventExtensions(view) as unknown as this;
  }

  /** The platform origin (scheme, host, port). */
  get origin(): string {
    return new URL(this.baseURL).origin;
  }

  /** `baseURL` + path. */
  protected url(path: string): string {
    return `${this.baseURL}${path}`;
  }

  /** Send one call with this client's timeout, platform name and the secrets to scrub. */
  protected send<T = unknown>(req: ClientRequest): Promise<TransportResponse<T>> {
    // the fields by name (a rest-spread of the request costs more than the rest of this call); the
    // type lists every field of TransportRequest, so a new one cannot be left behind here
    const sent: { [K in keyof Required<TransportRequest>]: TransportRequest[K] } = {
      method: req.method,
      url: req.url ?? this.url(req.path ?? ''),
      query: req.query,
      headers: req.headers,
      json: req.json,
      form: req.form,
      maxBodySize: req.maxBodySize,
      responseType: req.responseType,
      secrets: req.secrets,
      context: this.flowContext,
      timeout: this.timeout,
      platform: this.platform,
    };
    return this.transport<T>(sent);
  }

  /**
   * The status table applied to an answer: throws ERR_RATE_LIMITED for 429 and ERR_PLATFORM for
   * 5xx, carrying what the platform said (`options`: platformCode / platformMessage / secrets).
   */
  protected checkStatus(res: TransportResponse, what: string, options: CampusAuthErrorOptions = {}): void {
    const hit = statusCode(res.status);
    if (!hit) return;
    const message =
      hit.code === 'ERR_RATE_LIMITED'
        ? `${this.platform} is rate limiting ${what} (HTTP 429)`
        : `${this.platform} failed ${what} (HTTP ${res.status})`;
    throw new CampusAuthError(hit.code, message, {
      platform: this.platform,
      upstreamStatus: res.status,
      retryable: hit.retryable,
      ...options,
    });
  }

  /** A CampusAuthError of this platform. */
  protected error(code: CampusErrorCode, message: string, options: CampusAuthErrorOptions = {}): CampusAuthError {
    return new CampusAuthError(code, message, { platform: this.platform, ...options });
  }
}
