import { createHash } from 'node:crypto';
import type { Server } from 'node:http';
import type express from 'express';
import supertest from 'supertest';
import { CampusAuthError, SessionStateStore, type StateStore, type VerifyFunction } from '@campus-passport/core';
import { STATE_MESSAGES } from '@campus-passport/core/kit';
import { describeConformance, strategyApp, useEmulator } from '@campus-passport/mock-platforms/testing';
import { ZAFU_DEFAULT_APP, ZAFU_USERS, startZafuEmulator } from '@campus-passport/mock-platforms/zafu';
import { Strategy, ZafuStrategy, type ZafuCredentials, type ZafuProfile, type ZafuStrategyOptions } from '../src';

type V = VerifyFunction<ZafuCredentials, ZafuProfile>;

/** What core's state store says for each refusal: every strategy prefixes exactly that with its name. */
const coreStateWording = async () => STATE_MESSAGES;

const { clientId, clientSecret } = ZAFU_DEFAULT_APP;
type Agent = InstanceType<typeof supertest.agent>;

const emulator = useEmulator(
  () => startZafuEmulator(),
  (e) => e.clock.reset(),
);
const servers: Server[] = [];
afterAll(() => Promise.all(servers.map((srv) => new Promise((r) => srv.close(r)))));

interface TestApp {
  strategy: ZafuStrategy;
  /** A cookie-keeping browser of this app (one port for every request). */
  agent(): Agent;
  /** One request; asserts the strategy took exactly one Passport action. */
  hit(agent: Agent, path: string): ReturnType<ReturnType<typeof strategyApp>['call']>;
}

/**
 * The kit's app, listening on 127.0.0.1 (one port for the whole flow, so the relative callbackURL
 * resolves to the same redirect_uri at /login and at /callback).
 */
async function appWith(verify: V, extra: Partial<ZafuStrategyOptions> = {}): Promise<TestApp> {
  const strategy = new ZafuStrategy(
    { clientID: clientId, clientSecret, baseURL: emulator.current.url, callbackURL: '/callback', timeout: 2000, ...extra },
    verify,
  );
  const kit = strategyApp(strategy, { prefix: 'zafu' });
  const server = await new Promise<Server>((resolve) => {
    const srv = kit.app.listen(0, '127.0.0.1', () => resolve(srv));
  });
  servers.push(server);
  return {
    strategy,
    agent: () => supertest.agent(server),
    hit: (agent, path) => kit.call('get', path, { agent }),
  };
}

/** Like a browser: /login → the emulator's authorize page → pick a user → back to /callback. */
async function startLogin(t: TestApp, agent: Agent, userId = ZAFU_USERS[0].id): Promise<{ authorize: URL; callback: string }> {
  const res = await t.hit(agent, '/login');
  expect(res.status).toBe(302);
  const authorize = new URL(res.headers.location);
  const form = new URLSearchParams(authorize.searchParams);
  form.set('user', userId);
  const chosen = await fetch(`${emulator.current.url}/oauth/authorize`, { method: 'POST', body: form, redirect: 'manual' });
  expect(chosen.status).toBe(302);
  const back = new URL(chosen.headers.get('location')!);
  return { authorize, callback: `${back.pathname}${back.search}` };
}

