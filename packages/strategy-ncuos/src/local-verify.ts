/**
 * Access tokens verified without a platform call per request: the server's Ed25519 public key is
 * fetched once and cached; a token whose signature fails triggers one refetch (the key may have
 * rotated), shared by every caller waiting on it and started at most once per
 * KEY_REFETCH_INTERVAL_MS. Tokens whose signature verified are remembered (VERIFIED_TOKEN_MEMO_SIZE,
 * while the key stays the same), so a token sent again skips the Ed25519 check but not the claims
 * check. The pure checks are in ./access-token.ts.
 * Source: ncuhome/GeniusAuthoritarianClient rpc.go (NewJwtParser: the key from GetServerPublicKeys,
 * then parsed locally) and jwt/jwt.go (ParseAccessToken). The refetch policy and the memo are this
 * package's own.
 */
import type { KeyObject } from 'node:crypto';
import type { JsonObject } from '@campus-passport/core/kit';
import { checkAccessClaims, invalidAccessToken, parseJwt, verifyJwtSignature, type NcuosLocalAccessInfo } from './access-token';

/**
 * The shortest time between two key fetches caused by signature failures (ms): a flood of forged
 * tokens costs the platform at most one key fetch per 30 s.
 */
export const KEY_REFETCH_INTERVAL_MS = 30_000;
/**
 * How many tokens whose signature verified are remembered (oldest dropped first): an app's clients
 * send the same access token for its 5 minutes, and the Ed25519 check is most of a local check's
 * cost (~90 µs of ~110 µs here). The claims (exp, appCode…) are still checked on every request.
 */
export const VERIFIED_TOKEN_MEMO_SIZE = 1024;

/** The server's public key: fetched once, one fetch in flight, refetched on a signature failure at most once per interval. */
export class ServerKeyCache {
  private key: KeyObject | undefined;
  /** When (now()) the last fetch started, successful or not. */
  private fetchedAt = Number.NEGATIVE_INFINITY;
  private inFlight: Promise<KeyObject> | undefined;

  constructor(
    private readonly fetchKey: () => Promise<KeyObject>,
    private readonly now: () => number,
    private readonly refetchIntervalMs = KEY_REFETCH_INTERVAL_MS,
  ) {}

  /** The cached key, if any (no call). */
  get cached(): KeyObject | undefined {
    return this.key;
  }

  /** The key: cached, or one fetch shared by every caller (its failure is theirs too). */
  get(): Promise<KeyObject> {
    return this.key ? Promise.resolve(this.key) : this.fetch();
  }

  /**
   * A key other than `stale`, which failed a signature: the one a refetch in flight brings, the one
   * another caller already fetched, or a new fetch if the last started at least the interval ago.
   * `undefined` when none may be fetched yet.
   */
  async newerThan(stale: KeyObject): Promise<KeyObject | undefined> {
    if (this.inFlight) return this.inFlight;
    if (this.key && this.key !== stale) return this.key;
    if (this.now() - this.fetchedAt < this.refetchIntervalMs) return undefined;
    return this.fetch();
  }

  private fetch(): Promise<KeyObject> {
    if (this.inFlight) return this.inFlight;
    this.fetchedAt = this.now();
    const p = this.fetchKey().then(
      (key) => {
        this.key = key;
        this.inFlight = undefined;
        return key;
      },
      (err: unknown) => {
        this.inFlight = undefined;
        throw err;
      },
    );
    this.inFlight = p;
    return p;
  }
}

/** Verifies access tokens of one app against the cached server key. */
export class LocalAccessVerifier {
  readonly keys: ServerKeyCache;
  /** Tokens whose signature verified with `memoKey`, and their claims; cleared when the key changes. */
  private readonly verified = new Map<string, JsonObject>();
  private memoKey: KeyObject | undefined;

  constructor(
    private readonly appCode: string,
    private readonly now: () => number,
    fetchKey: () => Promise<KeyObject>,
    refetchIntervalMs?: number,
  ) {
    this.keys = new ServerKeyCache(fetchKey, now, refetchIntervalMs);
  }

  /**
   * `{ uid, appCode, payload, expiresAt }` of a valid access token of this app. A malformed,
   * forged, expired, non-access or foreign token throws ERR_INVALID_CREDENTIAL; a key fetch that
   * fails throws that fetch's error.
   */
  async verify(token: string): Promise<NcuosLocalAccessInfo> {
    const known = this.keys.cached === this.memoKey ? this.verified.get(token) : undefined;
    if (known) {
      try {
        return checkAccessClaims(known, { appCode: this.appCode, now: this.now() });
      } catch (err) {
        this.verified.delete(token); // expired: forget it
        throw err;
      }
    }
    const jwt = parseJwt(token); // malformed tokens never cost a key fetch
    let key = this.keys.cached ?? (await this.keys.get());
    if (!verifyJwtSignature(jwt, key)) {
      const newer = await this.keys.newerThan(key);
      if (!newer || !verifyJwtSignature(jwt, newer)) throw invalidAccessToken('signature does not verify with the platform key');
      key = newer;
    }
    const info = checkAccessClaims(jwt.claims, { appCode: this.appCode, now: this.now() });
    this.remember(token, jwt.claims, key);
    return info;
  }

  /** Keep a verified token's claims (only valid access tokens of this app), for as long as `key` is the cached key. */
  private remember(token: string, claims: JsonObject, key: KeyObject): void {
    if (key !== this.keys.cached) return;
    if (this.memoKey !== key) {
      this.verified.clear();
      this.memoKey = key;
    }
    this.verified.set(token, claims);
    if (this.verified.size > VERIFIED_TOKEN_MEMO_SIZE) this.verified.delete(this.verified.keys().next().value!);
  }
}
