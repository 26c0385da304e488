/**
 * Token lifecycles of HDU Helper neo beyond one call: the early-refresh window, a user's rotating
 * token chain (UserTokenSource) and the tenant / app tokens — all on core's AppTokenManager and a
 * TokenStore, so several processes share one token and one refresh.
 *
 * Facts from hduhelp/hduhelp-neo-sdk-go: a token is renewed 60 s before it expires, at most half
 * its lifetime before; a non-positive `expire` means 2 h (`core/token.go` earlyRefresh, earlyLead,
 * lifetimeOf, window); a failed renewal may still serve the old token until it really expires
 * (`core/token.go` tenantTokenCache.Token, `core/userauth.go` UserTokenSource.Token); refresh tokens
 * are single-use and rotate — keep the newest (`core/userauth.go` doRefresh; openapi.yaml
 * refresh-access-token "单次轮换"); a seed of unknown expiry with a refresh token is refreshed on
 * first use (`core/userauth.go` NewUserTokenSource).
 *
 * How a record sits in the store: core's AppTokenManager renews a token `skew` before
 * `expiresAt`, one skew for every token, while the lead here depends on each token's lifetime. So
 * the manager runs with skew 0 and a record's `expiresAt` is the instant it is renewed; the real
 * expiry rides in `extra.expiresAt`. `current()` shows the real one.
 */
import { createHash } from 'node:crypto';
import { CampusAuthError, isCampusAuthError, type AppToken, type TokenStore } from '@campus-passport/core';
import { AppTokenManager, flowTimeLeft, optNumber, optString } from '@campus-passport/core/kit';
import { PLATFORM, type HduHelpCredentials, type HduHelpTokenResult } from './profile';

/** How long before expiry a token is renewed (core/token.go earlyRefresh). */
export const EARLY_REFRESH_MS = 60_000;
/** The lifetime assumed when the platform gives none or a non-positive one (core/token.go lifetimeOf). */
export const FALLBACK_LIFETIME_MS = 2 * 60 * 60_000;
/**
 * The refresh-token lifetime assumed when the platform gives none — neo's token answer has no
 * refresh expiry (openapi.yaml AuthenTokenData), and no source publishes it: unconfirmed.
 */
export const DEFAULT_REFRESH_TOKEN_LIFETIME_MS = 30 * 24 * 60 * 60_000;
/** Lease of the cross-process lock, ms (renewed while the holder works). */
export const DEFAULT_LOCK_LEASE_MS = 2_000;

/** When a token is renewed and when it stops working, epoch ms. */
export interface TokenWindow {
  /** From here on the token is renewed (a failed renewal still serves it until `expiresAt`). */
  refreshAt: number;
  /** The token stops working. */
  expiresAt: number;
  /** Its whole lifetime, ms, when known. */
  lifetime?: number;
}

/** The lead before expiry: 60 s, clamped to half the lifetime when that is known. */
export function earlyRefreshLead(lifetimeMs?: number): number {
  if (lifetimeMs === undefined || !Number.isFinite(lifetimeMs)) return EARLY_REFRESH_MS;
  return Math.min(EARLY_REFRESH_MS, Math.max(0, lifetimeMs) / 2);
}

/** The window of a token issued at `issuedAt` (epoch ms) for `expiresInSeconds` (≤ 0 or unknown: 2 h). */
export function tokenWindow(issuedAt: number, expiresInSeconds: number | undefined): TokenWindow {
  const lifetime =
    expiresInSeconds !== undefined && Number.isFinite(expiresInSeconds) && expiresInSeconds > 0
      ? expiresInSeconds * 1000
      : FALLBACK_LIFETIME_MS;
  const expiresAt = issuedAt + lifetime;
  return { refreshAt: expiresAt - earlyRefreshLead(lifetime), expiresAt, lifetime };
}

/**
 * The window of a token a login handed over: its expiry (epoch ms) and, when known, its lifetime.
 * Unknown expiry: refreshed at once when there is a refresh token, else trusted for 2 h.
 */
export function seededWindow(
  expiresAt: number | undefined,
  lifetimeMs: number | undefined,
  hasRefreshToken: boolean,
  now: number,
): TokenWindow {
  if (expiresAt === undefined || !Number.isFinite(expiresAt))
    return hasRefreshToken ? { refreshAt: now, expiresAt: now } : tokenWindow(now, undefined);
  return { refreshAt: expiresAt - earlyRefreshLead(lifetimeMs), expiresAt, lifetime: lifetimeMs };
}

