/**
 * One "app process" for the cross-process token test: an HduHelpClient whose user token source
 * keeps one user's neo chain in a RedisTokenStore. Bundled with esbuild and run as a child
 * process; reads its job from the environment, talks in JSON lines.
 *
 *   1. seeds the chain from INITIAL (a login's credentials) and prints {"ready":true}
 *   2. waits for a line on stdin, then makes N concurrent accessToken() calls and prints
 *      {"tokens":[...distinct tokens],"ok":n,"codes":[...error codes]}
 */
import { createClient } from 'redis';
import { RedisTokenStore, isCampusAuthError } from '@campus-passport/core';
import { HduHelpClient, type HduHelpCredentials } from '../../src';

const env = (k: string): string => {
  const v = process.env[k];
  if (!v) throw new Error(`missing ${k}`);
  return v;
};
const say = (line: unknown) => process.stdout.write(`${JSON.stringify(line)}\n`);

async function main(): Promise<void> {
  const redis = createClient({ url: env('REDIS_URL') });
  redis.on('error', () => undefined);
  await redis.connect();
  const client = new HduHelpClient({
    api: 'neo',
    clientID: env('APP_ID'),
    clientSecret: env('APP_SECRET'),
    baseURL: env('HDU_URL'),
    timeout: Number(process.env.TIMEOUT ?? 5000),
  });
  const source = client.userTokenSource({
    key: env('KEY'),
    store: new RedisTokenStore(redis, { prefix: `${env('PREFIX')}:` }),
    initial: JSON.parse(env('INITIAL')) as HduHelpCredentials,
  });
  await source.current(); // the seed, under the store's lock
  say({ ready: true });
  await new Promise((resolve) => process.stdin.once('data', resolve));
  const n = Number(process.env.N ?? 1);
  const results = await Promise.all(
    Array.from({ length: n }, () =>
      source.accessToken().then(
        (token) => ({ token }),
        (err: unknown) => ({ code: isCampusAuthError(err) ? err.code : String(err) }),
      ),
    ),
  );
  const tokens = new Set<string>();
  const codes: string[] = [];
  for (const r of results) {
    if ('token' in r) tokens.add(r.token);
    else codes.push(r.code);
  }
  say({ tokens: [...tokens], ok: results.length - codes.length, codes });
  await redis.quit().catch(() => undefined);
  process.exit(0);
}

main().catch((err: unknown) => {
  say({ crashed: String(err) });
  process.exit(1);
});
