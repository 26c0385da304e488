/**
 * returnTo open-redirect attempts, the error page hiding internals, cookie flags, and log redaction.
 */
import { HDUHELP_CLIENT_SECRET } from '@campus-passport/mock-platforms/hduhelp';
import { DEFAULT_APP_SECRET as NCUOS_SECRET } from '@campus-passport/mock-platforms/ncuos';
import { ZAFU_DEFAULT_CLIENT_SECRET } from '@campus-passport/mock-platforms/zafu';
import { ZIQIANG_APP } from '@campus-passport/mock-platforms/ziqiang';
import request from 'supertest';
import { safeReturnTo } from '../src/return-to';
import { redactPath } from '../src/logger';
import { chooseUser } from './support/browserless';
import { caseOf } from './support/cases';
import { followToErrorPage, pathOf, sessionCookie, startDemo, TEST_SECRET, type Demo } from './support/demo';

const ATTACKS = [
  '//evil.example',
  '//evil.example/profile',
  'https://evil.example',
  'https://evil.example/profile',
  'http:evil.example',
  '/\\evil',
  '/\\evil.example/x',
  '\\/evil.example',
  '\\\\evil.example',
  '/%2Fevil.example',
  '%2F%2Fevil.example',
  '/%5Cevil.example',
  '/%252F%252Fevil.example',
  '/%09/evil.example',
  '/\t/evil.example',
  '/\n/evil.example',
  ' //evil.example',
  '///evil.example',
  'javascript:alert(1)',
  'evil.example',
  '',
  '/auth/hduhelp',
  '/logout',
  `/${'a'.repeat(2000)}`,
];

describe('safeReturnTo', () => {
  it.each(ATTACKS)('refuses %j', (value) => {
    expect(safeReturnTo(value)).toBeUndefined();
  });

  it.each([
    ['/profile', '/profile'],
    ['/profile?tab=raw#top', '/profile?tab=raw#top'],
    ['/', '/'],
    ['/a/b/../c', '/a/c'],
    ['/authors', '/authors'],
  ])('keeps %j', (value, expected) => {
    expect(safeReturnTo(value)).toBe(expected);
  });

  it('refuses anything that is not a string', () => {
    expect(safeReturnTo(['/a', '/b'])).toBeUndefined();
    expect(safeReturnTo({ a: 1 })).toBeUndefined();
    expect(safeReturnTo(undefined)).toBeUndefined();
  });
});

