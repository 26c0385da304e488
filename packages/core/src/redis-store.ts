import { randomUUID } from 'node:crypto';
import type { AppToken, LockRelease, TokenStore } from './token-manager';

/**
 * The part of a Redis client the store uses — node-redis v4/v5 (`createClient()`) fits as it is.
 * For ioredis, wrap it: `{ get: (k) => r.get(k), set: (k, v, o) => o?.NX ? r.set(k, v, 'PX', o.PX, 'NX') :
 * r.set(k, v, 'PX', o.PX), eval: (s, o) => r.eval(s, o.keys.length, ...o.keys, ...o.arguments) }`.
 */
export interface RedisLike {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, options: { PX: number; NX?: true }): Promise<unknown>;
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
}

export interface RedisTokenStoreOptions {
  /** Prefix of every key. Default 'campus-passport:token:'. */
  prefix?: string;
  /** Keep a token in Redis this long after it (or its refresh token) expires. Default 60 s. */
  graceMs?: number;
  /**
   * How long to keep a record whose refresh token has no known expiry (a user's token chain), ms.
   * Default 30 days.
   */
  refreshRetentionMs?: number;
}

// Delete the token only while it is still the one the caller saw.
const DELETE_IF = `
local v = redis.call('GET', KEYS[1])
if not v then return 0 end
if ARGV[1] == '' then return redis.call('DEL', KEYS[1]) end
local ok, t = pcall(cjson.decode, v)
if ok and t['accessToken'] == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;
// Release a lock only while we still own it.
const UNLOCK = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;
// Extend a lock's lease only while we still own it.
const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`;

/**
 * A TokenStore in Redis, shared by every process of an app, with a lock so only one process fetches
 * a new token at a time (ZAFU invalidates the previous token on every fetch).
 */
export class RedisTokenStore implements TokenStore {
  private readonly prefix: string;
  private readonly graceMs: number;
  private readonly refreshRetentionMs: number;

  constructor(
    private readonly redis: RedisLike,
    options: RedisTokenStoreOptions = {},
  ) {
    this.prefix = options.prefix ?? 'campus-passport:token:';
    this.graceMs = options.graceMs ?? 60_000;
    this.refreshRetentionMs = options.refreshRetentionMs ?? 30 * 24 * 60 * 60_000;
  }

  async get(key: string): Promise<AppToken | undefined> {
    const raw = await this.redis.get(this.prefix + key);
    if (!raw) return undefined;
    try {
      const t = JSON.parse(raw) as AppToken;
      return typeof t.accessToken === 'string' && Number.isFinite(t.expiresAt) ? t : undefined;
    } catch {
      return undefined;
    }
  }

  async set(key: string, token: AppToken): Promise<void> {
    // a refresh token of unknown lifetime keeps the record for the retention period
    const refreshUntil = token.refreshToken ? (token.refreshExpiresAt ?? Date.now() + this.refreshRetentionMs) : 0;
    const until = Math.max(token.expiresAt, refreshUntil);
    const ttl = Math.max(1000, until - Date.now() + this.graceMs);
    await this.redis.set(this.prefix + key, JSON.stringify(token), { PX: Math.round(ttl) });
  }

  async delete(key: string, ifAccessToken?: string): Promise<void> {
    await this.redis.eval(DELETE_IF, { keys: [this.prefix + key], arguments: [ifAccessToken ?? ''] });
  }

  /** A lease of `ttlMs` (SET NX PX), renewable and releasable by its owner only. */
  async lock(key: string, ttlMs: number): Promise<LockRelease | null> {
    const owner = randomUUID();
    const lockKey = `${this.prefix}${key}:lock`;
    const px = Math.max(1, Math.round(ttlMs));
    const got = await this.redis.set(lockKey, owner, { PX: px, NX: true });
    if (got !== 'OK') return null;
    const release: LockRelease = async () => {
      await this.redis.eval(UNLOCK, { keys: [lockKey], arguments: [owner] });
    };
    release.renew = async () => Number(await this.redis.eval(RENEW, { keys: [lockKey], arguments: [owner, String(px)] })) === 1;
    return release;
  }
}