describe('ZafuStrategy: the authorization-code flow against the emulator', () => {
  it('redirects to /oauth/authorize with client_id, redirect_uri, scope and a state', async () => {
    const t = await appWith(async () => ({ id: 1 }), { scope: ['base', 'profile'] });
    const res = await t.hit(t.agent(), '/login');
    expect(res.status).toBe(302);
    const u = new URL(res.headers.location);
    expect(`${u.origin}${u.pathname}`).toBe(`${emulator.current.url}/oauth/authorize`);
    expect(u.searchParams.get('response_type')).toBe('code');
    expect(u.searchParams.get('client_id')).toBe(clientId);
    expect(u.searchParams.get('redirect_uri')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);
    expect(u.searchParams.get('scope')).toBe('base profile');
    expect(u.searchParams.get('state')).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(u.searchParams.has('code_challenge')).toBe(false);
    expect(res.headers['set-cookie']).toBeDefined(); // the state was saved in the session before the redirect
  });

  it('logs in end to end: code exchange (client auth in the body), user info, profile, credentials', async () => {
    let seen: unknown;
    const t = await appWith(async (credentials, profile) => {
      seen = { credentials, profile };
      return { id: profile.id, name: profile.displayName };
    });
    const agent = t.agent();
    const { callback } = await startLogin(t, agent, ZAFU_USERS[2].id);
    const res = await t.hit(agent, callback);
    expect(res.body).toMatchObject({ outcome: 'success', user: { id: '200001', name: '王建国' } });
    expect(seen).toMatchObject({
      credentials: { accessToken: expect.any(String), refreshToken: expect.any(String), tokenType: 'bearer', expiresIn: 7200 },
      profile: {
        provider: 'zafu',
        id: '200001',
        displayName: '王建国',
        xgh: 'T2008012',
        userType: '教师',
        department: '环境与资源学院',
      },
    });
    const token = [...emulator.current.requests].reverse().find((r) => r.path === '/oauth/token')!;
    expect(token.headers['content-type']).toContain('application/x-www-form-urlencoded');
    expect(token.body).toMatchObject({
      grant_type: 'authorization_code',
      code: expect.any(String),
      redirect_uri: expect.stringMatching(/\/callback$/),
      client_id: clientId,
      client_secret: clientSecret,
    });
    const info = [...emulator.current.requests].reverse().find((r) => r.path === '/oauth/userinfo')!;
    expect(info.headers.authorization).toMatch(/^Bearer /);
  });

  it("PKCE (S256) and clientAuth 'basic': the challenge goes out, the verifier comes back", async () => {
    const t = await appWith(async (_c, p) => ({ id: p.id }), { pkce: true, clientAuth: 'basic' });
    const agent = t.agent();
    const { authorize, callback } = await startLogin(t, agent);
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    const challenge = authorize.searchParams.get('code_challenge')!;
    const res = await t.hit(agent, callback);
    expect(res.body).toMatchObject({ outcome: 'success', user: { id: ZAFU_USERS[0].id } });
    const token = [...emulator.current.requests].reverse().find((r) => r.path === '/oauth/token')!;
    const body = token.body as Record<string, string>;
    expect(createHash('sha256').update(body.code_verifier).digest('base64url')).toBe(challenge);
    expect(body.client_secret).toBeUndefined();
    expect(Buffer.from(token.headers.authorization.slice(6), 'base64').toString()).toBe(`${clientId}:${clientSecret}`);
  });

  it('PKCE: a code whose verifier does not match fails ERR_INVALID_CREDENTIAL', async () => {
    const t = await appWith(async () => ({ id: 1 }), { pkce: true });
    const agent = t.agent();
    const res = await t.hit(agent, '/login');
    const authorize = new URL(res.headers.location);
    const state = authorize.searchParams.get('state')!;
    // a code issued for the same client and redirect_uri but another challenge (an injected code)
    const redirectUri = authorize.searchParams.get('redirect_uri')!;
    const injected = new URL(
      emulator.current.authorize({ redirectUri, codeChallenge: 'A'.repeat(43), codeChallengeMethod: 'S256' }),
    ).searchParams.get('code')!;
    const out = await t.hit(agent, `/callback?code=${injected}&state=${state}`);
    expect(out.status).toBe(401);
    expect(out.body.info).toEqual({ message: expect.any(String), code: 'ERR_INVALID_CREDENTIAL' });
    expect([...emulator.current.requests].reverse().find((r) => r.path === '/oauth/token')!.body).toMatchObject({
      code: injected,
      redirect_uri: redirectUri,
      code_verifier: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
    });
  });

  it('state: two tabs do not collide; a replayed, foreign or missing state fails ERR_STATE (403)', async () => {
    const t = await appWith(async (_c, p) => ({ id: p.id }));
    const agent = t.agent();
    const tab1 = await startLogin(t, agent);
    const tab2 = await startLogin(t, agent, ZAFU_USERS[1].id);
    expect((await t.hit(agent, tab2.callback)).body.user).toEqual({ id: ZAFU_USERS[1].id });
    expect((await t.hit(agent, tab1.callback)).body.user).toEqual({ id: ZAFU_USERS[0].id });
    const wording = await coreStateWording();
    const replay = await t.hit(agent, tab1.callback);
    expect(replay.status).toBe(403);
    expect(replay.body.info).toEqual({ code: 'ERR_STATE', message: `zafu: ${wording.used}`, reason: 'used' });
    expect(replay.body.info.message).toMatch(/already used/);

    const other = t.agent(); // another browser: the state is not in its session
    const foreign = await startLogin(t, agent);
    expect((await t.hit(other, foreign.callback)).body.info).toEqual({
      code: 'ERR_STATE',
      message: `zafu: ${wording.unknown}`,
      reason: 'unknown',
    });
    const noState = (await startLogin(t, agent)).callback.replace(/&state=[^&]+/, '');
    expect((await t.hit(agent, noState)).body.info).toEqual({
      code: 'ERR_STATE',
      message: `zafu: ${wording.missing}`,
      reason: 'missing',
    });
    const twice = await startLogin(t, agent);
    const dup = `${twice.callback}&state=${new URLSearchParams(twice.callback.split('?')[1]).get('state')}`;
    expect((await t.hit(agent, dup)).body.info).toMatchObject({ code: 'ERR_STATE' });
  });

  it('an expired state (10 min) fails ERR_STATE', async () => {
    let now = Date.now();
    const store: StateStore = new SessionStateStore({ key: 'zafu-exp', now: () => now });
    const t = await appWith(async () => ({ id: 1 }), { stateStore: store });
    const agent = t.agent();
    const { callback } = await startLogin(t, agent);
    now += 10 * 60_000 + 1;
    const info = (await t.hit(agent, callback)).body.info;
    expect(info).toEqual({ code: 'ERR_STATE', message: `zafu: ${(await coreStateWording()).expired}`, reason: 'expired' });
    expect(info.message).toMatch(/expired/);
  });

  it('the user denies at ZAFU → fail ERR_DENIED (403); another error → error ERR_PLATFORM', async () => {
    const t = await appWith(async () => ({ id: 1 }));
    const agent = t.agent();
    const res = await t.hit(agent, '/login');
    const form = new URLSearchParams(new URL(res.headers.location).searchParams);
    form.set('deny', '1');
    const denied = await fetch(`${emulator.current.url}/oauth/authorize`, { method: 'POST', body: form, redirect: 'manual' });
    const back = new URL(denied.headers.get('location')!);
    expect(back.searchParams.get('error')).toBe('access_denied');
    const out = await t.hit(agent, `${back.pathname}${back.search}`);
    expect(out.status).toBe(403);
    expect(out.body.info).toEqual({
      message: 'zafu: the user declined the login; start the login again to allow it',
      code: 'ERR_DENIED',
      reason: 'declined',
    });
    const other = await t.hit(agent, '/callback?error=server_error&error_description=boom');
    expect(other.body).toMatchObject({ outcome: 'error', code: 'ERR_PLATFORM' });
  });

  it('a used or expired code fails ERR_INVALID_CREDENTIAL', async () => {
    const t = await appWith(async () => ({ id: 1 }));
    const agent = t.agent();
    const { callback } = await startLogin(t, agent);
    emulator.current.clock.advance(5 * 60_000 + 1);
    expect((await t.hit(agent, callback)).body.info).toEqual({
      code: 'ERR_INVALID_CREDENTIAL',
      message: 'zafu: the authorization code is invalid, expired or already used; start the login again',
    });
  });

  it('user-info failures are errors; a profileFields mapping is applied', async () => {
    const t = await appWith(async (_c, p) => ({ p }), { profileFields: { displayName: 'xgh', department: ['nope'] } });
    const agent = t.agent();
    let { callback } = await startLogin(t, agent);
    const ok = await t.hit(agent, callback);
    expect(ok.body.user.p).toMatchObject({ displayName: ZAFU_USERS[0].xgh });
    expect(ok.body.user.p.department).toBeUndefined();
    ({ callback } = await startLogin(t, agent));
    emulator.current.inject({ kind: 'json', status: 401, body: { error: 'invalid_token' } }, { path: '/oauth/userinfo' });
    expect((await t.hit(agent, callback)).body).toMatchObject({ outcome: 'error', code: 'ERR_PLATFORM' });
  });
});

