/**
 * REDIS_URL: sessions live in Redis (connect-redis), so a login made through one app process is
 * seen by another. Uses the machine's redis-server on a free local port.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { createClient } from 'redis';
import request from 'supertest';
import { main, type Running } from '../src/main';
import { createLogger } from '../src/logger';
import { createRedisSessionStore } from '../src/sessions';
import { chooseUser } from './support/browserless';
import { caseOf } from './support/cases';
import { LogCapture, pathOf, TEST_SECRET } from './support/demo';

const REDIS_SERVER = '/usr/bin/redis-server';

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', () => resolve()));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

let redis: ChildProcess;
let redisURL: string;

beforeAll(async () => {
  const port = await freePort();
  redisURL = `redis://127.0.0.1:${port}`;
  redis = spawn(REDIS_SERVER, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('redis-server did not start')), 15_000);
    redis.once('error', reject);
    redis.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
}, 30_000);

afterAll(async () => {
  if (redis && redis.exitCode === null) {
    const exited = new Promise((resolve) => redis.once('exit', resolve));
    redis.kill('SIGTERM');
    await exited;
  }
});

describe('sessions in Redis', () => {
  it('a login through one process is seen by a second process sharing Redis', async () => {
    const runs: Running[] = [];
    const start = (logs: LogCapture) =>
      main(
        { PORT: '0', SESSION_SECRET: TEST_SECRET, REDIS_URL: redisURL, EMULATOR_PORTS: 'free' },
        { banner: false, logger: createLogger({ level: 'info', destination: logs }) },
      );
    try {
      const logsA = new LogCapture();
      runs.push(await start(logsA));
      const a = runs[0];
      expect(logsA.text).toContain('sessions: Redis');
      expect(logsA.text).not.toContain('MemoryStore');
      const origin = a.url.replace('localhost', '127.0.0.1');
      const agent = request.agent(origin);
      const begin = await agent.get('/auth/zafu').expect(302);
      const back = await chooseUser(begin.headers.location, caseOf('zafu').user);
      const done = await agent.get(pathOf(back)).expect(303);
      const cookie = [done.headers['set-cookie']]
        .flat()
        .find((c: string) => c.startsWith('campus.sid='))!
        .split(';')[0];

      // the session is in Redis
      const client = createClient({ url: redisURL });
      await client.connect();
      const keys = await client.keys('campus-passport:sess:*');
      await client.close();
      expect(keys.length).toBeGreaterThanOrEqual(1);

      // a second process with the same secret and Redis knows the user
      runs.push(await start(new LogCapture()));
      const b = runs[1];
      const profile = await request(b.url.replace('localhost', '127.0.0.1')).get('/profile').set('Cookie', cookie).expect(200);
      expect(profile.text).toContain(caseOf('zafu').name);
    } finally {
      await Promise.all(runs.map((r) => r.close()));
    }
  });

  it('an unreachable REDIS_URL fails startup instead of hanging', async () => {
    const port = await freePort();
    await expect(createRedisSessionStore(`redis://127.0.0.1:${port}`, { startupAttempts: 1 })).rejects.toThrow(
      /Redis unreachable|ECONNREFUSED/,
    );
  });
});
