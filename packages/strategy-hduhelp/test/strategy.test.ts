import { CampusAuthError, SessionStateStore, type VerifyFunction } from '@campus-passport/core';
import { STATE_MESSAGES } from '@campus-passport/core/kit';
import {
  HDUHELP_CLIENT_ID,
  HDUHELP_CLIENT_SECRET,
  HDUHELP_NEO_APP_ID,
  HDUHELP_NEO_APP_SECRET,
  HDUHELP_USERS,
  startHduhelpEmulator,
  type HduHelpEmulator,
} from '@campus-passport/mock-platforms/hduhelp';
import { useEmulator } from '@campus-passport/mock-platforms/testing';
import { HduHelpStrategy, Strategy, type HduHelpCredentials, type HduHelpProfile, type HduHelpStrategyOptions } from '../src';
import { agentFor, appFor, approve, browserOf, callback, startLogin, walk, withParam } from './helpers';

const started = useEmulator(startHduhelpEmulator, (e) => e.clock.reset());
let emu: HduHelpEmulator;
beforeAll(() => {
  emu = started.current;
});

const [UNDERGRAD, GRAD, STAFF] = HDUHELP_USERS;

type Opts = Partial<HduHelpStrategyOptions>;
type Verify = VerifyFunction<HduHelpCredentials, HduHelpProfile>;
const echo = async (credentials: HduHelpCredentials, profile: HduHelpProfile) => ({ credentials, profile });

function classic(opts: Opts = {}, verify: Verify = echo) {
  return new HduHelpStrategy(
    { clientID: HDUHELP_CLIENT_ID, clientSecret: HDUHELP_CLIENT_SECRET, callbackURL: '/callback', baseURL: emu.url, ...opts },
    verify,
  );
}
function neo(opts: Opts = {}, verify: Verify = echo) {
  return classic({ api: 'neo', clientID: HDUHELP_NEO_APP_ID, clientSecret: HDUHELP_NEO_APP_SECRET, ...opts }, verify);
}
const paths = (since: number) => emu.requests.slice(since).map((r) => `${r.method} ${r.path}`);

/** What core's state store says for each refusal: every strategy prefixes exactly that with its name. */
const coreStateWording = async () => STATE_MESSAGES;

describe('HduHelpStrategy: the redirect', () => {
  it('classic: redirects to /oauth/authorize with response_type, client_id, absolute redirect_uri and a state', async () => {
    const url = await startLogin(agentFor(classic()));
    expect(`${url.origin}${url.pathname}`).toBe(`${emu.url}/oauth/authorize`);
    const q = Object.fromEntries(url.searchParams);
    expect(Object.keys(q).sort()).toEqual(['client_id', 'redirect_uri', 'response_type', 'state']);
    expect(q.response_type).toBe('code');
    expect(q.client_id).toBe(HDUHELP_CLIENT_ID);
    expect(q.redirect_uri).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);
    expect(q.state).toMatch(/^[A-Za-z0-9_-]{16,}$/);
    expect(url.toString()).not.toContain(HDUHELP_CLIENT_SECRET);
  });

  it('every login gets a new state', async () => {
    const agent = agentFor(classic());
    const a = (await startLogin(agent)).searchParams.get('state');
    const b = (await startLogin(agent)).searchParams.get('state');
    expect(a).not.toBe(b);
  });

  it('an absolute callbackURL is used as is; authenticate({ callbackURL }) overrides it', async () => {
    const url = await startLogin(agentFor(classic({ callbackURL: 'http://localhost:3000/auth/hdu/cb' })));
    expect(url.searchParams.get('redirect_uri')).toBe('http://localhost:3000/auth/hdu/cb');
    const override = appFor(classic(), { authenticate: { session: false, callbackURL: '/other/cb' } });
    const res = await override.call('get', '/login');
    expect(new URL(res.headers.location).searchParams.get('redirect_uri')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/other\/cb$/);
  });

  it('neo: authorize with app_id, comma-separated scope, state and PKCE S256', async () => {
    const url = await startLogin(agentFor(neo({ scope: ['user:read', 'profile:read'] })));
    expect(url.pathname).toBe('/hduhelp-neo/open-apis/authen/authorize');
    const q = Object.fromEntries(url.searchParams);
    expect(q).toMatchObject({
      app_id: HDUHELP_NEO_APP_ID,
      response_type: 'code',
      scope: 'user:read,profile:read',
      code_challenge_method: 'S256',
    });
    expect(q.code_challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(q.state).toBeTruthy();
    expect(q).not.toHaveProperty('client_id');
  });

  it('neo with pkce: false sends no challenge', async () => {
    const url = await startLogin(agentFor(neo({ pkce: false })));
    expect(url.searchParams.has('code_challenge')).toBe(false);
    expect(url.searchParams.has('code_challenge_method')).toBe(false);
  });

  it('without a session the redirect is an ERR_CONFIG error that says so', async () => {
    const res = await agentFor(classic(), { session: false }).get('/login');
    expect(res.status).toBe(500);
    expect(res.body).toMatchObject({ outcome: 'error', code: 'ERR_CONFIG' });
    expect(res.body.message).toMatch(/session/);
  });
});

