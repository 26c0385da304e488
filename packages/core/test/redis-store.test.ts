import { createClient } from 'redis';
import { startRedis, type RedisServer } from '@campus-passport/mock-platforms/testing';
import { RedisTokenStore, type AppToken } from '../src';
import { AppTokenManager } from '../src/kit';

let server: RedisServer;
let clients: Array<ReturnType<typeof createClient>> = [];

async function client() {
  const c = createClient({ url: server.url });
  c.on('error', () => {});
  await c.connect();
  clients.push(c);
  return c;
}

beforeAll(async () => {
  server = await startRedis();
}, 200_000);
afterAll(async () => {
  await Promise.all(clients.map((c) => c.quit().catch(() => undefined)));
  clients = [];
  await server?.close();
});

describe('RedisTokenStore (real redis-server)', () => {
  it('stores, reads and compare-deletes a token', async () => {
    const store = new RedisTokenStore(await client(), { prefix: 't1:' });
    const token: AppToken = { accessToken: 'a1', expiresAt: Date.now() + 60_000, refreshToken: 'r1' };
    await store.set('app', token);
    expect(await store.get('app')).toEqual(token);
    await store.delete('app', 'not-a1');
    expect((await store.get('app'))?.accessToken).toBe('a1');
    await store.delete('app', 'a1');
    expect(await store.get('app')).toBeUndefined();
  });

  it('keeps a record whose refresh token has no known expiry for the retention period, not just past the access token', async () => {
    const c = await client();
    const store = new RedisTokenStore(c, { prefix: 't4:', refreshRetentionMs: 3_600_000 });
    await store.set('user', { accessToken: 'a', expiresAt: Date.now() + 1_000, refreshToken: 'r' });
    const ttl = Number(await c.pTTL('t4:user'));
    expect(ttl).toBeGreaterThan(3_000_000);
    await store.set('app', { accessToken: 'a', expiresAt: Date.now() + 1_000 });
    expect(Number(await c.pTTL('t4:app'))).toBeLessThan(120_000);
  });

  it('the lock has one holder at a time and is released by its owner only', async () => {
    const store = new RedisTokenStore(await client(), { prefix: 't2:' });
    const release = await store.lock('app', 5000);
    expect(release).not.toBeNull();
    expect(await store.lock('app', 5000)).toBeNull();
    await release!();
    const again = await store.lock('app', 5000);
    expect(again).not.toBeNull();
    await again!();
  });

  it('three "processes" (separate clients and managers) sharing Redis fetch the token once', async () => {
    let fetches = 0;
    const fetch = async (): Promise<AppToken> => {
      fetches++;
      await new Promise((r) => setTimeout(r, 50));
      return { accessToken: `tok-${fetches}`, expiresAt: Date.now() + 3600_000 };
    };
    const managers = await Promise.all(
      [1, 2, 3].map(
        async () =>
          new AppTokenManager({ key: 'zafu:demo', fetch, store: new RedisTokenStore(await client(), { prefix: 't3:' }) }),
      ),
    );
    const tokens = await Promise.all(managers.flatMap((m) => Array.from({ length: 50 }, () => m.get())));
    expect(fetches).toBe(1);
    expect(new Set(tokens)).toEqual(new Set(['tok-1']));
  });
});
