import { randomUUID } from 'node:crypto';
import { flowTimeLeft } from './context';
import { CampusAuthError, isCampusAuthError } from './errors';

/** An app-level token (not a user's): Ziqiang app login, ZAFU client credentials, HDU neo tenant. */
export interface AppToken {
  accessToken: string;
  /** Epoch ms when the access token stops working. */
  expiresAt: number;
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
  /** Store key: one per app (e.g. `zafu:<clientId>`). */
  key: string;
  /** Fetch a brand-new token (app login / client credentials). */
  fetch: () => Promise<AppToken>;
  /** Exchange a refresh token for a new token; when it fails the manager fetches anew. */
  refresh?: (token: AppToken) => Promise<AppToken>;
  store?: TokenStore;
  /** Treat the token as expired this long before it really is. Default 60 000 ms. */
  skew?: number;
  /** Clock (epoch ms). */
  now?: () => number;
  /** Which errors mean "the platform rejected the app token". Default: `err.appTokenRejected`. */
  isInvalidTokenError?: (err: unknown) => boolean;
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

/**
 * Keeps one app token fresh: cached until `skew` before expiry, one fetch in flight however many
 * callers wait, refresh where the platform has it, and invalidate-and-retry-once.
 */
export class AppTokenManager {
  private readonly store: TokenStore;
  private readonly skew: number;
  private readonly now: () => number;
  private inflight: Promise<AppToken> | undefined;
  /** Number of `fetch` calls made by this manager (for tests and metrics). */
  fetchCount = 0;
  /** Number of `refresh` calls made by this manager. */
  refreshCount = 0;

  constructor(private readonly opts: AppTokenManagerOptions) {
    if (!opts.key) throw new CampusAuthError('ERR_CONFIG', 'AppTokenManager needs a key', { platform: opts.platform });
    if (typeof opts.fetch !== 'function')
      throw new CampusAuthError('ERR_CONFIG', 'AppTokenManager needs a fetch function', { platform: opts.platform });
    this.store = opts.store ?? new MemoryTokenStore();
    this.skew = opts.skew ?? 60_000;
    this.now = opts.now ?? Date.now;
  }

  private fresh(t: AppToken | undefined): t is AppToken {
    return !!t && t.expiresAt - this.skew > this.now();
  }

  /** The current access token, fetching or refreshing when needed. */
  async get(): Promise<string> {
    return (await this.getToken()).accessToken;
  }

  /** The current token record. */
  async getToken(): Promise<AppToken> {
    const stored = await this.storeOp('a read', () => this.store.get(this.opts.key), this.deadline());
    if (this.fresh(stored)) return stored;
    this.inflight ??= this.obtain(stored).finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
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
    const own = this.opts.timeout ?? DEFAULT_STORE_TIMEOUT;
    const left = flowTimeLeft();
    return Date.now() + (left === undefined ? own : Math.max(1, Math.min(own, left)));
  }

  private async obtain(stale: AppToken | undefined): Promise<AppToken> {
    const { store } = this;
    const key = this.opts.key;
    if (!store.lock) return this.produce(stale, this.deadline());
    const deadline = this.deadline();
    const lease = this.opts.lockLease ?? DEFAULT_LEASE;
    for (;;) {
      const release = await this.storeOp('the lock', () => store.lock!(key, lease), deadline);
      if (release) {
        // renew the lease while the fetch runs: if this process dies, the lock frees itself
        const renewer = release.renew ? setInterval(() => void release.renew!().catch(() => false), lease / 3) : undefined;
        renewer?.unref?.();
        try {
          // Someone may have stored a fresh token while we waited for the lock.
          const current = await this.storeOp('a read', () => store.get(key), deadline);
          if (this.fresh(current)) return current;
          return await this.produce(current ?? stale, deadline);
        } finally {
          if (renewer) clearInterval(renewer);
          await this.storeOp('the unlock', () => release(), Math.max(deadline, Date.now() + 1000)).catch(() => undefined);
        }
      }
      await sleep(Math.min(50, Math.max(5, deadline - Date.now())));
      const current = await this.storeOp('a read', () => store.get(key), deadline);
      if (this.fresh(current)) return current;
      if (Date.now() >= deadline)
        throw new CampusAuthError('ERR_TIMEOUT', 'timed out waiting for another process to fetch the app token', {
          platform: this.opts.platform,
          retryable: true,
        });
    }
  }

  private async produce(stale: AppToken | undefined, deadline: number): Promise<AppToken> {
    let token: AppToken | undefined;
    const canRefresh =
      this.opts.refresh &&
      stale?.refreshToken &&
      (stale.refreshExpiresAt === undefined || stale.refreshExpiresAt - this.skew > this.now());
    if (canRefresh) {
      try {
        this.refreshCount++;
        token = await this.opts.refresh!(stale!);
      } catch {
        token = undefined; // refresh failed: log in again
      }
    }
    if (!token) {
      this.fetchCount++;
      token = await this.opts.fetch();
    }
    if (!token || typeof token.accessToken !== 'string' || !token.accessToken || !Number.isFinite(token.expiresAt))
      throw new CampusAuthError('ERR_BAD_RESPONSE', 'app token answer has no usable access token / expiry', {
        platform: this.opts.platform,
      });
    await this.storeOp('a write', () => this.store.set(this.opts.key, token), Math.max(deadline, Date.now() + 1000));
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
    const stored = await this.storeOp('a read', () => this.store.get(this.opts.key), this.deadline());
    if (this.fresh(stored) && stored.accessToken !== rejected.accessToken) return stored;
    // the rejected record still carries the refresh token: obtain() refreshes with it first
    this.inflight ??= this.obtain({ ...rejected, expiresAt: 0 }).finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }
}