describe('ZafuStrategy: verify', () => {
  async function login(verify: V, extra: Partial<ZafuStrategyOptions> = {}) {
    const t = await appWith(verify, extra);
    const agent = t.agent();
    const { callback } = await startLogin(t, agent);
    return t.hit(agent, callback);
  }

  it('callback style with info; Promise style; a plain returned value', async () => {
    expect((await login((_c, p, done) => done(null, { id: p.id }, { message: 'hi' }))).body).toMatchObject({
      user: { id: ZAFU_USERS[0].id },
      info: { message: 'hi' },
    });
    expect((await login(async (c) => ({ t: typeof c.accessToken }))).body.user).toEqual({ t: 'string' });
    expect((await login(((_c: unknown, p: { id: string }) => ({ sync: p.id })) as unknown as V)).body.user).toEqual({
      sync: ZAFU_USERS[0].id,
    });
  });

  it('passReqToCallback gives the request first, in both styles; never chosen by verify.length', async () => {
    const cb = ((req: express.Request, c: { accessToken: string }, _p: unknown, done: (e: unknown, u: unknown) => void) =>
      done(null, { hasReq: typeof req.query.code === 'string', hasToken: !!c.accessToken })) as unknown as V;
    expect((await login(cb, { passReqToCallback: true })).body.user).toEqual({ hasReq: true, hasToken: true });
    const pr = (async (req: express.Request) => ({ state: typeof req.query.state })) as unknown as V;
    expect((await login(pr, { passReqToCallback: true })).body.user).toEqual({ state: 'string' });
    const rest = ((...args: unknown[]) => (args[2] as (e: unknown, u: unknown) => void)(null, { n: args.length })) as V;
    expect((await login(rest)).body.user).toEqual({ n: 3 });
  });

  it('false → fail 401 with the default ERR_DENIED info or verify’s own info', async () => {
    const a = await login(async () => false);
    expect(a.status).toBe(401);
    expect(a.body.info).toEqual({ message: expect.any(String), code: 'ERR_DENIED' });
    const b = await login((_c, _p, done) => done(null, false, { message: 'not here', code: 'APP_DENIED' }));
    expect(b.body.info).toEqual({ message: 'not here', code: 'APP_DENIED' });
  });

  it("verify's errors pass through untouched (even a CampusAuthError user code); done twice → one action", async () => {
    expect((await login(async () => Promise.reject(new Error('db down')))).body).toMatchObject({
      outcome: 'error',
      message: 'db down',
    });
    const own = new CampusAuthError('ERR_DENIED', 'app said no');
    expect(
      (
        await login(() => {
          throw own;
        })
      ).body,
    ).toMatchObject({ outcome: 'error', code: 'ERR_DENIED' });
    const twice = await login((_c, _p, done) => {
      done(null, { first: true });
      done(null, { second: true });
    });
    expect(twice.body.user).toEqual({ first: true });
  });
});