describe('HduHelpStrategy: successful logins', () => {
  it('classic: token by GET with the state, person info with "token" header → credentials and profile', async () => {
    const agent = agentFor(classic());
    const back = await walk(agent, UNDERGRAD.userId);
    const since = emu.requests.length;
    const res = await callback(agent, back);
    expect(res.action).toBe('success');
    const { credentials, profile } = res.body.user;
    expect(credentials).toEqual({
      accessToken: expect.any(String),
      refreshToken: expect.any(String),
      accessTokenExpiresAt: expect.any(Number),
      refreshTokenExpiresAt: expect.any(Number),
      staffId: UNDERGRAD.staffId,
      userId: UNDERGRAD.userId,
    });
    expect(credentials.accessTokenExpiresAt).toBeGreaterThan(Date.now());
    expect(profile).toMatchObject({
      provider: 'hduhelp',
      id: UNDERGRAD.userId,
      displayName: '张三',
      staffId: UNDERGRAD.staffId,
      staffName: '张三',
      staffType: 1,
      staffTypeLabel: 'undergraduate',
      staffState: '在校',
      unitCode: '05',
      _json: { staffId: UNDERGRAD.staffId },
    });
    expect(JSON.parse(profile._raw)).toMatchObject({ error: 0, data: { staffId: UNDERGRAD.staffId } });
    expect(paths(since)).toEqual(['GET /oauth/token', 'GET /salmon_base/person/info']);
    const [tokenCall, personCall] = emu.requests.slice(since);
    expect(tokenCall.query).toMatchObject({
      client_id: HDUHELP_CLIENT_ID,
      client_secret: HDUHELP_CLIENT_SECRET,
      grant_type: 'authorization_code',
      state: new URL(back, 'http://x').searchParams.get('state'),
    });
    expect(personCall.headers.authorization).toBe(`token ${credentials.accessToken}`);
  });

  it('classic with profile: "token" → one platform call, profile from the token answer, no tokens in it', async () => {
    const agent = agentFor(classic({ profile: 'token' }));
    const back = await walk(agent, GRAD.userId);
    const since = emu.requests.length;
    const res = await callback(agent, back);
    expect(res.action).toBe('success');
    expect(paths(since)).toEqual(['GET /oauth/token']);
    const { credentials, profile } = res.body.user;
    expect(profile).toMatchObject({
      provider: 'hduhelp',
      id: GRAD.userId,
      displayName: '李四',
      staffId: GRAD.staffId,
      staffType: 2,
      staffTypeLabel: 'graduate',
    });
    expect(JSON.stringify(profile)).not.toContain(credentials.accessToken);
    expect(JSON.stringify(profile)).not.toContain(credentials.refreshToken);
  });

  it('classic with the deprecated personInfoPath reads the upper-case shape', async () => {
    const agent = agentFor(classic({ personInfoPath: '/base/person/info' }));
    const res = await callback(agent, await walk(agent, STAFF.userId));
    expect(res.body.user.profile).toMatchObject({
      id: STAFF.userId,
      staffId: STAFF.staffId,
      staffName: '王老师',
      staffType: 3,
      staffTypeLabel: 'staff',
      unitName: '计算机学院',
      _json: { STAFFID: STAFF.staffId },
    });
  });

  it('neo: PKCE verifier from the state, token by POST form, user-info with Bearer', async () => {
    const agent = agentFor(neo({ scope: 'user:read' }));
    const back = await walk(agent, STAFF.userId);
    const since = emu.requests.length;
    const res = await callback(agent, back);
    expect(res.action).toBe('success');
    expect(paths(since)).toEqual([
      'POST /hduhelp-neo/open-apis/authen/access-token',
      'GET /hduhelp-neo/open-apis/authen/user-info',
    ]);
    const [tokenCall, userCall] = emu.requests.slice(since);
    expect(tokenCall.body).toMatchObject({
      grant_type: 'authorization_code',
      app_id: HDUHELP_NEO_APP_ID,
      code_verifier: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
    });
    const { credentials, profile } = res.body.user;
    expect(userCall.headers.authorization).toBe(`Bearer ${credentials.accessToken}`);
    expect(credentials).toMatchObject({ userId: STAFF.userId, staffId: STAFF.staffId, refreshToken: expect.any(String) });
    expect(profile).toMatchObject({ provider: 'hduhelp', id: STAFF.userId, displayName: '王老师', school: '杭州电子科技大学' });
  });

  it('neo without PKCE also logs in', async () => {
    const agent = agentFor(neo({ pkce: false }));
    expect((await callback(agent, await walk(agent, UNDERGRAD.userId))).action).toBe('success');
  });
});