// ---------------------------------------------------------------------------------------------
// store plumbing: every operation bounded, the lock shared with the manager's

type Extra = Record<string, string | number | boolean | null>;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A store operation that answers within `ms` or ends in ERR_STORE — never a hang. */
function bounded<T>(what: string, op: () => Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const fail = (cause?: unknown) =>
      new CampusAuthError('ERR_STORE', `the token store did not answer ${what}${cause ? '' : ` within ${ms} ms`}`, {
        platform: PLATFORM,
        retryable: true,
        cause,
      });
    const timer = setTimeout(() => reject(fail()), Math.max(1, ms));
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
        reject(isCampusAuthError(err) ? err : fail(err ?? new Error('store error')));
      },
    );
  });
}

/** The real expiry of a stored record (see the file comment). */
function hardExpiry(t: AppToken): number {
  const v = t.extra?.expiresAt;
  return typeof v === 'number' ? v : t.expiresAt;
}

/** Whether a failed renewal may still be answered with the stored token (core/token.go Token). */
function servable(err: unknown): boolean {
  return isCampusAuthError(err) && !['ERR_INVALID_CREDENTIAL', 'ERR_CONFIG', 'ERR_STORE'].includes(err.code);
}

interface StoreContext {
  store: TokenStore;
  key: string;
  /** The client's per-call timeout, ms: bounds every store wait. */
  timeout: number;
  lockLease: number;
  now: () => number;
}

/** The bound of one wait: the client's timeout, or less inside a login with a deadline. */
function budget(ctx: StoreContext): number {
  const left = flowTimeLeft();
  return left === undefined ? ctx.timeout : Math.max(1, Math.min(ctx.timeout, left));
}

/**
 * Run `fn` holding the store's lock on `ctx.key` — the very lock the manager takes around a
 * refresh — so a seed or a revoke never races a refresh in another process. Bounded: ERR_TIMEOUT
 * when another holder keeps it past the timeout.
 */
async function underLock<T>(ctx: StoreContext, fn: () => Promise<T>): Promise<T> {
  const { store } = ctx;
  if (!store.lock) return fn();
  const deadline = Date.now() + budget(ctx);
  for (;;) {
    const release = await bounded('the lock', () => store.lock!(ctx.key, ctx.lockLease), deadline - Date.now());
    if (release) {
      const renewer = release.renew ? setInterval(() => void release.renew!().catch(() => false), ctx.lockLease / 3) : undefined;
      renewer?.unref?.();
      try {
        return await fn();
      } finally {
        if (renewer) clearInterval(renewer);
        await bounded('the unlock', () => release(), 1000).catch(() => undefined);
      }
    }
    if (Date.now() >= deadline)
      throw new CampusAuthError('ERR_TIMEOUT', 'timed out waiting for another process holding the token lock', {
        platform: PLATFORM,
        retryable: true,
      });
    await sleep(Math.min(25, Math.max(1, deadline - Date.now())));
  }
}

/** A read of the record, bounded. */
function read(ctx: StoreContext): Promise<AppToken | undefined> {
  return bounded('a read', () => ctx.store.get(ctx.key), budget(ctx));
}

/** A write, bounded (at least 1 s, so a token just obtained is not lost to a short budget). */
function write(ctx: StoreContext, token: AppToken): Promise<void> {
  return bounded('a write', () => ctx.store.set(ctx.key, token), Math.max(1000, budget(ctx)));
}

// ---------------------------------------------------------------------------------------------
// tenant and app tokens

/** A tenant or app token answer, as the client parsed it. */
export interface AppLevelAnswer {
  accessToken: string;
  /** Seconds (openapi.yaml TenantAccessTokenData / AppAccessTokenData `expire`). */
  expire?: number;
  tenantKey?: string;
}

/**
 * One app-level token (tenant or app): core's manager for the cache, single-flight, lock and
 * bounded store; the early-refresh window per token; the old token served while a renewal fails
 * but it still works; one renewal when the platform rejects it.
 */
export class AppLevelToken {
  readonly manager: AppTokenManager;
  private readonly ctx: StoreContext;

