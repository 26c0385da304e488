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
 * A stored record: `expiresAt` is the real expiry, `refreshAt` the early-refresh instant — core's
 * manager renews from `refreshAt` and, when a renewal fails for a passing reason, serves the record
 * until `expiresAt` (`serveStale`). A user's record also says in `extra` which login it came from.
 */
import { createHash } from 'node:crypto';
import { CampusAuthError, isCampusAuthError, type AppToken, type TokenStore } from '@campus-passport/core';
import { AppTokenManager, optNumber, optString, type AppTokenManagerOptions } from '@campus-passport/core/kit';
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

type Extra = NonNullable<AppToken['extra']>;

/** Where a token lives and how long its waits may take: the manager options the client decides. */
export type TokenPlace = Required<Pick<AppTokenManagerOptions, 'key' | 'store' | 'now' | 'timeout' | 'lockLease'>>;

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
 * One app-level token (tenant or app) on core's manager: cached, renewed from its early-refresh
 * instant, one fetch at a time (across processes with a shared store), the old token served while
 * a renewal fails but it still works (core/token.go tenantTokenCache.Token), and `withToken()`
 * renewing it once when the platform rejects it.
 */
export function appLevelToken(place: TokenPlace, fetch: () => Promise<AppLevelAnswer>): AppTokenManager {
  return new AppTokenManager({
    ...place,
    platform: PLATFORM,
    serveStale: true,
    fetch: async () => {
      const answer = await fetch();
      const w = tokenWindow(place.now(), answer.expire);
      const extra: Extra = {};
      if (w.lifetime !== undefined) extra.lifetime = w.lifetime;
      if (answer.tenantKey) extra.tenantKey = answer.tenantKey;
      return { accessToken: answer.accessToken, expiresAt: w.expiresAt, refreshAt: w.refreshAt, extra };
    },
  });
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

function mustLogIn(why: string, cause?: unknown): CampusAuthError {
  return new CampusAuthError('ERR_INVALID_CREDENTIAL', `hduhelp: ${why}; the user must log in again`, {
    platform: PLATFORM,
    cause,
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
  const extra: Extra = { login: fingerprint(c.accessToken) };
  if (w.lifetime !== undefined) extra.lifetime = w.lifetime;
  if (c.accessTokenExpiresAt !== undefined) extra.loginExpiresAt = c.accessTokenExpiresAt;
  if (c.userId) extra.userId = c.userId;
  const scope = result && optString(result.info, 'scope');
  if (scope) extra.scope = scope;
  return {
    accessToken: c.accessToken,
    expiresAt: w.expiresAt,
    refreshAt: w.refreshAt,
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
  if (!stored.accessToken) return true; // the stored chain ended
  return typeof s.loginExpiresAt === 'number' && typeof n.loginExpiresAt === 'number' && n.loginExpiresAt > s.loginExpiresAt;
}

/**
 * A chain that ended (refused or revoked): no token left, only which login it was — kept (its
 * `expiresAt`, as a store reads it) as long as the chain could have lived, so the same login is
 * not seeded again.
 */
function endedRecord(prev: AppToken): AppToken {
  const extra: Extra = {};
  for (const k of ['login', 'loginExpiresAt', 'userId'] as const) if (prev.extra?.[k] !== undefined) extra[k] = prev.extra[k];
  return { accessToken: '', expiresAt: Math.max(prev.expiresAt, prev.refreshExpiresAt ?? 0), extra };
}

/** What `current()` shows of a record's `extra` (the login fingerprint stays inside). */
const SHOWN = ['lifetime', 'userId', 'scope', 'tenantKey'] as const;

export class UserTokenSource implements HduHelpUserTokenSource {
  private readonly manager: AppTokenManager;
  private readonly seed?: AppToken;
  private seeded?: Promise<void>;
  /** The refusals a refresh of this source met, each with the end of its chain (written once). */
  private readonly refusals = new WeakMap<CampusAuthError, () => Promise<unknown>>();

  constructor(
    readonly key: string,
    private readonly place: TokenPlace,
    private readonly calls: UserTokenCalls,
    private readonly refreshLifetime: number,
    initial?: HduHelpCredentials | HduHelpTokenResult,
  ) {
    this.seed = initial ? seedRecord(initial, refreshLifetime, place.now()) : undefined;
    // no fetch: a user's token has no way in but its refresh token, or a new login
    this.manager = new AppTokenManager({ ...place, platform: PLATFORM, serveStale: true, refresh: (t) => this.refresh(t) });
  }

  async accessToken(): Promise<string> {
    await this.ensureSeeded();
    try {
      return (await this.manager.getToken()).accessToken;
    } catch (err) {
      if (!isCampusAuthError(err) || err.code !== 'ERR_INVALID_CREDENTIAL') throw err;
      const end = this.refusals.get(err);
      // the manager had no refresh token to send: none stored, the login ended, or it expired
      if (!end) throw mustLogIn('no usable refresh token is stored for this user', err);
      await end();
      throw err;
    }
  }

  async current(): Promise<AppToken | undefined> {
    await this.ensureSeeded();
    const t = await this.manager.peek();
    if (!t?.accessToken) return undefined; // nothing stored, or the login ended
    const extra: Extra = {};
    if (t.refreshAt !== undefined) extra.refreshAt = t.refreshAt;
    for (const k of SHOWN) if (t.extra?.[k] !== undefined) extra[k] = t.extra[k];
    return {
      accessToken: t.accessToken,
      expiresAt: t.expiresAt,
      ...(t.refreshToken ? { refreshToken: t.refreshToken, refreshExpiresAt: t.refreshExpiresAt } : {}),
      extra,
    };
  }

  async revoke(): Promise<void> {
    await this.ensureSeeded();
    await this.manager.update(async (stored) => {
      if (!stored?.accessToken) return undefined; // nothing stored, or the login ended
      // openapi.yaml AuthenRevokeRequestBody, token_type_hint refresh_token: RFC 7009 ends the
      // access tokens of the grant with it
      if (stored.refreshToken) await this.calls.revoke(stored.refreshToken, 'refresh_token');
      else await this.calls.revoke(stored.accessToken, 'access_token');
      return endedRecord(stored);
    });
  }

  /** Write the login's credentials once (under the lock), unless the store already holds this chain. */
  private ensureSeeded(): Promise<void> {
    const seed = this.seed;
    if (!seed) return Promise.resolve();
    this.seeded ??= (async () => {
      // the lock only when the seed would replace what is stored (usually the store holds this chain)
      if (!replaces(await this.manager.peek(), seed)) return;
      await this.manager.update((stored) => (replaces(stored, seed) ? seed : undefined));
    })().catch((err: unknown) => {
      this.seeded = undefined;
      throw err;
    });
    return this.seeded;
  }

  /**
   * One refresh, run by the manager under the store's lock with the record it read there, so a
   * refresh token a refresh already spent is never sent. A refusal ends the chain: the user must
   * log in again.
   */
  private async refresh(t: AppToken): Promise<AppToken> {
    const spent = t.refreshToken!; // the manager refreshes only a record that has one
    let result: HduHelpTokenResult;
    try {
      result = await this.calls.refresh(spent);
    } catch (err) {
      if (!isCampusAuthError(err) || err.code !== 'ERR_INVALID_CREDENTIAL') throw err;
      const refusal = new CampusAuthError('ERR_INVALID_CREDENTIAL', `${err.message}; the user must log in again`, {
        platform: PLATFORM,
        upstreamStatus: err.upstreamStatus,
        platformCode: err.platformCode,
        platformMessage: err.platformMessage,
        requestId: err.requestId,
        cause: err,
      });
      // the manager writes nothing when a refresh fails, and update() needs the lock it holds now:
      // the first caller the refusal reaches marks the chain ended right after, while the store
      // still holds the refused token (a process taking the lock in between meets the same refusal)
      let ended: Promise<unknown> | undefined;
      this.refusals.set(refusal, () => {
        ended ??= this.manager
          .update((stored) => (stored?.accessToken && stored.refreshToken === spent ? endedRecord(stored) : undefined))
          .catch(() => undefined); // not recorded: the next call meets the same refusal
        return ended;
      });
      throw refusal;
    }
    return this.rotated(result, t);
  }

  /** The record after a refresh: the new pair (the old refresh token only if none came back, as the SDK). */
  private rotated(result: HduHelpTokenResult, prev: AppToken): AppToken {
    const now = this.place.now();
    const w = tokenWindow(now, optNumber(result.info, 'expiresIn'));
    const extra: Extra = { ...(prev.extra ?? {}) };
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
      expiresAt: w.expiresAt,
      refreshAt: w.refreshAt,
      refreshToken: fresh ?? prev.refreshToken,
      refreshExpiresAt: fresh ? now + this.refreshLifetime : prev.refreshExpiresAt,
      extra,
    };
  }
}
