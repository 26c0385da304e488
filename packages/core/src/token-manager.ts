import { randomUUID } from 'node:crypto';
import { CampusAuthError, isCampusAuthError } from './errors';

/** An app-level token (not a user's): Ziqiang app login, ZAFU client credentials, HDU neo tenant. */
export interface AppToken {
  accessToken: string;
  /** Epoch ms when the access token stops working. */
  expiresAt: number;
  /**
   * Epoch ms from which the token is renewed, when it is not simply `skew` before `expiresAt`
   * (e.g. a lead that depends on the token's own lifetime).
   */
  refreshAt?: number;
  refreshToken?: string;
  /** Epoch ms when the refresh token stops working (unknown = assume usable until it fails). */
  refreshExpiresAt?: number;
  /** Anything else the platform returned that the client wants back (e.g. Ziqiang's app username). */
  extra?: Record<string, string | number | boolean | null>;
}

/**
 * Where app tokens live. The memory store serves one process; a shared store (Redis, a database)
 * lets every process of an app use one token — needed where a new fetch invalidates the old token.
 */
export interface TokenStore {
  get(key: string): Promise<AppToken | undefined>;
  set(key: string, token: AppToken): Promise<void>;
  /** Delete, but only while the stored access token is still `ifAccessToken` (when given). */
  delete(key: string, ifAccessToken?: string): Promise<void>;
  /**
   * Optional cross-process lock around a fetch, held as a short lease. Resolves to a release
   * function when this caller holds the lock, or `null` when someone else holds it (then the
   * manager waits for their token). A release function with `renew()` lets the manager extend the
   * lease while its fetch runs, so a holder that dies frees the lock within one lease.
   */
  lock?(key: string, ttlMs: number): Promise<LockRelease | null>;
}

/** Releases a held lock; `renew()` (optional) extends the lease by its ttl, false when it was lost. */
export type LockRelease = (() => Promise<void>) & { renew?: () => Promise<boolean> };

/** In-memory TokenStore (with a lock, so managers sharing one store behave like processes). */
export class MemoryTokenStore implements TokenStore {
  private readonly tokens = new Map<string, AppToken>();
  private readonly locks = new Map<string, { owner: string; until: number }>();

  async get(key: string): Promise<AppToken | undefined> {
    const t = this.tokens.get(key);
    return t ? { ...t } : undefined;
  }
  async set(key: string, token: AppToken): Promise<void> {
    this.tokens.set(key, { ...token });
  }
  async delete(key: string, ifAccessToken?: string): Promise<void> {
    const t = this.tokens.get(key);
    if (!t) return;
    if (ifAccessToken === undefined || t.accessToken === ifAccessToken) this.tokens.delete(key);
  }
  /** Forget every token and lock (tests; or to force fresh app logins). */
  clear(): void {
    this.tokens.clear();
    this.locks.clear();
  }

  async lock(key: string, ttlMs: number): Promise<LockRelease | null> {
    const now = Date.now();
    const held = this.locks.get(key);
    if (held && held.until > now) return null;
    const owner = randomUUID();
    this.locks.set(key, { owner, until: now + ttlMs });
    const release: LockRelease = async () => {
      if (this.locks.get(key)?.owner === owner) this.locks.delete(key);
    };
    release.renew = async () => {
      const mine = this.locks.get(key);
      if (mine?.owner !== owner) return false;
      mine.until = Date.now() + ttlMs;
      return true;
    };
    return release;
  }
}

const PROCESS_STORE = Symbol.for('campus-passport.processTokenStore');

/**
 * The process-wide memory TokenStore: the default of the platform clients, so every client and
 * strategy of one app in one process shares one app token (one login, one fetch) — on a platform
 * where each fetch invalidates the previous token (ZAFU), separate stores would log each other
 * out. Shared across the CJS and ESM builds. Several processes need a shared store (Redis).
 */
export function processTokenStore(): MemoryTokenStore {
  const g = globalThis as { [PROCESS_STORE]?: MemoryTokenStore };
  g[PROCESS_STORE] ??= new MemoryTokenStore();
  return g[PROCESS_STORE];
}