  constructor(ctx: StoreContext, fetch: () => Promise<AppLevelAnswer>) {
    this.ctx = ctx;
    this.manager = new AppTokenManager({
      key: ctx.key,
      store: ctx.store,
      skew: 0, // the record's expiresAt is its refresh instant
      now: ctx.now,
      timeout: ctx.timeout,
      lockLease: ctx.lockLease,
      platform: PLATFORM,
      fetch: async () => {
        const answer = await fetch();
        const w = tokenWindow(ctx.now(), answer.expire);
        const extra: Extra = { expiresAt: w.expiresAt };
        if (w.lifetime !== undefined) extra.lifetime = w.lifetime;
        if (answer.tenantKey) extra.tenantKey = answer.tenantKey;
        return { accessToken: answer.accessToken, expiresAt: w.refreshAt, extra };
      },
    });
  }

  /** The current token: cached, renewed in its window, the old one while a renewal fails. */
  async get(): Promise<string> {
    try {
      return (await this.manager.getToken()).accessToken;
    } catch (err) {
      if (!servable(err)) throw err;
      const stored = await read(this.ctx).catch(() => undefined);
      if (stored && hardExpiry(stored) > this.ctx.now()) return stored.accessToken;
      throw err;
    }
  }

  /** Run `fn` with the token; when the platform rejects it (`appTokenRejected`), renew once and retry. */
  async withToken<T>(fn: (token: string) => Promise<T>): Promise<T> {
    const token = await this.get();
    try {
      return await fn(token);
    } catch (err) {
      if (!isCampusAuthError(err) || !err.appTokenRejected) throw err;
      await this.manager.invalidate(token);
      return fn(await this.get());
    }
  }
}

// ---------------------------------------------------------------------------------------------
// a user's token chain

/** Options of `HduHelpClient.userTokenSource()`. */
export interface HduHelpUserTokenSourceOptions {
  /**
   * The user's key: one per login chain (e.g. the user id). Stored under
   * `hduhelp:user:<baseURL>:<app id>:<key>`.
   */
  key: string;
  /** Where the chain lives. Default: the process store; a RedisTokenStore shares it across processes. */
  store?: TokenStore;
  /**
   * What the login produced (`HduHelpCredentials` or the `HduHelpTokenResult` of
   * `exchangeCode()`). Written to the store when it holds nothing for `key`, or an ended chain, or
   * the chain of an older login; the chain of this same login — rotated since — is kept.
   */
  initial?: HduHelpCredentials | HduHelpTokenResult;
  /** The refresh-token lifetime assumed when the platform gives none, ms. Default 30 days (unconfirmed). */
  refreshTokenLifetime?: number;
  /** Lease of the cross-process lock, ms. Default 2 000. */
  lockLease?: number;
}

/** A user's access token, kept fresh. Every method is bounded by the client's timeout. */
export interface HduHelpUserTokenSource {
  readonly key: string;
  /** A working access token: refreshed 60 s before expiry (≤ half its lifetime), one refresh per key at a time. */
  accessToken(): Promise<string>;
  /** The stored token (`expiresAt`: its real expiry; `extra.refreshAt`: when it is renewed), or undefined. */
  current(): Promise<AppToken | undefined>;
  /** Revoke the chain at the platform (its refresh token) and forget it. */
  revoke(): Promise<void>;
}

/** What the source needs of the client. */
export interface UserTokenCalls {
  refresh(refreshToken: string): Promise<HduHelpTokenResult>;
  revoke(token: string, hint: 'access_token' | 'refresh_token'): Promise<void>;
}

/** A login's fingerprint: which login a chain came from (a hash, never the token). */
function fingerprint(accessToken: string): string {
  return createHash('sha256').update(accessToken).digest('hex').slice(0, 32);
}

function mustLogIn(why: string): CampusAuthError {
  return new CampusAuthError('ERR_INVALID_CREDENTIAL', `hduhelp: ${why}; the user must log in again`, {
    platform: PLATFORM,
  });
}