describe('HduHelpStrategy: state', () => {
  it('missing state → fail ERR_STATE 403, and the code is not spent', async () => {
    const agent = agentFor(classic());
    const back = await walk(agent, UNDERGRAD.userId);
    const since = emu.requests.length;
    const res = await callback(agent, withParam(back, 'state', undefined));
    expect(res.status).toBe(403);
    const message = `hduhelp: ${(await coreStateWording()).missing}`;
    expect(res.body).toEqual({
      outcome: 'fail',
      code: 'ERR_STATE',
      message,
      info: { code: 'ERR_STATE', message, reason: 'missing' },
    });
    expect(paths(since)).toEqual([]);
  });

  it("an unknown (forged) state → fail ERR_STATE, reason unknown, in core's words", async () => {
    const agent = agentFor(classic());
    const back = await walk(agent, UNDERGRAD.userId);
    const res = await callback(agent, withParam(back, 'state', 'forged-state-0123456789abcdef'));
    expect(res.status).toBe(403);
    expect(res.body.info).toEqual({
      code: 'ERR_STATE',
      message: `hduhelp: ${(await coreStateWording()).unknown}`,
      reason: 'unknown',
    });
  });

  it('mismatched state → fail ERR_STATE', async () => {
    const agent = agentFor(classic());
    const back = await walk(agent, UNDERGRAD.userId);
    const res = await callback(agent, withParam(back, 'state', 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'));
    expect(res.body.info.code).toBe('ERR_STATE');
  });

  it('a state from another session → fail ERR_STATE', async () => {
    const app = appFor(classic());
    const alice = browserOf(app);
    const mallory = browserOf(app);
    await startLogin(mallory); // mallory has a session too
    const back = await walk(alice, UNDERGRAD.userId);
    expect((await callback(mallory, back)).body.info.code).toBe('ERR_STATE');
  });

  it('a reused state → fail ERR_STATE (single use)', async () => {
    const agent = agentFor(classic());
    const back = await walk(agent, UNDERGRAD.userId);
    expect((await callback(agent, back)).action).toBe('success');
    const again = await callback(agent, back);
    const message = `hduhelp: ${(await coreStateWording()).used}`;
    expect(message).toMatch(/already used/);
    expect(again.body).toEqual({
      outcome: 'fail',
      code: 'ERR_STATE',
      message,
      info: { code: 'ERR_STATE', message, reason: 'used' },
    });
  });

  it('an expired state → fail ERR_STATE (custom stateStore with its own clock)', async () => {
    let now = Date.now();
    const stateStore = new SessionStateStore({ key: 'hdu-expiry', ttl: 60_000, now: () => now });
    const agent = agentFor(classic({ stateStore }));
    const back = await walk(agent, UNDERGRAD.userId);
    now += 60_001;
    const res = await callback(agent, back);
    expect(res.body.info).toEqual({
      code: 'ERR_STATE',
      message: `hduhelp: ${(await coreStateWording()).expired}`,
      reason: 'expired',
    });
    expect(res.body.info.message).toMatch(/expired/);
  });

  it('a malformed (repeated) state → fail ERR_STATE', async () => {
    const agent = agentFor(classic());
    const back = await walk(agent, UNDERGRAD.userId);
    const res = await callback(agent, `${back}&state=again`);
    expect(res.body.info.code).toBe('ERR_STATE');
  });

  it('two tabs in one session: both logins finish, in either order', async () => {
    const agent = agentFor(classic());
    const tab1 = await startLogin(agent);
    const tab2 = await startLogin(agent);
    const back2 = await approve(tab2, GRAD.userId);
    const back1 = await approve(tab1, UNDERGRAD.userId);
    const r2 = await callback(agent, `${back2.pathname}${back2.search}`);
    const r1 = await callback(agent, `${back1.pathname}${back1.search}`);
    expect(r2.body.user.profile.id).toBe(GRAD.userId);
    expect(r1.body.user.profile.id).toBe(UNDERGRAD.userId);
  });

  it('neo: the verifier travels in the state; a mismatched state never reaches the token call', async () => {
    const agent = agentFor(neo());
    const back = await walk(agent, UNDERGRAD.userId);
    const since = emu.requests.length;
    expect((await callback(agent, withParam(back, 'state', 'BBBBBBBBBBBBBBBBBBBBBBBB'))).body.info.code).toBe('ERR_STATE');
    expect(paths(since)).toEqual([]);
  });
});

describe('HduHelpStrategy: serverVerify', () => {
  /** The gateway's jump: GET the emulator's jump link (as the browser would), return the 302 target. */
  async function jump(user = UNDERGRAD.userId): Promise<string> {
    emu.setDefaultRedirect(HDUHELP_CLIENT_ID, 'http://127.0.0.1/callback');
    const res = await fetch(emu.serverVerifyURL(HDUHELP_CLIENT_ID, user), { redirect: 'manual' });
    await res.text();
    expect(res.status).toBe(302);
    const loc = new URL(res.headers.get('location')!);
    expect(loc.searchParams.get('serverVerify')).toBe('true');
    expect(loc.searchParams.has('state')).toBe(false);
    return `${loc.pathname}${loc.search}`;
  }
  // a 302 cannot set the browser's Referer in supertest: set it as the browser would
  const fromPlatform = () => ({ Referer: `${emu.url}/oauth/server-verify` });

  it('on: a jump with serverVerify=true and a platform Referer logs in without state', async () => {
    const agent = agentFor(classic({ serverVerify: true }));
    const res = await callback(agent, await jump(GRAD.userId), fromPlatform());
    expect(res.action).toBe('success');
    expect(res.body.user.profile.id).toBe(GRAD.userId);
  });

  it('on: a forged Referer, or none, → fail ERR_STATE before any platform call', async () => {
    const agent = agentFor(classic({ serverVerify: true }));
    const back = await jump();
    const since = emu.requests.length;
    const forged = await callback(agent, back, { Referer: 'https://evil.example/oauth/server-verify' });
    expect(forged.status).toBe(403);
    expect(forged.body.info.code).toBe('ERR_STATE');
    const lookalike = await callback(agent, back, { Referer: `${emu.url}.evil.example/` });
    expect(lookalike.body.info.code).toBe('ERR_STATE');
    const none = await callback(agent, back);
    expect(none.body.info).toEqual({
      code: 'ERR_STATE',
      message: 'hduhelp: the signed-in shortcut (serverVerify) did not come from HDU Helper; start the login again',
    });
    expect(paths(since)).toEqual([]);
  });

  it('off (default): serverVerify=true is ignored and state is required → fail ERR_STATE', async () => {
    const agent = agentFor(classic());
    const res = await callback(agent, await jump(), fromPlatform());
    expect(res.body.info.code).toBe('ERR_STATE');
  });

  it('on: a normal callback still needs its state', async () => {
    const agent = agentFor(classic({ serverVerify: true }));
    const back = await walk(agent, UNDERGRAD.userId);
    expect((await callback(agent, withParam(back, 'state', undefined), fromPlatform())).body.info.code).toBe('ERR_STATE');
    const ok = await callback(agent, await walk(agent, UNDERGRAD.userId));
    expect(ok.action).toBe('success');
  });

  it('serverVerify as a function decides the origin check itself', async () => {
    const agent = agentFor(classic({ serverVerify: (req) => req.headers['x-gateway'] === 'hduhelp' }));
    expect((await callback(agent, await jump(), { 'x-gateway': 'nope' })).body.info.code).toBe('ERR_STATE');
    expect((await callback(agent, await jump(), { 'x-gateway': 'hduhelp' })).action).toBe('success');
  });

  it('serverVerifyOrigin replaces the default origin', async () => {
    const agent = agentFor(classic({ serverVerify: true, serverVerifyOrigin: ['https://app.hduhelp.com'] }));
    expect((await callback(agent, await jump(), fromPlatform())).body.info.code).toBe('ERR_STATE');
    const ok = await callback(agent, await jump(), { Referer: 'https://app.hduhelp.com/home' });
    expect(ok.action).toBe('success');
  });
});

describe('HduHelpStrategy: refusals', () => {
  it('the user denies → fail ERR_DENIED 403', async () => {
    const agent = agentFor(classic());
    const back = await approve(await startLogin(agent), { deny: true });
    expect(back.searchParams.get('error')).toBe('access_denied');
    const res = await callback(agent, `${back.pathname}${back.search}`);
    expect(res.status).toBe(403);
    expect(res.body.info).toEqual({
      code: 'ERR_DENIED',
      message: 'hduhelp: the user declined the login; start the login again to allow it',
      reason: 'declined',
    });
  });

  it('any other ?error= → error ERR_PLATFORM carrying the platform code', async () => {
    const agent = agentFor(classic());
    const res = await callback(agent, '/callback?error=server_error&error_description=boom&state=x');
    expect(res.action).toBe('error');
    expect(res.body).toMatchObject({ code: 'ERR_PLATFORM', json: { platformCode: 'server_error', platformMessage: 'boom' } });
  });

  it('a callback without code and error redirects to authorize again', async () => {
    const agent = agentFor(classic());
    const res = await callback(agent, '/callback?state=whatever');
    expect(res.action).toBe('redirect');
    expect(res.headers.location).toContain(`${emu.url}/oauth/authorize?`);
  });

  it('an invalid code → fail ERR_INVALID_CREDENTIAL (error≠0 with HTTP 200)', async () => {
    const agent = agentFor(classic());
    const back = await walk(agent, UNDERGRAD.userId);
    const res = await callback(agent, withParam(back, 'code', 'ffffffffffffffffffffffffffffffff'));
    expect(res.status).toBe(401);
    expect(res.body.info.code).toBe('ERR_INVALID_CREDENTIAL');
  });

  it('a used code (with a fresh state) → fail ERR_INVALID_CREDENTIAL', async () => {
    const agent = agentFor(classic());
    const first = await walk(agent, UNDERGRAD.userId);
    expect((await callback(agent, first)).action).toBe('success');
    const second = await walk(agent, UNDERGRAD.userId);
    const code = new URL(first, 'http://x').searchParams.get('code')!;
    const res = await callback(agent, withParam(second, 'code', code));
    expect(res.body.info).toEqual({
      code: 'ERR_INVALID_CREDENTIAL',
      message: 'hduhelp: the authorization code is invalid, expired or already used; start the login again',
    });
  });

  it('an expired code (5 minutes on the emulator clock) → fail ERR_INVALID_CREDENTIAL', async () => {
    const agent = agentFor(classic());
    const back = await walk(agent, UNDERGRAD.userId);
    emu.clock.advance(5 * 60_000 + 1);
    expect((await callback(agent, back)).body.info.code).toBe('ERR_INVALID_CREDENTIAL');
  });

  it('neo: an invalid code → fail ERR_INVALID_CREDENTIAL', async () => {
    const agent = agentFor(neo());
    const back = await walk(agent, UNDERGRAD.userId);
    expect((await callback(agent, withParam(back, 'code', 'nope-nope'))).body.info.code).toBe('ERR_INVALID_CREDENTIAL');
  });

  it('a wrong client secret → error ERR_PLATFORM; neither secret appears anywhere in the answer', async () => {
    const wrong = 'wrong-secret-DO-NOT-LEAK-93a1';
    const agent = agentFor(classic({ clientSecret: wrong }));
    const res = await callback(agent, await walk(agent, UNDERGRAD.userId));
    expect(res.action).toBe('error');
    expect(res.body.code).toBe('ERR_PLATFORM');
    expect(res.text).not.toContain(wrong);
    expect(res.text).not.toContain(HDUHELP_CLIENT_SECRET);
  });
});

describe('HduHelpStrategy: verify', () => {
  it('callback style: done(null, user, info)', async () => {
    const agent = agentFor(classic({}, (_c, profile, done) => done(null, { id: profile.id }, { message: 'welcome' })));
    const res = await callback(agent, await walk(agent, UNDERGRAD.userId));
    expect(res.body).toEqual({ outcome: 'success', user: { id: UNDERGRAD.userId }, info: { message: 'welcome' } });
  });

  it('Promise style: an async verify', async () => {
    const agent = agentFor(classic({}, async (c, p) => ({ staff: p.staffId, hasToken: !!c.accessToken })));
    const res = await callback(agent, await walk(agent, UNDERGRAD.userId));
    expect(res.body.user).toEqual({ staff: UNDERGRAD.staffId, hasToken: true });
  });

  it('passReqToCallback: the request comes first, in both styles', async () => {
    const cb = classic({ passReqToCallback: true }, ((
      req: { query: { state: string } },
      _c: unknown,
      p: HduHelpProfile,
      done: (e: unknown, u: unknown) => void,
    ) => done(null, { id: p.id, state: req.query.state })) as never);
    const a1 = agentFor(cb);
    const back = await walk(a1, UNDERGRAD.userId);
    const r1 = await callback(a1, back);
    expect(r1.body.user).toEqual({ id: UNDERGRAD.userId, state: new URL(back, 'http://x').searchParams.get('state') });

    const pr = classic({ passReqToCallback: true }, (async (req: { headers: Record<string, string> }, c: HduHelpCredentials) => ({
      ua: req.headers['x-test-id'] ? 'has-id' : 'none',
      staffId: c.staffId,
    })) as never);
    const a2 = agentFor(pr);
    const r2 = await callback(a2, await walk(a2, GRAD.userId));
    expect(r2.body.user).toEqual({ ua: 'has-id', staffId: GRAD.staffId });
  });

  it('verify answering false → fail with its info', async () => {
    const agent = agentFor(classic({}, (_c, _p, done) => done(null, false, { message: 'not a member', code: 'APP_NOT_MEMBER' })));
    const res = await callback(agent, await walk(agent, UNDERGRAD.userId));
    expect(res.status).toBe(401);
    expect(res.body.info).toEqual({ message: 'not a member', code: 'APP_NOT_MEMBER' });
  });
});

describe('HduHelpStrategy: construction', () => {
  const base = { clientID: 'id', clientSecret: 'secret', callbackURL: '/cb' };
  const bad = (opts: object, re: RegExp) => {
    let caught: unknown;
    try {
      new HduHelpStrategy({ ...base, ...opts } as HduHelpStrategyOptions, echo);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(CampusAuthError);
    expect((caught as CampusAuthError).code).toBe('ERR_CONFIG');
    expect((caught as CampusAuthError).message).toMatch(re);
  };

  it('validates every option and names it', () => {
    bad({ clientID: '' }, /"clientID"/);
    bad({ clientSecret: undefined }, /"clientSecret"/);
    bad({ callbackURL: undefined }, /"callbackURL"/);
    bad({ api: 'v2' }, /"api"/);
    bad({ baseURL: 'not a url' }, /"baseURL"/);
    bad({ baseURL: 'ftp://x.example' }, /"baseURL"/);
    bad({ scope: 42 }, /"scope"/);
    bad({ pkce: 'yes' }, /"pkce"/);
    bad({ serverVerify: 'true' }, /"serverVerify"/);
    bad({ serverVerify: true, serverVerifyOrigin: 'api.hduhelp.com' }, /"serverVerifyOrigin"/);
    bad({ profile: 'full' }, /"profile"/);
    bad({ personInfoPath: 'base/person/info' }, /"personInfoPath"/);
    bad({ stateStore: {} }, /"stateStore"/);
    bad({ timeout: 0 }, /"timeout"/);
  });

  it('is named hduhelp (or options.name), and is exported as Strategy', () => {
    expect(new HduHelpStrategy(base, echo).name).toBe('hduhelp');
    expect(new HduHelpStrategy({ ...base, name: 'hdu-neo' }, echo).name).toBe('hdu-neo');
    expect(Strategy).toBe(HduHelpStrategy);
  });

  it('defaults to the public platform', () => {
    const s = new HduHelpStrategy(base, echo);
    expect(s.client.baseURL).toBe('https://api.hduhelp.com');
    expect(s.client.api).toBe('classic');
  });
});