describe('ZafuStrategy: construction', () => {
  const ok = { clientID: 'id', clientSecret: 'secret' };
  const v = async () => null;
  it('defaults: name zafu, endpoints under open.zafu.edu.cn (unconfirmed)', () => {
    const s = new ZafuStrategy(ok, v);
    expect(s.name).toBe('zafu');
    expect(Strategy).toBe(ZafuStrategy);
    expect(s.authorizationURL).toBe('https://open.zafu.edu.cn/oauth/authorize');
  });
  it('validates options with ERR_CONFIG naming the option', () => {
    const bad: Array<[Partial<ZafuStrategyOptions>, RegExp]> = [
      [{ clientID: '' }, /"clientID"/],
      [{ clientSecret: undefined }, /"clientSecret"/],
      [{ authorizationURL: '/relative' }, /"authorizationURL"/],
      [{ tokenURL: 'ftp://x' }, /"tokenURL"/],
      [{ userInfoURL: 'nope' }, /"userInfoURL"/],
      [{ baseURL: 'x' }, /"baseURL"/],
      [{ clientAuth: 'jwt' as 'body' }, /"clientAuth"/],
      [{ scope: 3 as unknown as string }, /"scope"/],
      [{ pkce: 'S256' as unknown as boolean }, /"pkce"/],
      [{ timeout: -1 }, /"timeout"/],
      [{ name: '' }, /"name"/],
      [{ profileFields: { email: 'mail' } as never }, /unknown field "email"/],
      [{ profileFields: { id: [] } }, /"profileFields.id"/],
      [{ stateStore: {} as StateStore }, /"stateStore"/],
    ];
    for (const [o, re] of bad) {
      expect(() => new ZafuStrategy({ ...ok, ...o } as ZafuStrategyOptions, v)).toThrow(re);
    }
    expect(() => new ZafuStrategy(ok, 'x' as unknown as V)).toThrow(/verify must be a function/);
    try {
      new ZafuStrategy({ ...ok, clientID: '' }, v);
    } catch (err) {
      expect((err as CampusAuthError).code).toBe('ERR_CONFIG');
    }
  });
});

// The conformance matrix.
describeConformance({
  title: 'zafu strategy',
  startEmulator: () => startZafuEmulator(),
  createStrategy: (emu, { timeout }) =>
    new ZafuStrategy(
      // absolute: the matrix's supertest agent may serve each request on a new port
      {
        clientID: clientId,
        clientSecret,
        baseURL: emu.url,
        callbackURL: 'http://localhost:3000/callback',
        timeout,
        pkce: true,
      },
      async (_c, profile) => ({ id: profile.id }),
    ),
  credentialParam: 'code',
  missingCredential: 'redirect',
  async validCallback({ agent, emulator: emu }) {
    const res = await agent.get('/login');
    const authorize = new URL(res.headers.location);
    const form = new URLSearchParams(authorize.searchParams);
    form.set('user', ZAFU_USERS[0].id);
    const chosen = await fetch(`${emu.url}/oauth/authorize`, { method: 'POST', body: form, redirect: 'manual' });
    const back = new URL(chosen.headers.get('location')!);
    return { params: Object.fromEntries(back.searchParams) };
  },
  secrets: [clientSecret],
});
