/**
 * REDIS_URL: sessions live in Redis (connect-redis), so a login made through one app process is
 * seen by another. A throw-away redis-server on a free local port (installed with apt when missing).
 */
import { createClient } from 'redis';
import request from 'supertest';
import { startRedis, type RedisServer } from '@campus-passport/mock-platforms/testing';
import { main, type Running } from '../src/main';
import { createLogger } from '../src/logger';
import { createRedisSessionStore } from '../src/sessions';
import { chooseUser } from './support/browserless';
import { caseOf } from './support/cases';
import { LogCapture, pathOf, TEST_SECRET } from './support/demo';

let redis: RedisServer;
let redisURL: string;

beforeAll(async () => {
  redis = await startRedis(); // installs Debian's redis-server when missing
  redisURL = redis.url;
}, 300_000);

afterAll(async () => {
  await redis?.close();
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
    // port 1 on loopback: nothing listens there, the connection is refused at once
    await expect(createRedisSessionStore('redis://127.0.0.1:1', { startupAttempts: 1 })).rejects.toThrow(
      /Redis unreachable|ECONNREFUSED/,
    );
  });
});
