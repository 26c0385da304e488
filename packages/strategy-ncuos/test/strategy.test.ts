import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import passport from 'passport';
import request from 'supertest';
import {
  describeConformance,
  strategyApp,
  useEmulator,
  type ConformanceTarget,
  type StrategyApp,
} from '@campus-passport/mock-platforms/testing';
import {
  DEFAULT_APP_CODE,
  DEFAULT_APP_SECRET,
  startNcuosEmulator,
  type NcuosEmulator,
} from '@campus-passport/mock-platforms/ncuos';
import { NcuosStrategy, Strategy, type NcuosCredentials, type NcuosProfile, type NcuosStrategyOptions } from '../src';

const APP_CODE = 'strategy-test-app';
const APP_SECRET = 'strategy-test-secret-5a1f9e';
const LOGIN = '/auth/ncuos';
const CALLBACK = '/auth/ncuos/callback';

const started = useEmulator(() => startNcuosEmulator({ rateLimit: 0 }));
let emu: NcuosEmulator;
const seen: Array<{ credentials: NcuosCredentials; profile: NcuosProfile }> = [];

passport.serializeUser((u, done) => done(null, u));
passport.deserializeUser((u: Express.User, done) => done(null, u));

type Built = StrategyApp & { strategy: NcuosStrategy };

/** The kit's app with the strategy at GET /auth/ncuos and GET|POST /auth/ncuos/callback (a SPA POSTs the token there). */
function build(extra: Partial<NcuosStrategyOptions> = {}, logIn = false): Built {
  const strategy = new NcuosStrategy(
    { appCode: APP_CODE, appSecret: APP_SECRET, baseURL: emu.url, now: () => emu.clock.now(), ...extra },
    async (credentials: NcuosCredentials, profile: NcuosProfile) => {
      seen.push({ credentials, profile });
      return { id: profile.id, name: profile.displayName, groups: profile.groups };
    },
  );
  const kit = strategyApp(strategy, { prefix: 'ncuos', loginPath: LOGIN, callbackPath: CALLBACK, logIn });
  return Object.assign(kit, { strategy });
}

let main: Built;
let withIp: Built;
let once: Built;
let payloadFn: Built;
let server: Server;
let origin = '';

beforeAll(async () => {
  emu = started.current;
  main = build({}, true);
  withIp = build({ sendClientIP: true });
  once = build({ grantType: 'once' });
  payloadFn = build({ payload: (req) => `ua:${String(req.headers['x-cart'] ?? 'none')}` });
  server = main.app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // the app's registered callback on the platform points at this test server
  emu.registerApp({ appCode: APP_CODE, appSecret: APP_SECRET, callbackURL: `${origin}${CALLBACK}` });
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
});

/** A callback GET with a login token the platform just issued for the test app. */
const callbackWith = (app: StrategyApp, token: string, headers?: Record<string, string>) =>
  app.call('get', `${CALLBACK}?token=${token}`, { headers });
const freshToken = (userId = 8, opts: { ip?: string } = {}) => emu.issueLoginToken(userId, { appCode: APP_CODE, ...opts });