describe('through the app', () => {
  let demo: Demo;
  beforeAll(async () => {
    demo = await startDemo({ env: { TRUST_PROXY: 'loopback' } });
  });
  afterAll(async () => {
    await demo?.close();
  });

  async function loginWith(returnTo: string): Promise<request.Response> {
    const { user } = caseOf('hduhelp');
    const agent = request.agent(demo.url);
    const start = await agent.get('/auth/hduhelp').query({ returnTo }).expect(302);
    const back = await chooseUser(start.headers.location, user);
    return agent.get(pathOf(back));
  }

  it.each(['//evil.example', 'https://evil.example', '/\\evil', '/%2F%2Fevil.example', '/%5Cevil'])(
    'a login started with returnTo=%j lands on /profile',
    async (evil) => {
      const res = await loginWith(evil);
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/profile');
    },
  );

  it('a login started with a same-origin returnTo goes back there', async () => {
    const res = await loginWith('/?welcome=1');
    expect(res.headers.location).toBe('/?welcome=1');
  });

  it('the home page does not pass a bad returnTo on to the login buttons', async () => {
    const res = await request(demo.url).get('/').query({ returnTo: '//evil.example' }).expect(200);
    expect(res.text).not.toContain('evil.example');
    const good = await request(demo.url).get('/').query({ returnTo: '/profile' }).expect(200);
    expect(good.text).toContain('/auth/hduhelp?returnTo=%2Fprofile');
    // the language switch keeps the good returnTo only
    expect(good.text).toContain('href="/?returnTo=%2Fprofile&amp;lang=en" hreflang="en"');
  });

  it('a callback with a forged state shows the error page: code, plain message, no internals', async () => {
    const agent = request.agent(demo.url);
    await agent.get('/auth/hduhelp').expect(302);
    const callback = `/auth/hduhelp/callback?code=${'x'.repeat(20)}&state=forged-state-value-123456`;
    const { location, page: res } = await followToErrorPage(agent, await agent.get(callback), callback);
    expect(location.searchParams.get('code')).toBe('ERR_STATE');
    expect(res.status).toBe(403);
    expect(res.text).toContain('data-testid="error-code">ERR_STATE<');
    expect(res.text).not.toMatch(/\bat \S+ \(|node_modules|\.ts:\d+|Error:/);
    expect(res.text).not.toContain('forged-state-value');
  });

  it('a platform failure shows the error page without the stack, the platform answer or the secret', async () => {
    const emulator = demo.emulators.get('hduhelp')!;
    const agent = request.agent(demo.url);
    const start = await agent.get('/auth/hduhelp').expect(302);
    const back = await chooseUser(start.headers.location, caseOf('hduhelp').user);
    emulator.inject(
      { kind: 'status', status: 500, body: { error: 500, msg: `boom client_secret=${HDUHELP_CLIENT_SECRET} at internal.go:42` } },
      { path: '/oauth/token' },
    );
    const { page: res } = await followToErrorPage(agent, await agent.get(pathOf(back)), back);
    expect(res.status).toBeGreaterThanOrEqual(500);
    expect(res.text).toMatch(/data-testid="error-code">ERR_(PLATFORM|BAD_RESPONSE)</);
    expect(res.text).not.toContain(HDUHELP_CLIENT_SECRET);
    expect(res.text).not.toContain('internal.go');
    expect(res.text).not.toContain('boom');
    expect(res.text).not.toMatch(/\bat \S+ \(|node_modules|\.ts:\d+|Error:/);
    expect(res.text).not.toContain(new URL(back).searchParams.get('code')!);
    // the log has the details, redacted
    expect(demo.logs.text).not.toContain(HDUHELP_CLIENT_SECRET);
  });

  it('JSON errors carry the code and a plain message only', async () => {
    const res = await request(demo.url).post('/auth/ziqiang/callback').set('Content-Type', 'application/json').send('{"code":');
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ ok: false, error: { code: 'ERR_BAD_REQUEST', message: expect.any(String) } });
    expect(JSON.stringify(res.body)).not.toMatch(/SyntaxError|JSON\.parse|at /);
  });

  it('no app secret or session secret appears on any page or in the log', async () => {
    const secrets = [HDUHELP_CLIENT_SECRET, ZIQIANG_APP.appSecret, NCUOS_SECRET, ZAFU_DEFAULT_CLIENT_SECRET, TEST_SECRET];
    const pages = await Promise.all(['/', '/healthz', '/static/demo.js', '/nope'].map((p) => request(demo.url).get(p)));
    for (const page of pages) for (const s of secrets) expect(page.text).not.toContain(s);
    for (const s of secrets) expect(demo.logs.text).not.toContain(s);
  });

  it('unknown pages and platforms', async () => {
    const nope = await request(demo.url).get('/nope').expect(404);
    expect(nope.text).toContain('ERR_NOT_FOUND');
    const platform = await request(demo.url).get('/auth/github').expect(404);
    expect(platform.text).toContain('ERR_UNKNOWN_PLATFORM');
  });

  it('session cookie: httpOnly, SameSite=Lax; Secure only over TLS (a trusted proxy saying https)', async () => {
    const plain = await request(demo.url).get('/auth/zafu').expect(302);
    const cookie = [plain.headers['set-cookie']].flat().find((c: string) => c.startsWith('campus.sid='))!;
    expect(cookie).toMatch(/; HttpOnly/i);
    expect(cookie).toMatch(/; SameSite=Lax/i);
    expect(cookie).not.toMatch(/; Secure/i);
    const tls = await request(demo.url).get('/auth/zafu').set('X-Forwarded-Proto', 'https').expect(302);
    const secure = [tls.headers['set-cookie']].flat().find((c: string) => c.startsWith('campus.sid='))!;
    expect(secure).toMatch(/; Secure/i);
    // behind TLS the callback URL given to the platform is https too
    expect(new URL(tls.headers.location).searchParams.get('redirect_uri')).toMatch(/^https:\/\//);
  });

  it('the session id changes at login and the old one no longer carries anything', async () => {
    const agent = request.agent(demo.url);
    const start = await agent.get('/auth/zafu').expect(302);
    const before = sessionCookie(start.headers['set-cookie'])!;
    const back = await chooseUser(start.headers.location, caseOf('zafu').user);
    const done = await agent.get(pathOf(back)).expect(303);
    const after = sessionCookie(done.headers['set-cookie'])!;
    expect(after).not.toBe(before);
    const old = await request(demo.url)
      .get('/profile')
      .set('Cookie', `campus.sid=${encodeURIComponent(before)}`);
    expect(old.status).toBe(303);
  });
});

describe('request logging', () => {
  let demo: Demo;
  beforeAll(async () => {
    demo = await startDemo();
  });
  afterAll(async () => {
    await demo?.close();
  });

  it('redacts codes, states, tokens and stokens from logged URLs and headers', async () => {
    const secrets: string[] = [];
    for (const platform of ['hduhelp', 'ncuos', 'disabled-aid']) {
      const agent = request.agent(demo.url);
      const start = await agent.get(`/auth/${platform}`);
      const back = await chooseUser(start.headers.location, caseOf(platform).user);
      for (const [k, v] of new URL(back).searchParams) if (['code', 'state', 'token', 'stoken'].includes(k)) secrets.push(v);
      const state = new URL(start.headers.location).searchParams.get('state');
      if (state) secrets.push(state);
      await agent.get(pathOf(back)).set('Referer', back).expect(303);
    }
    expect(secrets.length).toBeGreaterThanOrEqual(4);
    const text = demo.logs.text;
    expect(text).toContain('[REDACTED]');
    expect(text).toContain('/auth/ncuos/callback?token=[REDACTED]');
    expect(text).toContain('/auth/disabled-aid/callback?stoken=[REDACTED]');
    for (const s of secrets) expect(text).not.toContain(s);
    expect(text).not.toContain(TEST_COOKIE_MARK);
  });

  it('the log keeps error codes (no blanket *.code rule) while the credentials stay out', async () => {
    const agent = request.agent(demo.url);
    await agent.get('/auth/hduhelp/callback').query({ code: 'c'.repeat(24), state: 'forged-state-value-123456' });
    const lines = demo.logs.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const failed = lines.filter((l) => l.msg === 'sign-in failed');
    expect(failed.map((l) => l.code)).toContain('ERR_STATE');
    expect(demo.logs.text).not.toContain('c'.repeat(24));
    const { page: errored } = await followToErrorPage(
      agent,
      await agent.get('/auth/hduhelp/callback').query({ error: 'server_error' }),
      '/auth/hduhelp/callback?error=server_error',
    );
    expect(errored.status).toBeGreaterThanOrEqual(500);
    const withErr = demo.logs.lines.map((l) => JSON.parse(l) as { err?: { code?: string } }).filter((l) => l.err);
    expect(withErr.map((l) => l.err!.code)).toContain('ERR_PLATFORM');
  });

  it('POST /logout refuses a cross-site request (Sec-Fetch-Site, or Origin), accepts a same-origin one', async () => {
    const agent = request.agent(demo.url);
    await agent.post('/logout').set('Sec-Fetch-Site', 'cross-site').expect(403);
    await agent.post('/logout').set('Sec-Fetch-Site', 'same-site').expect(403);
    await agent.post('/logout').set('Origin', 'http://evil.example').expect(403);
    await agent.post('/logout').set('Sec-Fetch-Site', 'same-origin').expect(303);
    await agent.post('/logout').set('Origin', demo.url).expect(303);
    await agent.post('/logout').expect(303);
  });

  it('redactPath', () => {
    expect(redactPath('/cb?code=abc&state=def&x=1')).toBe('/cb?code=[REDACTED]&state=[REDACTED]&x=1');
    expect(redactPath('/cb?access_token=a&stoken=b&token=c&client_secret=d')).toBe(
      '/cb?access_token=[REDACTED]&stoken=[REDACTED]&token=[REDACTED]&client_secret=[REDACTED]',
    );
    expect(redactPath('/cb?%63ode=abc')).toBe('/cb?%63ode=[REDACTED]');
    expect(redactPath('/plain')).toBe('/plain');
  });
});

const TEST_COOKIE_MARK = 'campus.sid=s%3A';