export interface AppTokenManagerOptions {
  /** Store key: one per app (e.g. `zafu:<clientId>`), or per user for a user's token chain. */
  key: string;
  /**
   * Fetch a brand-new token (app login / client credentials). Without it (a user's token, which
   * only a login can issue), a token that cannot be refreshed ends the call with the refresh's
   * error, or ERR_INVALID_CREDENTIAL when there is no refresh token.
   */
  fetch?: () => Promise<AppToken>;
  /**
   * Exchange a refresh token for a new token; it receives the record read under the lock (so a
   * rotating refresh token is never sent twice). When it fails the manager fetches anew.
   */
  refresh?: (token: AppToken) => Promise<AppToken>;
  store?: TokenStore;
  /** Renew a token this long before it expires (unless the token has `refreshAt`). Default 60 000 ms. */
  skew?: number;
  /** Clock (epoch ms). */
  now?: () => number;
  /** Which errors mean "the platform rejected the app token". Default: `err.appTokenRejected`. */
  isInvalidTokenError?: (err: unknown) => boolean;
  /**
   * When a renewal fails for a passing reason (timeout, network, 5xx, rate limit) while the stored
   * token still works, answer with it instead of the error. Default false.
   */
  serveStale?: boolean;
  /**
   * The bound on one `get()` while it waits on the store and on another process's fetch, ms
   * (a store that does not answer within it is ERR_STORE). Default 10 000 — pass the client's
   * per-call timeout.
   */
  timeout?: number;
  /**
   * Lease of the cross-process fetch lock, ms: renewed every third of it while the fetch runs, so
   * when the holder dies another process takes over within one lease. Default 2 000.
   */
  lockLease?: number;
  /** Platform name for errors. */
  platform?: string;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const DEFAULT_STORE_TIMEOUT = 10_000;
const DEFAULT_LEASE = 2_000;
/** Failures after which a still-working stored token may be served (`serveStale`). */
const PASSING: ReadonlySet<string> = new Set([
  'ERR_TIMEOUT',
  'ERR_NETWORK',
  'ERR_PLATFORM',
  'ERR_RATE_LIMITED',
  'ERR_BAD_RESPONSE',
]);

/**
 * Keeps one token fresh: cached until shortly before expiry, one fetch or refresh in flight however
 * many callers wait (across processes with the store's lock), refresh first where the platform has
 * one, invalidate-and-retry-once, and every store operation bounded.
 */
export class AppTokenManager {
  private readonly store: TokenStore;
  private readonly skew: number;
  private readonly now: () => number;
  /** The store is the built-in MemoryTokenStore as it is (no subclass, no method replaced): it never hangs. */
  private readonly memoryStore: boolean;
  private inflight: Promise<AppToken> | undefined;

  constructor(private readonly opts: AppTokenManagerOptions) {
    if (!opts.key) throw new CampusAuthError('ERR_CONFIG', 'AppTokenManager needs a key', { platform: opts.platform });
    if (typeof opts.fetch !== 'function' && typeof opts.refresh !== 'function')
      throw new CampusAuthError('ERR_CONFIG', 'AppTokenManager needs a fetch or a refresh function', { platform: opts.platform });
    this.store = opts.store ?? new MemoryTokenStore();
    this.memoryStore =
      Object.getPrototypeOf(this.store) === MemoryTokenStore.prototype &&
      !['get', 'set', 'delete', 'lock'].some((m) => Object.prototype.hasOwnProperty.call(this.store, m));
    this.skew = opts.skew ?? 60_000;
    this.now = opts.now ?? Date.now;
  }

  private fresh(t: AppToken | undefined): t is AppToken {
    return !!t && !!t.accessToken && (t.refreshAt ?? t.expiresAt - this.skew) > this.now();
  }

  /** The current access token, fetching or refreshing when needed. */
  async get(): Promise<string> {
    return (await this.getToken()).accessToken;
  }

  /** The current token record. */
  async getToken(): Promise<AppToken> {
    const stored = await this.peek();
    if (this.fresh(stored)) return stored;
    return this.renewing(stored);
  }

  /** The stored record as it is, without renewing it (bounded like every store operation). */
  peek(): Promise<AppToken | undefined> {
    return this.storeOp('a read', () => this.store.get(this.opts.key), this.deadline());
  }

