// TmplStrategy in a real Express + session + passport app (the testing kit's strategyApp) against
// the emulator over HTTP: the login page walked as a browser would, then every outcome.
import { CampusAuthError } from '@campus-passport/core';
import { strategyApp, useEmulator } from '@campus-passport/mock-platforms/testing';
import { TMPL_APP, TMPL_USERS, startTmplEmulator } from '@campus-passport/mock-platforms/tmpl';
import { Strategy, TmplStrategy, type TmplProfile, type TmplStrategyOptions } from '../src';
import { approve, pathOf } from './helpers';

const emu = useEmulator(() => startTmplEmulator());

function options(extra: Partial<TmplStrategyOptions> = {}): TmplStrategyOptions & { passReqToCallback?: false } {
  return {
    appId: TMPL_APP.appId,
    appSecret: TMPL_APP.appSecret,
    baseURL: emu.current.url,
    callbackURL: '/callback',
    ...extra,
    passReqToCallback: false,
  };
}

/** The app, and every profile verify saw. */
function build(extra: Partial<TmplStrategyOptions> = {}) {
  const profiles: TmplProfile[] = [];
  const app = strategyApp(
    new TmplStrategy(options(extra), async (credentials, profile) => {
      profiles.push(profile);
      return { id: profile.id, name: profile.displayName, token: credentials.accessToken.length > 0 };
    }),
  );
  return { ...app, profiles };
}

