import { CampusAuthError, MemoryTokenStore, type AppToken, type TokenStore } from '../src';
import { AppTokenManager, processTokenStore } from '../src/kit';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function counter(opts: { ttl?: number; delay?: number; fail?: () => boolean } = {}) {
  let n = 0;
  const fetch = jest.fn(async (): Promise<AppToken> => {
    n++;
    await sleep(opts.delay ?? 5);
    if (opts.fail?.()) throw new CampusAuthError('ERR_PLATFORM', `fetch ${n} failed`);
    return { accessToken: `token-${n}`, expiresAt: now + (opts.ttl ?? 3600_000), refreshToken: `refresh-${n}` };
  });
  return fetch;
}

let now = 1_700_000_000_000;
const clock = () => now;

describe('AppTokenManager', () => {
  beforeEach(() => {
    now = 1_700_000_000_000;
  });

  it('1000 concurrent get() → exactly 1 fetch, all get the same token', async () => {
    const fetch = counter({ delay: 20 });
    const m = new AppTokenManager({ key: 'k', fetch, now: clock });
    const tokens = await Promise.all(Array.from({ length: 1000 }, () => m.get()));
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(new Set(tokens)).toEqual(new Set(['token-1']));
  });

  it('caches until skew before expiry, then fetches again', async () => {
    const fetch = counter({ ttl: 10 * 60_000 });
    const m = new AppTokenManager({ key: 'k', fetch, now: clock, skew: 60_000 });
    expect(await m.get()).toBe('token-1');
    now += 8 * 60_000;
    expect(await m.get()).toBe('token-1');
    now += 61_000; // within the skew window
    expect(await m.get()).toBe('token-2');
    expect(fetch).toHaveBeenCalledTimes(2);
  });

  it('uses the refresh path before a new fetch, and fetches when refresh fails', async () => {
    const fetch = counter({ ttl: 120_000 });
    let refreshOk = true;
    const refresh = jest.fn(async (t: AppToken): Promise<AppToken> => {
      if (!refreshOk) throw new Error('refresh rejected');
      return { ...t, accessToken: `${t.accessToken}-r`, expiresAt: now + 120_000 };
    });
    const m = new AppTokenManager({ key: 'k', fetch, refresh, now: clock });
    expect(await m.get()).toBe('token-1');
    now += 100_000;
    expect(await m.get()).toBe('token-1-r');
    expect(refresh).toHaveBeenCalledTimes(1);
    refreshOk = false;
    now += 100_000;
    expect(await m.get()).toBe('token-2');
    expect(fetch).toHaveBeenCalledTimes(2);
  });

  it('a failed fetch is not cached and rejects every waiter with the same error', async () => {
    let failing = true;
    const fetch = counter({ delay: 10, fail: () => failing });
    const m = new AppTokenManager({ key: 'k', fetch, now: clock });
    const results = await Promise.allSettled(Array.from({ length: 50 }, () => m.get()));
    expect(fetch).toHaveBeenCalledTimes(1);
    const reasons = new Set(results.map((r) => (r.status === 'rejected' ? r.reason : 'ok')));
    expect(reasons.size).toBe(1);
    expect([...reasons][0]).toBeInstanceOf(CampusAuthError);
    failing = false;
    expect(await m.get()).toBe('token-2');
  });

  it('invalidate(token) clears only while that token is still the stored one', async () => {
    const store = new MemoryTokenStore();
    const fetch = counter();
    const m = new AppTokenManager({ key: 'k', fetch, store, now: clock });
    await m.get();
    await m.invalidate('some-older-token');
    expect((await store.get('k'))?.accessToken).toBe('token-1');
    await m.invalidate('token-1');
    expect(await store.get('k')).toBeUndefined();
    expect(await m.get()).toBe('token-2');
  });

  it('withToken retries once with a fresh token on an invalid-token error', async () => {
    const fetch = counter();
    const m = new AppTokenManager({ key: 'k', fetch, now: clock });
    const seen: string[] = [];
    const result = await m.withToken(async (t) => {
      seen.push(t);
      if (t === 'token-1') throw new CampusAuthError('ERR_PLATFORM', 'token invalid', { appTokenRejected: true });
      return 'ok';
    });
    expect(result).toBe('ok');
    expect(seen).toEqual(['token-1', 'token-2']);
  });

  it('withToken renews a rejected token with its refresh token first, and fetches only when the refresh is refused', async () => {
    const fetch = counter();
    let refuseRefresh = false;
    const refresh = jest.fn(async (t: AppToken): Promise<AppToken> => {
      if (refuseRefresh) throw new CampusAuthError('ERR_PLATFORM', 'refresh refused');
      return { accessToken: `${t.accessToken}-refreshed`, expiresAt: now + 3600_000, refreshToken: t.refreshToken };
    });
    const m = new AppTokenManager({ key: 'k', fetch, refresh, now: clock });
    const reject = (bad: string) => async (t: string) => {
      if (t === bad) throw new CampusAuthError('ERR_PLATFORM', 'token invalid', { appTokenRejected: true });
      return t;
    };
    await expect(m.withToken(reject('token-1'))).resolves.toBe('token-1-refreshed');
    expect(refresh).toHaveBeenCalledTimes(1);
    expect(refresh.mock.calls[0][0].refreshToken).toBe('refresh-1');
    expect(fetch).toHaveBeenCalledTimes(1);
    refuseRefresh = true;
    await expect(m.withToken(reject('token-1-refreshed'))).resolves.toBe('token-2');
    expect(refresh).toHaveBeenCalledTimes(2);
    expect(fetch).toHaveBeenCalledTimes(2);
  });

  it('a store that never answers, or fails, ends the call with ERR_STORE within the timeout — and fetches nothing', async () => {
    const fetch = counter();
    const hanging: TokenStore = {
      get: () => new Promise(() => undefined),
      set: async () => undefined,
      delete: async () => undefined,
    };
    const m = new AppTokenManager({ key: 'k', fetch, store: hanging, timeout: 100, now: clock });
    const t0 = Date.now();
    await expect(m.get()).rejects.toMatchObject({ code: 'ERR_STORE', status: 503, retryable: true });
    expect(Date.now() - t0).toBeLessThan(400);
    const failing: TokenStore = {
      get: async () => Promise.reject(new Error('ECONNREFUSED 127.0.0.1:6379')),
      set: async () => undefined,
      delete: async () => undefined,
    };
    const err = await new AppTokenManager({ key: 'k', fetch, store: failing, timeout: 100, now: clock })
      .get()
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ERR_STORE', message: 'the token store failed a read' });
    expect((err as Error).cause).toBeInstanceOf(Error);
    expect(fetch).not.toHaveBeenCalled();
  });

  it('a lock whose holder stops renewing frees itself after one lease; a live holder keeps it by renewing', async () => {
    const store = new MemoryTokenStore();
    const dead = await store.lock('k', 150); // taken, never renewed: the holder "died"
    expect(dead).not.toBeNull();
    const fetch = counter();
    const m = new AppTokenManager({ key: 'k', fetch, store, lockLease: 150, timeout: 2000, now: clock });
    const t0 = Date.now();
    await expect(m.get()).resolves.toBe('token-1');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(100);
    const live = await store.lock('k2', 100);
    await sleep(60);
    expect(await live!.renew!()).toBe(true);
    await sleep(60);
    expect(await store.lock('k2', 100)).toBeNull(); // still held thanks to the renewal
  });

  it('withToken does not retry other errors, nor more than once', async () => {
    const fetch = counter();
    const m = new AppTokenManager({ key: 'k', fetch, now: clock });
    let calls = 0;
    await expect(
      m.withToken(async () => {
        calls++;
        throw new CampusAuthError('ERR_PLATFORM', 'nope');
      }),
    ).rejects.toThrow('nope');
    expect(calls).toBe(1);
    calls = 0;
    await expect(
      m.withToken(async () => {
        calls++;
        throw new CampusAuthError('ERR_PLATFORM', 'still invalid', { appTokenRejected: true });
      }),
    ).rejects.toThrow('still invalid');
    expect(calls).toBe(2);
  });

  it('two managers sharing one store (two processes) fetch once between them', async () => {
    const store = new MemoryTokenStore();
    const fetchA = counter({ delay: 30 });
    const fetchB = counter({ delay: 30 });
    const a = new AppTokenManager({ key: 'shared', fetch: fetchA, store, now: clock });
    const b = new AppTokenManager({ key: 'shared', fetch: fetchB, store, now: clock });
    const tokens = await Promise.all([
      ...Array.from({ length: 100 }, () => a.get()),
      ...Array.from({ length: 100 }, () => b.get()),
    ]);
    expect(fetchA.mock.calls.length + fetchB.mock.calls.length).toBe(1);
    expect(new Set(tokens).size).toBe(1);
  });

  it('rejects a token answer without an access token', async () => {
    const m = new AppTokenManager({ key: 'k', fetch: async () => ({ accessToken: '', expiresAt: now + 1000 }), now: clock });
    await expect(m.get()).rejects.toMatchObject({ code: 'ERR_BAD_RESPONSE' });
  });

  it('validates its options', () => {
    expect(() => new AppTokenManager({ key: '', fetch: async () => ({ accessToken: 'a', expiresAt: 1 }) })).toThrow(
      CampusAuthError,
    );
  });
});

describe('processTokenStore', () => {
  it('is one store per process, and clear() empties it', async () => {
    expect(processTokenStore()).toBe(processTokenStore());
    await processTokenStore().set('k', { accessToken: 'a', expiresAt: Date.now() + 1000 });
    expect((await processTokenStore().get('k'))?.accessToken).toBe('a');
    processTokenStore().clear();
    expect(await processTokenStore().get('k')).toBeUndefined();
  });
});