  /**
   * Read-modify-write the stored record under the store's lock (the one a renewal holds): `fn`
   * returns the new record, `null` to delete it, or `undefined` to leave it. Resolves with the
   * record as stored afterwards.
   */
  update(
    fn: (current: AppToken | undefined) => Promise<AppToken | null | undefined> | AppToken | null | undefined,
  ): Promise<AppToken | undefined> {
    const deadline = this.deadline();
    return this.locked(deadline, 'another process holding the token lock', async () => {
      const current = await this.storeOp('a read', () => this.store.get(this.opts.key), deadline);
      const next = await fn(current);
      if (next === undefined) return current;
      if (next === null) {
        await this.storeOp('a delete', () => this.store.delete(this.opts.key), Math.max(deadline, Date.now() + 1000));
        return undefined;
      }
      await this.write(next, deadline);
      return next;
    });
  }

  /** One renewal in flight per manager; with `serveStale`, a passing failure answers with the stored token. */
  private renewing(stale: AppToken | undefined): Promise<AppToken> {
    this.inflight ??= this.obtain(stale).finally(() => {
      this.inflight = undefined;
    });
    if (!this.opts.serveStale) return this.inflight;
    return this.inflight.catch(async (err: unknown) => {
      if (!isCampusAuthError(err) || !PASSING.has(err.code)) throw err;
      const stored = await this.peek().catch(() => undefined);
      if (stored?.accessToken && stored.expiresAt > this.now()) return stored;
      throw err;
    });
  }

