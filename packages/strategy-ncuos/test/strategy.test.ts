import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type NextFunction, type Request, type Response } from 'express';
import session from 'express-session';
import passport from 'passport';
import request from 'supertest';
import { countActions, describeConformance } from '@campus-passport/mock-platforms/testing';
import {
  DEFAULT_APP_CODE,
  DEFAULT_APP_SECRET,
  startNcuosEmulator,
  type NcuosEmulator,
} from '@campus-passport/mock-platforms/ncuos';
import { NcuosStrategy, Strategy, type NcuosCredentials, type NcuosProfile, type NcuosStrategyOptions } from '../src';

const APP_CODE = 'strategy-test-app';
const APP_SECRET = 'strategy-test-secret-5a1f9e';

let emu: NcuosEmulator;
let server: Server;
let origin = '';
let seq = 0;
const actions = new Map<string, string[]>();
const seen: Array<{ credentials: NcuosCredentials; profile: NcuosProfile }> = [];

/** Mount a strategy at /auth/<name> (GET start + callback, POST token for SPAs). */
function mount(app: express.Express, extra: Partial<NcuosStrategyOptions> = {}): string {
  const name = `ncuos-${++seq}`;
  const strategy = new NcuosStrategy(
    {
      appCode: APP_CODE,
      appSecret: APP_SECRET,
      baseURL: emu.url,
      name,
      now: () => emu.clock.now(),
      ...extra,
    } as NcuosStrategyOptions & {
      passReqToCallback?: false;
    },
    async (credentials, profile) => {
      seen.push({ credentials, profile });
      return { id: profile.id, name: profile.displayName, groups: profile.groups };
    },
  );
  passport.use(name, countActions(strategy, actions));
  const handler = (req: Request, res: Response, next: NextFunction) =>
    passport.authenticate(name, (err: Error & { code?: string }, user: unknown, info: { code?: string }, status?: number) => {
      if (err) return void res.status(500).json({ outcome: 'error', code: err.code, message: err.message });
      if (!user) return void res.status(status ?? 401).json({ outcome: 'fail', info });
      req.logIn(user as Express.User, (e) => (e ? next(e) : res.json({ outcome: 'success', user })));
    })(req, res, next);
  app.get(`/auth/${name}`, handler);
  app.get(`/auth/${name}/callback`, handler);
  app.post(`/auth/${name}/token`, handler);
  return name;
}

const app = express();
app.use(express.json());
app.use(express.urlencoded({ extended: false }));
app.use(session({ secret: 'ncuos-test-session', resave: false, saveUninitialized: false }));
app.use(passport.initialize());
app.use(passport.session());
passport.serializeUser((u, done) => done(null, u));
passport.deserializeUser((u: Express.User, done) => done(null, u));

let main = '';
let withIp = '';
let onceName = '';
let payloadFn = '';

beforeAll(async () => {
  emu = await startNcuosEmulator({ rateLimit: 0 });
  main = mount(app);
  withIp = mount(app, { sendClientIp: true });
  onceName = mount(app, { grantType: 'once' });
  payloadFn = mount(app, { payload: (req) => `ua:${String(req.headers['x-cart'] ?? 'none')}` });
  server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // the app's registered callback on the platform points at this test server
  emu.registerApp({ appCode: APP_CODE, appSecret: APP_SECRET, callbackURL: `${origin}/auth/${main}/callback` });
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  await emu.close();
});
afterEach(() => emu.clock.reset());

async function hit(req: request.Test) {
  const id = `s${++seq}`;
  const res = await req.set('x-test-id', id);
  await new Promise((r) => setTimeout(r, 20));
  expect(actions.get(id)).toHaveLength(1);
  return res;
}

