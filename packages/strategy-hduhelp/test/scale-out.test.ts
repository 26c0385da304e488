/**
 * The cross-process claim: four app processes (child processes, each its own HduHelpClient) share
 * one user's neo chain in a real redis-server and all ask for it as it is about to expire → the
 * platform sees exactly one refresh, with the login's refresh token, and every process gets the
 * same new token. (Pattern of packages/core/test/scale-out.test.ts: an esbuild-bundled worker.)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { createClient } from 'redis';
import { RedisTokenStore } from '@campus-passport/core';
import {
  HDUHELP_NEO_APP_ID,
  HDUHELP_NEO_APP_SECRET,
  HDUHELP_USERS,
  startHduhelpEmulator,
  type HduHelpEmulator,
} from '@campus-passport/mock-platforms/hduhelp';
import { startRedis, type RedisServer } from '@campus-passport/mock-platforms/testing';
import { HduHelpClient } from '../src';

const ROOT = join(__dirname, '../../..');

const REFRESH_PATH = '/hduhelp-neo/open-apis/authen/refresh-access-token';
let redis: RedisServer;
let emu: HduHelpEmulator;
let dir: string;
let worker: string;
const children = new Set<ChildProcess>();

beforeAll(async () => {
  // 50 s user tokens: a login's credentials (lifetime unknown → the plain 60 s lead) are due at once
  [redis, emu] = await Promise.all([startRedis(), startHduhelpEmulator({ accessTokenTtl: 50_000 })]);
  dir = mkdtempSync(join(tmpdir(), 'hduhelp-scale-out-'));
  worker = join(dir, 'worker.cjs');
  await build({
    entryPoints: [join(__dirname, 'support/token-worker.ts')],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    outfile: worker,
    // the workspace packages resolve to their sources, as in Jest and tsc
    tsconfig: join(ROOT, 'tsconfig.json'),
    logLevel: 'silent',
  });
}, 120_000);
afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  await Promise.all([redis?.close(), emu?.close()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface Worker {
  child: ChildProcess;
  next(): Promise<Record<string, unknown>>;
}

function start(env: Record<string, string>): Worker {
  const child = spawn(process.execPath, [worker], {
    env: {
      ...process.env,
      REDIS_URL: redis.url,
      HDU_URL: emu.url,
      APP_ID: HDUHELP_NEO_APP_ID,
      APP_SECRET: HDUHELP_NEO_APP_SECRET,
      ...env,
    },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  const lines: Array<Record<string, unknown>> = [];
  const waiting: Array<(v: Record<string, unknown>) => void> = [];
  let buf = '';
  child.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    for (let i = buf.indexOf('\n'); i !== -1; i = buf.indexOf('\n')) {
      const line = JSON.parse(buf.slice(0, i)) as Record<string, unknown>;
      buf = buf.slice(i + 1);
      const w = waiting.shift();
      if (w) w(line);
      else lines.push(line);
    }
  });
  return {
    child,
    next: () =>
      lines.length
        ? Promise.resolve(lines.shift()!)
        : new Promise((resolve, reject) => {
            waiting.push(resolve);
            child.once('exit', (code) => reject(new Error(`worker exited (${code}) before answering`)));
          }),
  };
}

describe('user token chain across processes on a real redis-server', () => {
  it('4 processes × 25 concurrent accessToken() on an expiring token → exactly 1 refresh, one new token everywhere', async () => {
    const login = await new HduHelpClient({
      api: 'neo',
      clientID: HDUHELP_NEO_APP_ID,
      clientSecret: HDUHELP_NEO_APP_SECRET,
      baseURL: emu.url,
    }).exchangeCode(emu.issueCode({ clientId: HDUHELP_NEO_APP_ID, userId: HDUHELP_USERS[1].userId }));
    const prefix = `hduhelp-scale-${Date.now()}`;
    const env = {
      KEY: HDUHELP_USERS[1].userId,
      PREFIX: prefix,
      N: '25',
      TIMEOUT: '5000',
      INITIAL: JSON.stringify(login.credentials),
    };
    const workers = [1, 2, 3, 4].map(() => start(env));
    expect(await Promise.all(workers.map((w) => w.next()))).toEqual([1, 2, 3, 4].map(() => ({ ready: true })));

    emu.clearRequests();
    for (const w of workers) w.child.stdin!.write('go\n');
    const results = (await Promise.all(workers.map((w) => w.next()))) as Array<{ tokens: string[]; ok: number; codes: string[] }>;

    const sent = emu.requests
      .filter((r) => r.path === REFRESH_PATH)
      .map((r) => (r.body as { refresh_token: string }).refresh_token);
    process.stdout.write(`hduhelp scale-out: 4 processes × 25 calls → ${sent.length} refresh call(s)\n`);
    expect(sent).toEqual([login.credentials.refreshToken]);
    expect(results.map((r) => r.ok)).toEqual([25, 25, 25, 25]);
    const everyToken = new Set(results.flatMap((r) => r.tokens));
    expect(everyToken.size).toBe(1);
    const [token] = everyToken;
    expect(token).not.toBe(login.credentials.accessToken);
    expect(emu.isTokenActive(token)).toBe(true);

    // the rotated refresh token is the one in Redis
    const client = createClient({ url: redis.url });
    client.on('error', () => undefined);
    await client.connect();
    try {
      const stored = await new RedisTokenStore(client, { prefix: `${prefix}:` }).get(
        `hduhelp:user:${emu.url}:${HDUHELP_NEO_APP_ID}:${HDUHELP_USERS[1].userId}`,
      );
      expect(stored?.accessToken).toBe(token);
      expect(stored?.refreshToken).toEqual(expect.any(String));
      expect(stored?.refreshToken).not.toBe(login.credentials.refreshToken);
      expect(emu.isTokenActive(stored!.refreshToken!)).toBe(true);
    } finally {
      await client.quit();
    }
  }, 30_000);

  it('a revoked chain stays in Redis as long as it could have lived, so the same login is not seeded again', async () => {
    const client = new HduHelpClient({
      api: 'neo',
      clientID: HDUHELP_NEO_APP_ID,
      clientSecret: HDUHELP_NEO_APP_SECRET,
      baseURL: emu.url,
    });
    const login = await client.exchangeCode(emu.issueCode({ clientId: HDUHELP_NEO_APP_ID, userId: HDUHELP_USERS[0].userId }));
    const prefix = `hduhelp-revoked-${Date.now()}`;
    const redisClient = createClient({ url: redis.url });
    redisClient.on('error', () => undefined);
    await redisClient.connect();
    try {
      const store = new RedisTokenStore(redisClient, { prefix: `${prefix}:` });
      await client.userTokenSource({ key: 'signed-out', store, initial: login.credentials }).revoke();
      // the ended record holds no token, yet is kept for the refresh token's assumed 30 days
      const ttl = await redisClient.pTTL(`${prefix}:hduhelp:user:${emu.url}:${HDUHELP_NEO_APP_ID}:signed-out`);
      expect(ttl).toBeGreaterThan(29 * 24 * 60 * 60_000);
      emu.clearRequests();
      const again = client.userTokenSource({ key: 'signed-out', store, initial: login.credentials });
      await expect(again.accessToken()).rejects.toMatchObject({ code: 'ERR_INVALID_CREDENTIAL' });
      expect(await again.current()).toBeUndefined();
      expect(emu.requests).toHaveLength(0);
    } finally {
      await redisClient.quit();
    }
  });
});