  /**
   * One store operation, bounded: a store that does not answer by `deadline` (epoch ms, real
   * time), or fails, ends the call with ERR_STORE — never a hang, never a fetch behind its back.
   */
  private storeOp<T>(what: string, op: () => Promise<T>, deadline: number): Promise<T> {
    const platform = this.opts.platform;
    const left = deadline - Date.now();
    if (left <= 0)
      return Promise.reject(
        new CampusAuthError('ERR_STORE', `the token store did not answer ${what} in time`, { platform, retryable: true }),
      );
    // the built-in memory store answers at once and cannot fail: no timer for it (every cached
    // read of every platform call would otherwise arm and clear one)
    if (this.memoryStore) return op();
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new CampusAuthError('ERR_STORE', `the token store did not answer ${what} within ${left} ms`, {
              platform,
              retryable: true,
            }),
          ),
        left,
      );
      let running: Promise<T>;
      try {
        running = op();
      } catch (err) {
        running = Promise.reject(err);
      }
      running.then(
        (v) => {
          clearTimeout(timer);
          resolve(v);
        },
        (err: unknown) => {
          clearTimeout(timer);
          reject(
            isCampusAuthError(err)
              ? err
              : new CampusAuthError('ERR_STORE', `the token store failed ${what}`, { platform, cause: err, retryable: true }),
          );
        },
      );
    });
  }

  private deadline(): number {
    // a login waiting on this ends at its own deadline all the same (CampusStrategy's timer)
    return Date.now() + (this.opts.timeout ?? DEFAULT_STORE_TIMEOUT);
  }

  /** A write, bounded; at least 1 s, so a token just obtained is not lost to a nearly spent budget. */
  private write(token: AppToken, deadline: number): Promise<void> {
    return this.storeOp('a write', () => this.store.set(this.opts.key, token), Math.max(deadline, Date.now() + 1000));
  }

  /**
   * Run `fn` holding the store's lock, its lease renewed while `fn` runs (a holder that dies frees
   * it within one lease). While another holds it, `whileWaiting` may end the wait with a result
   * (e.g. the token the holder stored). Without a lock in the store, `fn` runs at once.
   */
  private async locked<T>(
    deadline: number,
    waitingFor: string,
    fn: () => Promise<T>,
    whileWaiting?: () => Promise<T | undefined>,
  ): Promise<T> {
    const { store } = this;
    if (!store.lock) return fn();
    const lease = this.opts.lockLease ?? DEFAULT_LEASE;
    for (;;) {
      const release = await this.storeOp('the lock', () => store.lock!(this.opts.key, lease), deadline);
      if (release) {
        const renewer = release.renew ? setInterval(() => void release.renew!().catch(() => false), lease / 3) : undefined;
        renewer?.unref?.();
        try {
          return await fn();
        } finally {
          if (renewer) clearInterval(renewer);
          await this.storeOp('the unlock', () => release(), Math.max(deadline, Date.now() + 1000)).catch(() => undefined);
        }
      }
      await sleep(Math.min(50, Math.max(5, deadline - Date.now())));
      const done = await whileWaiting?.();
      if (done !== undefined) return done;
      if (Date.now() >= deadline)
        throw new CampusAuthError('ERR_TIMEOUT', `timed out waiting for ${waitingFor}`, {
          platform: this.opts.platform,
          retryable: true,
        });
    }
  }

  private obtain(stale: AppToken | undefined): Promise<AppToken> {
    const deadline = this.deadline();
    const read = () => this.storeOp('a read', () => this.store.get(this.opts.key), deadline);
    return this.locked(
      deadline,
      'another process to fetch the app token',
      async () => {
        // someone may have stored a fresh token while we waited for the lock
        const current = this.store.lock ? await read() : stale;
        if (this.fresh(current)) return current;
        return this.produce(current ?? stale, deadline);
      },
      async () => {
        const current = await read();
        return this.fresh(current) ? current : undefined;
      },
    );
  }

  private async produce(stale: AppToken | undefined, deadline: number): Promise<AppToken> {
    let token: AppToken | undefined;
    let refreshError: unknown;
    const canRefresh =
      this.opts.refresh &&
      stale?.refreshToken &&
      (stale.refreshExpiresAt === undefined || stale.refreshExpiresAt - this.skew > this.now());
    if (canRefresh) {
      try {
        token = await this.opts.refresh!(stale!);
      } catch (err) {
        refreshError = err; // refresh failed: log in again, where the platform lets us
      }
    }
    if (!token) {
      if (!this.opts.fetch)
        throw (
          refreshError ??
          new CampusAuthError('ERR_INVALID_CREDENTIAL', 'no usable refresh token is stored: a new login is needed', {
            platform: this.opts.platform,
          })
        );
      token = await this.opts.fetch();
    }
    if (!token || typeof token.accessToken !== 'string' || !token.accessToken || !Number.isFinite(token.expiresAt))
      throw new CampusAuthError('ERR_BAD_RESPONSE', 'app token answer has no usable access token / expiry', {
        platform: this.opts.platform,
      });
    // a new token is never due at once (a refresh that copied the old record's refreshAt)
    if (token.refreshAt !== undefined && !(token.refreshAt > this.now())) {
      const { refreshAt: _stale, ...rest } = token;
      token = rest;
    }
    await this.write(token, deadline);
    return token;
  }

  /** Forget `accessToken` — only if it is still the stored one (another caller may have renewed). */
  async invalidate(accessToken: string): Promise<void> {
    await this.storeOp('a delete', () => this.store.delete(this.opts.key, accessToken), this.deadline());
  }

  private isInvalid(err: unknown): boolean {
    return this.opts.isInvalidTokenError ? this.opts.isInvalidTokenError(err) : isCampusAuthError(err) && err.appTokenRejected;
  }

  /**
   * Run `fn` with the token; if the platform rejects the token, renew it — with its refresh token
   * first where the platform has one, a new fetch when that is refused — and run `fn` once more.
   */
  async withToken<T>(fn: (accessToken: string) => Promise<T>): Promise<T> {
    const token = await this.getToken();
    try {
      return await fn(token.accessToken);
    } catch (err) {
      if (!this.isInvalid(err)) throw err;
      await this.invalidate(token.accessToken);
      return fn((await this.renew(token)).accessToken);
    }
  }

  /** A new token after `rejected` was refused: another caller's renewal, a refresh, or a fetch. */
  private async renew(rejected: AppToken): Promise<AppToken> {
    const stored = await this.peek();
    if (this.fresh(stored) && stored.accessToken !== rejected.accessToken) return stored;
    // the rejected record still carries the refresh token: obtain() refreshes with it first
    const { refreshAt: _due, ...record } = rejected;
    this.inflight ??= this.obtain({ ...record, expiresAt: 0 }).finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }
}