describe('NcuosStrategy', () => {
  it('redirect and callback: start → login page → click a user → callback → success', async () => {
    const agent = request.agent(server);
    const start = await hit(agent.get(`/auth/${main}`));
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
    expect(`${callback.origin}${callback.pathname}`).toBe(`${origin}/auth/${main}/callback`);
    expect(callback.searchParams.get('token')).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);

    const done = await hit(agent.get(`${callback.pathname}${callback.search}`));
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
    const json = await hit(
      request(server)
        .post(`/auth/${main}/token`)
        .send({ token: emu.issueLoginToken(9, { appCode: APP_CODE }) }),
    );
    expect(json.body).toMatchObject({ outcome: 'success', user: { id: '9' } });
    const form = await hit(
      request(server)
        .post(`/auth/${main}/token`)
        .type('form')
        .send(`token=${emu.issueLoginToken(8, { appCode: APP_CODE })}`),
    );
    expect(form.body).toMatchObject({ outcome: 'success', user: { id: '8' } });
    const none = await hit(request(server).post(`/auth/${main}/token`).send({}));
    expect(none.status).toBe(400);
    expect(none.body).toMatchObject({ outcome: 'fail', info: { code: 'ERR_NO_CREDENTIAL' } });
  });

  it('reloading the callback URL (the login token is used up: code 6 / 401) → fail ERR_INVALID_CREDENTIAL 401, not an error', async () => {
    const cold = mount(app); // a strategy whose client has proved nothing yet
    const agent = request.agent(server);
    const start = await hit(agent.get(`/auth/${cold}`));
    const pageRes = await request(emu.url).get(new URL(start.headers.location).pathname + new URL(start.headers.location).search);
    expect(pageRes.status).toBe(200);
    const picked = await request(emu.url).get(`/login/authorize?appCode=${APP_CODE}&user=9`);
    const callback = new URL(picked.headers.location);
    const token = callback.searchParams.get('token')!;
    const url = `/auth/${cold}/callback?token=${token}`;
    emu.clearRequests();
    expect((await hit(agent.get(url))).body.outcome).toBe('success');
    for (let i = 0; i < 3; i++) {
      const reload = await hit(agent.get(url));
      expect(reload.status).toBe(401);
      expect(reload.body).toEqual({ outcome: 'fail', info: { code: 'ERR_INVALID_CREDENTIAL', message: expect.any(String) } });
    }
    // the successful verify proved the signature: reloads cost no extra platform call
    expect(emu.requests.map((r) => r.path)).toEqual(Array(4).fill('/api/v1/public/login/verify'));
  });

  it('a burst of reloads with no proof yet costs one signed GET /api/v1/app/keypair/server in all', async () => {
    const cold = mount(app);
    const token = emu.issueLoginToken(8, { appCode: APP_CODE });
    expect((await hit(request(server).get(`/auth/${main}/callback?token=${token}`))).body.outcome).toBe('success');
    emu.clearRequests();
    const burst = await Promise.all(
      Array.from({ length: 6 }, () => hit(request(server).get(`/auth/${cold}/callback?token=${token}`))),
    );
    for (const r of burst) expect([r.status, r.body.info?.code]).toEqual([401, 'ERR_INVALID_CREDENTIAL']);
    expect(emu.requests.filter((r) => r.path === '/api/v1/app/keypair/server')).toHaveLength(1);
  });

  it('used or expired token → fail ERR_INVALID_CREDENTIAL', async () => {
    const token = emu.issueLoginToken(8, { appCode: APP_CODE });
    expect((await hit(request(server).get(`/auth/${main}/callback?token=${token}`))).body.outcome).toBe('success');
    const used = await hit(request(server).get(`/auth/${main}/callback?token=${token}`));
    expect(used.status).toBe(401);
    expect(used.body).toEqual({ outcome: 'fail', info: { code: 'ERR_INVALID_CREDENTIAL', message: expect.any(String) } });
    const old = emu.issueLoginToken(8, { appCode: APP_CODE });
    emu.clock.advance(5 * 60_000 + 1);
    const expired = await hit(request(server).get(`/auth/${main}/callback?token=${old}`));
    expect(expired.body.info.code).toBe('ERR_INVALID_CREDENTIAL');
  });

  it('a user without group (7) or identity (26) is refused on the platform login page: the app never gets a token', async () => {
    const start = await hit(request(server).get(`/auth/${main}`));
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

  it('wrong secret (6, confirmed by the signature check) → error ERR_CONFIG naming appCode/appSecret; clock skew (9) → ERR_PLATFORM', async () => {
    const wrong = mount(app, { appSecret: 'wrong-secret-value' });
    const r1 = await hit(request(server).get(`/auth/${wrong}/callback?token=${emu.issueLoginToken(8, { appCode: APP_CODE })}`));
    expect(r1.status).toBe(500);
    expect(r1.body).toMatchObject({ outcome: 'error', code: 'ERR_CONFIG' });
    expect(r1.body.message).toMatch(/"appCode"/);
    expect(r1.body.message).toMatch(/"appSecret"/);
    expect(r1.body.message).toContain(APP_CODE);
    expect(r1.text).not.toContain('wrong-secret-value');
    const skewed = mount(app, { now: () => emu.clock.now() - 10 * 60_000 });
    const r2 = await hit(request(server).get(`/auth/${skewed}/callback?token=${emu.issueLoginToken(8, { appCode: APP_CODE })}`));
    expect(r2.body).toMatchObject({ outcome: 'error', code: 'ERR_PLATFORM', message: expect.stringMatching(/clock/) });
  });

  it('sendClientIp sends the browser IP; the platform does not check it (a token issued to another IP still logs in)', async () => {
    emu.clearRequests();
    const ok = await hit(request(server).get(`/auth/${withIp}/callback?token=${emu.issueLoginToken(8, { appCode: APP_CODE })}`));
    expect(ok.body.outcome).toBe('success');
    expect(emu.requests.at(-1)!.body).toMatchObject({ clientIp: '127.0.0.1' });
    // verify.go: the client-IP check (code 20) is commented out upstream since 2024-12
    const other = emu.issueLoginToken(8, { appCode: APP_CODE, ip: '203.0.113.7' });
    const res = await hit(request(server).get(`/auth/${withIp}/callback?token=${other}`));
    expect(res.body.outcome).toBe('success');
  });

  it('grantType once → credentials carry no tokens; payload function → the tokens carry it', async () => {
    await hit(request(server).get(`/auth/${onceName}/callback?token=${emu.issueLoginToken(8, { appCode: APP_CODE })}`));
    expect(seen[seen.length - 1].credentials).toEqual({ loginToken: expect.any(String) });
    const res = await hit(
      request(server)
        .get(`/auth/${payloadFn}/callback?token=${emu.issueLoginToken(8, { appCode: APP_CODE })}`)
        .set('x-cart', '42'),
    );
    expect(res.body.outcome).toBe('success');
    const strategy = passport as unknown as { _strategy(n: string): NcuosStrategy };
    const client = strategy._strategy(payloadFn).client;
    expect(await client.verifyAccessToken(seen[seen.length - 1].credentials.accessToken!)).toEqual({ uid: 8, payload: 'ua:42' });
  });

  it('a payload function returning 33+ characters → error ERR_CONFIG, no platform call; 32 is accepted', async () => {
    const long = mount(app, { payload: () => 'x'.repeat(33) });
    emu.clearRequests();
    const res = await hit(request(server).get(`/auth/${long}/callback?token=${emu.issueLoginToken(8, { appCode: APP_CODE })}`));
    expect(res.body).toMatchObject({ outcome: 'error', code: 'ERR_CONFIG' });
    expect(emu.requests).toHaveLength(0);
    const max = mount(app, { payload: () => '载'.repeat(32) });
    const ok = await hit(request(server).get(`/auth/${max}/callback?token=${emu.issueLoginToken(8, { appCode: APP_CODE })}`));
    expect(ok.body.outcome).toBe('success');
    const strategy = passport as unknown as { _strategy(n: string): NcuosStrategy };
    const { accessToken } = seen[seen.length - 1].credentials;
    expect(await strategy._strategy(max).client.verifyAccessToken(accessToken!)).toEqual({ uid: 8, payload: '载'.repeat(32) });
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
    expect(() => new NcuosStrategy({ ...base, timeout: -1 }, verify)).toThrow(/"timeout"/);
    const s = new NcuosStrategy(base, verify);
    expect(s.name).toBe('ncuos');
    expect(s.client.loginURL()).toBe('https://v.ncuos.com/?appCode=a');
    expect(Strategy).toBe(NcuosStrategy);
  });
});

// Conformance: the GET callback (missing token → redirect to the login page) …
let getEmu: NcuosEmulator;
describeConformance({
  title: 'ncuos (GET ?token=)',
  async startEmulator() {
    getEmu = await startNcuosEmulator();
    return getEmu;
  },
  createStrategy: (emulator, { timeout }) =>
    new NcuosStrategy(
      { appCode: DEFAULT_APP_CODE, appSecret: DEFAULT_APP_SECRET, baseURL: emulator.url, timeout },
      async (_c, profile) => ({ id: profile.id }),
    ),
  credentialParam: 'token',
  missingCredential: 'redirect',
  async validCallback() {
    return { params: { token: getEmu.issueLoginToken(8) } };
  },
  secrets: [DEFAULT_APP_SECRET],
});

// … and the SPA's POST body (missing token → fail).
let postEmu: NcuosEmulator;
describeConformance({
  title: 'ncuos (POST token)',
  async startEmulator() {
    postEmu = await startNcuosEmulator();
    return postEmu;
  },
  createStrategy: (emulator, { timeout }) =>
    new NcuosStrategy(
      { appCode: DEFAULT_APP_CODE, appSecret: DEFAULT_APP_SECRET, baseURL: emulator.url, timeout, grantType: 'refresh_token' },
      async (_c, profile) => ({ id: profile.id }),
    ),
  credentialParam: 'token',
  credentialIn: 'body',
  missingCredential: 'fail',
  async validCallback() {
    return { params: { token: postEmu.issueLoginToken(9) } };
  },
  secrets: [DEFAULT_APP_SECRET],
});