describe('NcuosStrategy', () => {
  it('redirect and callback: start → login page → click a user → callback → success', async () => {
    const agent = main.agent();
    const start = await main.call('get', LOGIN, { agent });
    expect(start.status).toBe(302);
    expect(start.headers.location).toBe(`${emu.url}/?appCode=${APP_CODE}`);

    // the platform's login page lists the seeded users as buttons with data-user
    const pageRes = await request(emu.url).get(`/?appCode=${APP_CODE}`);
    expect(pageRes.status).toBe(200);
    expect(pageRes.text).toContain('data-user="8"');
    const form = /<form method="get" action="([^"]+)">/.exec(pageRes.text)!;
    const picked = await request(emu.url).get(`${form[1]}?appCode=${APP_CODE}&user=8`);
    expect(picked.status).toBe(302);
    const callback = new URL(picked.headers.location);
    expect(`${callback.origin}${callback.pathname}`).toBe(`${origin}${CALLBACK}`);
    expect(callback.searchParams.get('token')).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);

    const done = await main.call('get', `${callback.pathname}${callback.search}`, { agent });
    expect(done.status).toBe(200);
    expect(done.body.user).toEqual({ id: '8', name: '孙翔宇', groups: ['研发', '中心'] });
    const last = seen[seen.length - 1];
    expect(last.credentials).toEqual({
      loginToken: callback.searchParams.get('token'),
      refreshToken: expect.any(String),
      accessToken: expect.any(String),
    });
    expect(last.profile).toMatchObject({ provider: 'ncuos', id: '8', avatarUrl: expect.stringMatching(/^https:/) });
    expect(last.profile._json).not.toHaveProperty('refreshToken');
    // the session holds the user
    expect(done.headers['set-cookie']).toBeDefined();
  });

  it('POST token from a SPA (JSON or form body) → success; POST without a token → fail ERR_NO_CREDENTIAL', async () => {
    const json = await main.call('post', CALLBACK, { json: { token: freshToken(9) } });
    expect(json.body).toMatchObject({ outcome: 'success', user: { id: '9' } });
    const form = await main.call('post', CALLBACK, { form: { token: freshToken(8) } });
    expect(form.body).toMatchObject({ outcome: 'success', user: { id: '8' } });
    const none = await main.call('post', CALLBACK, { json: {} });
    expect(none.status).toBe(400);
    expect(none.body).toMatchObject({ outcome: 'fail' });
    expect(none.body.info).toEqual({
      code: 'ERR_NO_CREDENTIAL',
      message: 'ncuos: the request carries no login token; start the login again',
    });
  });

  it('reloading the callback URL (the login token is used up: code 6 / 401) → fail ERR_INVALID_CREDENTIAL 401, not an error', async () => {
    const cold = build(); // a strategy whose client has proved nothing yet
    const agent = cold.agent();
    const start = await cold.call('get', LOGIN, { agent });
    const pageRes = await request(emu.url).get(new URL(start.headers.location).pathname + new URL(start.headers.location).search);
    expect(pageRes.status).toBe(200);
    const picked = await request(emu.url).get(`/login/authorize?appCode=${APP_CODE}&user=9`);
    const callback = new URL(picked.headers.location);
    const token = callback.searchParams.get('token')!;
    const url = `${CALLBACK}?token=${token}`;
    emu.clearRequests();
    expect((await cold.call('get', url, { agent })).body.outcome).toBe('success');
    for (let i = 0; i < 3; i++) {
      const reload = await cold.call('get', url, { agent });
      expect(reload.status).toBe(401);
      expect(reload.body.outcome).toBe('fail');
      expect(reload.body.info).toEqual({ code: 'ERR_INVALID_CREDENTIAL', message: expect.any(String) });
    }
    // the successful verify proved the signature: reloads cost no extra platform call
    expect(emu.requests.map((r) => r.path)).toEqual(Array(4).fill('/api/v1/public/login/verify'));
  });

  it('a burst of reloads with no proof yet costs one signed GET /api/v1/app/keypair/server in all', async () => {
    const cold = build();
    const token = freshToken(8);
    expect((await callbackWith(main, token)).body.outcome).toBe('success');
    emu.clearRequests();
    const burst = await Promise.all(Array.from({ length: 6 }, () => callbackWith(cold, token)));
    for (const r of burst) expect([r.status, r.body.info?.code]).toEqual([401, 'ERR_INVALID_CREDENTIAL']);
    expect(emu.requests.filter((r) => r.path === '/api/v1/app/keypair/server')).toHaveLength(1);
  });

  it('used or expired token → fail ERR_INVALID_CREDENTIAL', async () => {
    const token = freshToken(8);
    expect((await callbackWith(main, token)).body.outcome).toBe('success');
    const used = await callbackWith(main, token);
    expect(used.status).toBe(401);
    expect(used.body.outcome).toBe('fail');
    expect(used.body.info).toEqual({
      code: 'ERR_INVALID_CREDENTIAL',
      message: 'ncuos: the login token is invalid, expired or already used; start the login again',
    });
    const old = freshToken(8);
    emu.clock.advance(5 * 60_000 + 1);
    const expired = await callbackWith(main, old);
    expect(expired.body.info.code).toBe('ERR_INVALID_CREDENTIAL');
  });

  it('a user without group (7) or identity (26) is refused on the platform login page: the app never gets a token', async () => {
    const start = await main.call('get', LOGIN);
    const loginPage = new URL(start.headers.location);
    for (const [uid, code] of [
      [10, 7],
      [11, 26],
    ]) {
      const picked = await request(emu.url).get(`/login/authorize${loginPage.search}&user=${uid}`);
      expect(picked.status).toBe(403);
      expect(picked.headers.location).toBeUndefined();
      expect(picked.text).toContain(`data-code="${code}"`);
    }
  });

  it('should verify ever answer 7 (no group) or 26 (no identity): fail ERR_DENIED 403 with distinct reasons', async () => {
    // GA internal/api/callback/code.go: 7 ErrFindUnit, 26 ErrNoIdentity, both HTTP 403 (raised by the login page today)
    const cases = [
      [
        7,
        'no-group',
        'ncuos: this account belongs to no group on GeniusAuth; ask to be added to one, then start the login again',
      ],
      [26, 'no-identity', 'ncuos: this account has no identity on GeniusAuth; ask for one, then start the login again'],
    ] as const;
    for (const [code, reason, message] of cases) {
      emu.inject({ kind: 'json', status: 403, body: { code, msg: 'refused' } }, { path: '/api/v1/public/login/verify' });
      const res = await callbackWith(main, freshToken(8));
      expect(res.status).toBe(403);
      expect(res.body.info).toEqual({ code: 'ERR_DENIED', message, reason });
    }
  });

  it('wrong secret (6, confirmed by the signature check) → error ERR_CONFIG naming appCode/appSecret; clock skew (9) → ERR_PLATFORM', async () => {
    const wrong = build({ appSecret: 'wrong-secret-value' });
    const r1 = await callbackWith(wrong, freshToken(8));
    expect(r1.status).toBe(500);
    expect(r1.body).toMatchObject({ outcome: 'error', code: 'ERR_CONFIG' });
    expect(r1.body.message).toMatch(/"appCode"/);
    expect(r1.body.message).toMatch(/"appSecret"/);
    expect(r1.body.message).toContain(APP_CODE);
    expect(r1.text).not.toContain('wrong-secret-value');
    const skewed = build({ now: () => emu.clock.now() - 10 * 60_000 });
    const r2 = await callbackWith(skewed, freshToken(8));
    expect(r2.body).toMatchObject({ outcome: 'error', code: 'ERR_PLATFORM', message: expect.stringMatching(/clock/) });
  });

  it('sendClientIP sends the browser IP; the platform does not check it (a token issued to another IP still logs in)', async () => {
    emu.clearRequests();
    const ok = await callbackWith(withIp, freshToken(8));
    expect(ok.body.outcome).toBe('success');
    expect(emu.requests.at(-1)!.body).toMatchObject({ clientIp: '127.0.0.1' });
    // verify.go: the client-IP check (code 20) is commented out upstream since 2024-12
    const res = await callbackWith(withIp, freshToken(8, { ip: '203.0.113.7' }));
    expect(res.body.outcome).toBe('success');
    // the deprecated spelling still works
    emu.clearRequests();
    const legacy = build({ sendClientIp: true });
    expect((await callbackWith(legacy, freshToken(8))).body.outcome).toBe('success');
    expect(emu.requests.at(-1)!.body).toMatchObject({ clientIp: '127.0.0.1' });
  });

  it('grantType once → credentials carry no tokens; payload function → the tokens carry it', async () => {
    await callbackWith(once, freshToken(8));
    expect(seen[seen.length - 1].credentials).toEqual({ loginToken: expect.any(String) });
    const res = await callbackWith(payloadFn, freshToken(8), { 'x-cart': '42' });
    expect(res.body.outcome).toBe('success');
    const client = payloadFn.strategy.client;
    expect(await client.verifyAccessToken(seen[seen.length - 1].credentials.accessToken!)).toEqual({ uid: 8, payload: 'ua:42' });
  });

  it('a payload function returning 33+ characters → error ERR_CONFIG, no platform call; 32 is accepted', async () => {
    const long = build({ payload: () => 'x'.repeat(33) });
    emu.clearRequests();
    const res = await callbackWith(long, freshToken(8));
    expect(res.body).toMatchObject({ outcome: 'error', code: 'ERR_CONFIG' });
    expect(emu.requests).toHaveLength(0);
    const max = build({ payload: () => '载'.repeat(32) });
    const ok = await callbackWith(max, freshToken(8));
    expect(ok.body.outcome).toBe('success');
    const { accessToken } = seen[seen.length - 1].credentials;
    expect(await max.strategy.client.verifyAccessToken(accessToken!)).toEqual({ uid: 8, payload: '载'.repeat(32) });
  });

  it('construction validates options, naming them; Strategy is the same class; name defaults to ncuos', () => {
    const verify = async () => null;
    const base = { appCode: 'a', appSecret: 's' };
    expect(() => new NcuosStrategy({ ...base, appCode: '' }, verify)).toThrow(/"appCode"/);
    expect(() => new NcuosStrategy({ ...base, appSecret: '' }, verify)).toThrow(/"appSecret"/);
    expect(() => new NcuosStrategy({ ...base, baseURL: 'not a url' }, verify)).toThrow(/"baseURL"/);
    expect(() => new NcuosStrategy({ ...base, grantType: 'code' as 'once' }, verify)).toThrow(/"grantType"/);
    expect(() => new NcuosStrategy({ ...base, valid: 3600 }, verify)).toThrow(/"valid"/);
    expect(() => new NcuosStrategy({ ...base, valid: 2_592_001 }, verify)).toThrow(/"valid"/);
    expect(() => new NcuosStrategy({ ...base, grantType: 'once', valid: 604800 }, verify)).toThrow(/"valid"/);
    expect(() => new NcuosStrategy({ ...base, grantType: 'once', payload: 'p' }, verify)).toThrow(/"payload"/);
    expect(() => new NcuosStrategy({ ...base, payload: 'x'.repeat(33) }, verify)).toThrow(/"payload"/);
    expect(() => new NcuosStrategy({ ...base, payload: 'x'.repeat(32) }, verify)).not.toThrow();
    expect(() => new NcuosStrategy({ ...base, valid: 0 }, verify)).not.toThrow();
    expect(() => new NcuosStrategy({ ...base, valid: 604_799 }, verify)).toThrow(/"valid"/);
    expect(() => new NcuosStrategy({ ...base, payload: 5 as unknown as string }, verify)).toThrow(/"payload"/);
    expect(() => new NcuosStrategy({ ...base, sendClientIp: 'yes' as unknown as boolean }, verify)).toThrow(/"sendClientIp"/);
    expect(() => new NcuosStrategy({ ...base, sendClientIP: 'yes' as unknown as boolean }, verify)).toThrow(/"sendClientIP"/);
    expect(() => new NcuosStrategy({ ...base, sendClientIP: true, sendClientIp: false }, verify)).toThrow(/"sendClientIP"/);
    expect(() => new NcuosStrategy({ ...base, timeout: -1 }, verify)).toThrow(/"timeout"/);
    const s = new NcuosStrategy(base, verify);
    expect(s.name).toBe('ncuos');
    expect(s.client.loginURL()).toBe('https://v.ncuos.com/?appCode=a');
    expect(Strategy).toBe(NcuosStrategy);
  });
});

/** The shared conformance suite over one way the token arrives. */
function conformance(title: string, o: Pick<ConformanceTarget, 'credentialIn' | 'missingCredential'> & { userId: number }) {
  let emulator: NcuosEmulator;
  describeConformance({
    title,
    async startEmulator() {
      emulator = await startNcuosEmulator();
      return emulator;
    },
    createStrategy: (e, { timeout }) =>
      new NcuosStrategy(
        { appCode: DEFAULT_APP_CODE, appSecret: DEFAULT_APP_SECRET, baseURL: e.url, timeout, grantType: 'refresh_token' },
        async (_c, profile) => ({ id: profile.id }),
      ),
    credentialParam: 'token',
    credentialIn: o.credentialIn,
    missingCredential: o.missingCredential,
    async validCallback() {
      return { params: { token: emulator.issueLoginToken(o.userId) } };
    },
    secrets: [DEFAULT_APP_SECRET],
  });
}

// Conformance: the GET callback (missing token → redirect to the login page) …
conformance('ncuos (GET ?token=)', { missingCredential: 'redirect', userId: 8 });
// … and the SPA's POST body (missing token → fail).
conformance('ncuos (POST token)', { credentialIn: 'body', missingCredential: 'fail', userId: 9 });