describe('TmplStrategy', () => {
  it('login page → code → token → user: one success with the seeded user', async () => {
    const s = build();
    const agent = s.agent();
    const start = await s.call('get', '/login', { agent });
    expect([start.action, start.status]).toEqual(['redirect', 302]);
    const login = new URL(start.headers.location);
    expect(`${login.origin}${login.pathname}`).toBe(`${emu.current.url}/oauth/authorize`);
    expect(login.searchParams.get('app_id')).toBe(TMPL_APP.appId);
    expect(login.searchParams.get('redirect_uri')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);
    expect(login.searchParams.get('state')).toMatch(/^[\w-]{16,}$/);

    const back = await approve(start.headers.location, TMPL_USERS[1].id);
    expect(back.searchParams.get('state')).toBe(login.searchParams.get('state'));
    const done = await s.call('get', pathOf(back), { agent });
    expect([done.action, done.status]).toEqual(['success', 200]);
    expect(done.body.user).toEqual({ id: TMPL_USERS[1].id, name: TMPL_USERS[1].name, token: true });

    const [profile] = s.profiles;
    expect(profile).toMatchObject({
      provider: 'tmpl',
      id: TMPL_USERS[1].id,
      displayName: TMPL_USERS[1].name,
      studentId: TMPL_USERS[1].studentId,
      department: TMPL_USERS[1].department,
    });
    expect(profile._json.id).toBe(TMPL_USERS[1].id);
    expect(JSON.parse(profile._raw).data.name).toBe(TMPL_USERS[1].name);
    // the secret went to the token call only, in the form body
    const calls = emu.current.requests.filter((r) => r.path === '/oauth/token' || r.path === '/api/user');
    expect(calls.map((r) => [r.method, r.path])).toEqual([
      ['POST', '/oauth/token'],
      ['GET', '/api/user'],
    ]);
    expect(calls[0].body).toMatchObject({ app_id: TMPL_APP.appId, app_secret: TMPL_APP.appSecret });
    expect(JSON.stringify(calls[1])).not.toContain(TMPL_APP.appSecret);
  });

  it('the code is single-use: a second login with it → fail ERR_INVALID_CREDENTIAL', async () => {
    const s = build();
    const agent = s.agent();
    const first = await approve((await s.call('get', '/login', { agent })).headers.location, TMPL_USERS[0].id);
    expect((await s.call('get', pathOf(first), { agent })).action).toBe('success');
    // a fresh flow (a new state) with the used code
    const second = new URL((await s.call('get', '/login', { agent })).headers.location);
    const replay = `/callback?code=${first.searchParams.get('code')}&state=${second.searchParams.get('state')}`;
    const res = await s.call('get', replay, { agent });
    expect([res.action, res.status, res.body.code]).toEqual(['fail', 401, 'ERR_INVALID_CREDENTIAL']);
  });

  it('a state this session did not issue → fail ERR_STATE (403), before any platform call', async () => {
    const s = build();
    const back = await approve((await s.call('get', '/login')).headers.location, TMPL_USERS[0].id);
    emu.current.clearRequests();
    const res = await s.call('get', pathOf(back)); // another browser: no session cookie
    expect([res.action, res.status, res.body.code]).toEqual(['fail', 403, 'ERR_STATE']);
    expect(emu.current.requests.filter((r) => r.path === '/oauth/token')).toHaveLength(0);
  });

  it('the user refuses on the login page → fail ERR_DENIED (403)', async () => {
    const s = build();
    const agent = s.agent();
    const back = await approve((await s.call('get', '/login', { agent })).headers.location, { deny: true });
    expect(back.searchParams.get('error')).toBe('access_denied');
    const res = await s.call('get', pathOf(back), { agent });
    expect([res.action, res.status, res.body.code]).toEqual(['fail', 403, 'ERR_DENIED']);
  });

  it('a wrong appSecret → error ERR_PLATFORM naming the platform code, the secret nowhere', async () => {
    const secret = 'wrong-secret-0123456789abcdef';
    const s = build({ appSecret: secret });
    const agent = s.agent();
    const back = await approve((await s.call('get', '/login', { agent })).headers.location, TMPL_USERS[0].id);
    const res = await s.call('get', pathOf(back), { agent });
    expect([res.action, res.status, res.body.code]).toEqual(['error', 500, 'ERR_PLATFORM']);
    expect(res.body.json).toMatchObject({ platform: 'tmpl', platformCode: 40001 });
    expect(res.text).not.toContain(secret);
    expect(res.text).not.toContain(back.searchParams.get('code')!);
  });

  it('verify refusing the user (false) → fail', async () => {
    const s = strategyApp(new TmplStrategy(options(), async () => false));
    const agent = s.agent();
    const back = await approve((await s.call('get', '/login', { agent })).headers.location, TMPL_USERS[0].id);
    const res = await s.call('get', pathOf(back), { agent });
    expect([res.action, res.status]).toEqual(['fail', 401]);
  });

  it('passReqToCallback puts the request first', async () => {
    const s = strategyApp(
      new TmplStrategy({ ...options(), passReqToCallback: true }, async (req, _credentials, profile) => ({
        id: profile.id,
        path: req.url?.split('?')[0],
      })),
    );
    const agent = s.agent();
    const back = await approve((await s.call('get', '/login', { agent })).headers.location, TMPL_USERS[0].id);
    const res = await s.call('get', pathOf(back), { agent });
    expect(res.body.user).toEqual({ id: TMPL_USERS[0].id, path: '/callback' });
  });

  it('checks its options at construction, naming the option (ERR_CONFIG)', () => {
    const verify = async () => false;
    const cases: Array<[Partial<Record<keyof TmplStrategyOptions, unknown>>, RegExp]> = [
      [{ appId: '' }, /^tmpl: option "appId" must be a non-empty string$/],
      [{ appSecret: undefined }, /^tmpl: option "appSecret" must be a non-empty string$/],
      [{ callbackURL: 5 }, /^tmpl: option "callbackURL" must be a non-empty string$/],
      [{ baseURL: 'ftp://x' }, /^tmpl: option "baseURL" must be an absolute http\(s\) URL$/],
      [{ timeout: -1 }, /^tmpl: option "timeout" must be a positive number of ms$/],
    ];
    for (const [bad, message] of cases) {
      let thrown: unknown;
      try {
        new TmplStrategy({ ...options(), ...bad } as TmplStrategyOptions, verify);
      } catch (err) {
        thrown = err;
      }
      expect(thrown).toBeInstanceOf(CampusAuthError);
      expect([(thrown as CampusAuthError).code, (thrown as Error).message]).toEqual([
        'ERR_CONFIG',
        expect.stringMatching(message),
      ]);
    }
  });

  it("is Passport's Strategy, named 'tmpl' unless options.name says otherwise", () => {
    expect(Strategy).toBe(TmplStrategy);
    expect(new TmplStrategy(options(), async () => false).name).toBe('tmpl');
    expect(new TmplStrategy(options({ name: 'campus' }), async () => false).name).toBe('campus');
  });
});
