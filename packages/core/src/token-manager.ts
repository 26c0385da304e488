import { randomUUID } from 'node:crypto';
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
   * Optional cross-process lock around a fetch. Resolves to a release function when this caller
   * holds the lock, or `null` when someone else holds it (then the manager waits for their token).
   */
  lock?(key: string, ttlMs: number): Promise<(() => Promise<void>) | null>;
}

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

  async lock(key: string, ttlMs: number): Promise<(() => Promise<void>) | null> {
    const now = Date.now();
    const held = this.locks.get(key);
    if (held && held.until > now) return null;
    const owner = randomUUID();
    this.locks.set(key, { owner, until: now + ttlMs });
    return async () => {
      if (this.locks.get(key)?.owner === owner) this.locks.delete(key);
    };
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
  /** How long a cross-process fetch lock is held at most. Default 15 000 ms. */
  lockTtl?: number;
  /** How long to wait for another process's fetch before giving up. Default 15 000 ms. */
  lockWait?: number;
  /** Platform name for errors. */
  platform?: string;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

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
    const stored = await this.store.get(this.opts.key);
    if (this.fresh(stored)) return stored;
    this.inflight ??= this.obtain(stored).finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  private async obtain(stale: AppToken | undefined): Promise<AppToken> {
    const { store } = this;
    if (!store.lock) return this.produce(stale);
    const deadline = this.now() + (this.opts.lockWait ?? 15_000);
    for (;;) {
      const release = await store.lock(this.opts.key, this.opts.lockTtl ?? 15_000);
      if (release) {
        try {
          // Someone may have stored a fresh token while we waited for the lock.
          const current = await store.get(this.opts.key);
          if (this.fresh(current)) return current;
          return await this.produce(current ?? stale);
        } finally {
          await release();
        }
      }
      await sleep(25);
      const current = await store.get(this.opts.key);
      if (this.fresh(current)) return current;
      if (this.now() > deadline)
        throw new CampusAuthError('ERR_PLATFORM', 'timed out waiting for another process to fetch the app token', {
          platform: this.opts.platform,
          retryable: true,
        });
    }
  }

  private async produce(stale: AppToken | undefined): Promise<AppToken> {
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
    await this.store.set(this.opts.key, token);
    return token;
  }

  /** Forget `accessToken` — only if it is still the stored one (another caller may have renewed). */
  async invalidate(accessToken: string): Promise<void> {
    await this.store.delete(this.opts.key, accessToken);
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
    const stored = await this.store.get(this.opts.key);
    if (this.fresh(stored) && stored.accessToken !== rejected.accessToken) return stored;
    // the rejected record still carries the refresh token: obtain() refreshes with it first
    this.inflight ??= this.obtain({ ...rejected, expiresAt: 0 }).finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }
}