/** The store record of a login's credentials. */
function seedRecord(initial: HduHelpCredentials | HduHelpTokenResult, refreshLifetime: number, now: number): AppToken {
  const result = 'credentials' in initial ? initial : undefined;
  const c = result ? result.credentials : (initial as HduHelpCredentials);
  const expiresIn = result ? optNumber(result.info, 'expiresIn') : undefined;
  const lifetime = expiresIn !== undefined && expiresIn > 0 ? expiresIn * 1000 : undefined;
  const w = seededWindow(c.accessTokenExpiresAt, lifetime, !!c.refreshToken, now);
  const issuedAt = lifetime !== undefined && c.accessTokenExpiresAt !== undefined ? c.accessTokenExpiresAt - lifetime : now;
  const extra: Extra = { expiresAt: w.expiresAt, login: fingerprint(c.accessToken) };
  if (w.lifetime !== undefined) extra.lifetime = w.lifetime;
  if (c.accessTokenExpiresAt !== undefined) extra.loginExpiresAt = c.accessTokenExpiresAt;
  if (c.userId) extra.userId = c.userId;
  const scope = result && optString(result.info, 'scope');
  if (scope) extra.scope = scope;
  return {
    accessToken: c.accessToken,
    expiresAt: w.refreshAt,
    refreshToken: c.refreshToken,
    refreshExpiresAt: c.refreshToken ? (c.refreshTokenExpiresAt ?? issuedAt + refreshLifetime) : undefined,
    extra,
  };
}

/**
 * Whether `seed` replaces `stored`: nothing stored; or another login than the stored chain's, and
 * that chain ended or is older (by the access-token expiry at login, when both are known).
 */
function replaces(stored: AppToken | undefined, seed: AppToken): boolean {
  if (!stored) return true;
  const s = stored.extra ?? {};
  const n = seed.extra ?? {};
  if (s.login === n.login) return false; // the same login: the stored chain is it, maybe rotated since
  if (s.ended === true) return true;
  return typeof s.loginExpiresAt === 'number' && typeof n.loginExpiresAt === 'number' && n.loginExpiresAt > s.loginExpiresAt;
}

/** A chain that ended (refused or revoked): no token left, only which login it was. */
function endedRecord(prev: AppToken): AppToken {
  const extra: Extra = { expiresAt: 0, ended: true };
  for (const k of ['login', 'loginExpiresAt', 'userId'] as const) if (prev.extra?.[k] !== undefined) extra[k] = prev.extra[k];
  // kept as long as the chain could have lived, so the same login is not seeded again
  return { accessToken: '', expiresAt: 0, refreshExpiresAt: prev.refreshExpiresAt ?? hardExpiry(prev), extra };
}

export class UserTokenSource implements HduHelpUserTokenSource {
  readonly key: string;
  private readonly ctx: StoreContext;
  private readonly manager: AppTokenManager;
  private readonly seed?: AppToken;
  private seeded?: Promise<void>;
  /** The error of the refresh that just failed, for the manager's fallback `fetch` to rethrow. */
  private failure: unknown;

  constructor(
    key: string,
    ctx: StoreContext,
    private readonly calls: UserTokenCalls,
    private readonly refreshLifetime: number,
    initial?: HduHelpCredentials | HduHelpTokenResult,
  ) {
    this.key = key;
    this.ctx = ctx;
    this.seed = initial ? seedRecord(initial, refreshLifetime, ctx.now()) : undefined;
    this.manager = new AppTokenManager({
      key: ctx.key,
      store: ctx.store,
      skew: 0, // the record's expiresAt is its refresh instant
      now: ctx.now,
      timeout: ctx.timeout,
      lockLease: ctx.lockLease,
      platform: PLATFORM,
      refresh: () => this.rotate(),
      // a user token has no other way in than its refresh token: a login
      fetch: async () => {
        const failure = this.failure;
        this.failure = undefined;
        throw failure ?? mustLogIn('no usable refresh token is stored for this user');
      },
    });
  }

  async accessToken(): Promise<string> {
    await this.ensureSeeded();
    try {
      return (await this.manager.getToken()).accessToken;
    } catch (err) {
      if (!servable(err)) throw err;
      // the refresh failed for a passing reason: the token still works until it expires
      const stored = await read(this.ctx).catch(() => undefined);
      if (stored?.accessToken && hardExpiry(stored) > this.ctx.now()) return stored.accessToken;
      throw err;
    }
  }

