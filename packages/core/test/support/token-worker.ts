/**
 * One "app process" for the scale-out tests: an AppTokenManager on a RedisTokenStore, fetching
 * ZAFU client-credentials tokens from the emulator and calling an open API with them. Bundled with
 * esbuild and run as a child process. Reads its job from the environment and prints one JSON line.
 *
 *   MODE=burst N=50   N concurrent calls → {"ok":n,"codes":[...],"ms":[...]}
 *   MODE=hold         takes the fetch lock, prints {"holding":true}, then hangs inside the fetch
 */
import { createClient } from 'redis';
import { RedisTokenStore, isCampusAuthError, undiciTransport, type AppToken } from '../../src';
import { AppTokenManager } from '../../src/kit';

const env = (k: string): string => {
  const v = process.env[k];
  if (!v) throw new Error(`missing ${k}`);
  return v;
};

async function main(): Promise<void> {
  const redis = createClient({ url: env('REDIS_URL'), socket: { reconnectStrategy: () => 50 } });
  redis.on('error', () => undefined);
  await redis.connect();
  const zafu = env('ZAFU_URL');
  const transport = undiciTransport();
  const timeout = Number(process.env.TIMEOUT ?? 5000);
  const mode = env('MODE');
  const fetchToken = async (): Promise<AppToken> => {
    if (mode === 'hold') {
      process.stdout.write(`${JSON.stringify({ holding: true })}\n`);
      await new Promise(() => undefined); // dies here (SIGKILL) holding the lock
    }
    const res = await transport<{ access_token: string; expires_in: number }>({
      method: 'POST',
      url: `${zafu}/oauth/token`,
      json: { grant_type: 'client_credentials', client_id: env('CLIENT_ID'), client_secret: env('CLIENT_SECRET') },
      timeout,
      platform: 'zafu',
    });
    if (res.status !== 200) throw new Error(`token HTTP ${res.status}`);
    return { accessToken: res.body.access_token, expiresAt: Date.now() + res.body.expires_in * 1000 };
  };
  const tokens = new AppTokenManager({
    key: 'zafu:scale-out',
    fetch: fetchToken,
    store: new RedisTokenStore(redis, { prefix: `${env('PREFIX')}:` }),
    timeout,
    platform: 'zafu',
  });
  const callApi = (accessToken: string) =>
    transport({
      method: 'POST',
      url: `${zafu}/api/menulist`,
      query: { access_token: accessToken },
      timeout,
      platform: 'zafu',
    }).then((res) => {
      if (res.status !== 200) throw new Error(`api HTTP ${res.status}`);
    });

  if (mode === 'hold') {
    await tokens.get();
    return;
  }
  const n = Number(process.env.N ?? 1);
  const started = Date.now();
  const results = await Promise.all(
    Array.from({ length: n }, async () => {
      const t0 = Date.now();
      try {
        await tokens.withToken(callApi);
        return { ok: true, ms: Date.now() - t0, doneAt: Date.now() };
      } catch (err) {
        return { ok: false, code: isCampusAuthError(err) ? err.code : String(err), ms: Date.now() - t0, doneAt: Date.now() };
      }
    }),
  );
  process.stdout.write(
    `${JSON.stringify({
      ok: results.filter((r) => r.ok).length,
      codes: results.filter((r) => !r.ok).map((r) => r.code),
      ms: results.map((r) => r.ms),
      doneAt: results.map((r) => r.doneAt),
      total: Date.now() - started,
    })}\n`,
  );
  await redis.quit().catch(() => undefined);
  process.exit(0);
}

main().catch((err: unknown) => {
  process.stdout.write(`${JSON.stringify({ crashed: String(err) })}\n`);
  process.exit(1);
});