  async current(): Promise<AppToken | undefined> {
    await this.ensureSeeded();
    const t = await read(this.ctx);
    if (!t || !t.accessToken || t.extra?.ended === true) return undefined;
    const extra: Extra = { refreshAt: t.expiresAt };
    for (const k of ['lifetime', 'userId', 'scope', 'tenantKey'] as const) if (t.extra?.[k] !== undefined) extra[k] = t.extra[k];
    return {
      accessToken: t.accessToken,
      expiresAt: hardExpiry(t),
      ...(t.refreshToken ? { refreshToken: t.refreshToken, refreshExpiresAt: t.refreshExpiresAt } : {}),
      extra,
    };
  }

  async revoke(): Promise<void> {
    await this.ensureSeeded();
    await underLock(this.ctx, async () => {
      const stored = await read(this.ctx);
      if (!stored?.accessToken || stored.extra?.ended === true) return;
      // openapi.yaml AuthenRevokeRequestBody, token_type_hint refresh_token: RFC 7009 ends the
      // access tokens of the grant with it
      if (stored.refreshToken) await this.calls.revoke(stored.refreshToken, 'refresh_token');
      else await this.calls.revoke(stored.accessToken, 'access_token');
      await write(this.ctx, endedRecord(stored));
    });
  }

  /** Write the login's credentials once (under the lock), unless the store already holds this chain. */
  private ensureSeeded(): Promise<void> {
    const seed = this.seed;
    if (!seed) return Promise.resolve();
    this.seeded ??= (async () => {
      if (!replaces(await read(this.ctx), seed)) return;
      await underLock(this.ctx, async () => {
        if (replaces(await read(this.ctx), seed)) await write(this.ctx, seed);
      });
    })().catch((err: unknown) => {
      this.seeded = undefined;
      throw err;
    });
    return this.seeded;
  }

  /**
   * One refresh, called by the manager while it holds the lock. The refresh token sent is the one
   * in the store at this moment — never one a refresh already spent, whatever the manager read
   * before it got the lock. A refusal ends the chain (the user must log in again).
   */
  private async rotate(): Promise<AppToken> {
    this.failure = undefined;
    let sent: AppToken | undefined;
    try {
      const stored = await read(this.ctx);
      const now = this.ctx.now();
      if (!stored?.accessToken || stored.extra?.ended === true) throw mustLogIn('this login ended (refused or revoked)');
      if (stored.expiresAt > now) return stored; // renewed meanwhile (a store without a lock)
      if (!stored.refreshToken) throw mustLogIn('no refresh token is stored for this user');
      if (stored.refreshExpiresAt !== undefined && stored.refreshExpiresAt <= now) throw mustLogIn('the refresh token expired');
      sent = stored;
      const result = await this.calls.refresh(stored.refreshToken);
      return this.rotated(result, stored);
    } catch (err) {
      let failure = err;
      if (sent && isCampusAuthError(err) && err.code === 'ERR_INVALID_CREDENTIAL') {
        await write(this.ctx, endedRecord(sent)).catch(() => undefined);
        failure = new CampusAuthError('ERR_INVALID_CREDENTIAL', `${err.message}; the user must log in again`, {
          platform: PLATFORM,
          upstreamStatus: err.upstreamStatus,
          platformCode: err.platformCode,
          platformMessage: err.platformMessage,
          details: err.details,
          cause: err,
        });
      }
      this.failure = failure;
      throw failure;
    }
  }

  /** The record after a refresh: the new pair (the old refresh token only if none came back, as the SDK). */
  private rotated(result: HduHelpTokenResult, prev: AppToken): AppToken {
    const now = this.ctx.now();
    const w = tokenWindow(now, optNumber(result.info, 'expiresIn'));
    const extra: Extra = { ...(prev.extra ?? {}), expiresAt: w.expiresAt };
    if (w.lifetime !== undefined) extra.lifetime = w.lifetime;
    const userId = result.credentials.userId;
    if (userId) extra.userId = userId;
    const scope = optString(result.info, 'scope');
    if (scope) extra.scope = scope;
    const tenantKey = optString(result.info, 'tenantKey');
    if (tenantKey) extra.tenantKey = tenantKey;
    const fresh = result.credentials.refreshToken;
    return {
      accessToken: result.credentials.accessToken,
      expiresAt: w.refreshAt,
      refreshToken: fresh ?? prev.refreshToken,
      refreshExpiresAt: fresh ? now + this.refreshLifetime : prev.refreshExpiresAt,
      extra,
    };
  }
}
