/**
 * Every platform's full flow through the demo app, over real HTTP: the app redirects to the
 * emulator, the emulator's own login page is walked (its real form or link), the platform sends
 * the browser back, the profile page shows the chosen user, and logout ends it.
 */
import { ZIQIANG_USERS } from '@campus-passport/mock-platforms/ziqiang';
import { DISABLED_AID_USERS } from '@campus-passport/mock-platforms/disabled-aid';
import { NCUOS_USERS } from '@campus-passport/mock-platforms/ncuos';
import request from 'supertest';
import { errorMessage } from '../src/messages';
import { PLATFORMS } from '../src/platforms';
import { esc } from '../src/views';
import { chooseUser, decline, fetchPage } from './support/browserless';
import { CASES } from './support/cases';
import { followToErrorPage, pathOf, sessionCookie, startDemo, type Demo } from './support/demo';

let demo: Demo;

beforeAll(async () => {
  demo = await startDemo();
});

afterAll(async () => {
  await demo?.close();
});

describe.each(CASES)('$platform: redirect → emulator login → callback → profile → logout', ({ platform, user, name }) => {
  it(`signs in as ${name}, with a new session id, back to returnTo`, async () => {
    const agent = request.agent(demo.url);
    const start = await agent.get(`/auth/${platform}?returnTo=${encodeURIComponent('/profile?tab=raw')}`);
    expect([302, 303]).toContain(start.status);
    const before = sessionCookie(start.headers['set-cookie']);
    expect(before).toBeDefined();

    // the platform's page (the portal, for disabled-aid) — walked like a browser
    const emulatorUrl = demo.emulators.get(platform)!.url;
    expect(start.headers.location.startsWith(emulatorUrl)).toBe(true);
    const back = await chooseUser(start.headers.location, user);
    expect(back.startsWith(`${demo.url}/auth/${platform}/callback?`)).toBe(true);

    const callback = await agent.get(pathOf(back));
    expect(callback.status).toBe(303);
    expect(callback.headers.location).toBe('/profile?tab=raw');
    const after = sessionCookie(callback.headers['set-cookie']);
    expect(after).toBeDefined();
    expect(after).not.toBe(before); // passport 0.7 regenerated the session

    // Chinese first; English when the browser asks for it
    const profile = await agent.get('/profile').expect(200);
    expect(profile.text).toContain(`data-testid="provider">${platform}<`);
    expect(profile.text).toContain(name);
    expect(profile.text).toContain('平台原始数据');
    expect(profile.text).toContain('统一格式的资料');
    const english = await agent.get('/profile').set('Accept-Language', 'en-US,en;q=0.9').expect(200);
    expect(english.text).toContain(name);
    expect(english.text).toContain('Raw platform data');
    expect(english.text).toContain('Normalized profile');

    // the old session id is dead: it does not carry the login
    await request(demo.url)
      .get('/profile')
      .set('Cookie', `campus.sid=${encodeURIComponent(before!)}`)
      .expect(303);

    const logout = await agent.post('/logout').expect(303);
    expect(logout.headers.location).toBe('/');
    const gone = await agent.get('/profile').expect(303);
    expect(gone.headers.location).toBe('/?returnTo=%2Fprofile');
  });
});

describe('ziqiang popup / SPA flow: the login page hands the code over, the frontend POSTs it', () => {
  it('GET /auth/ziqiang/popup → login page in popup mode → { code } → POST JSON → signed in', async () => {
    const agent = request.agent(demo.url);
    const open = await agent.get('/auth/ziqiang/popup').expect(303);
    const loginPage = new URL(open.headers.location);
    const emulatorUrl = demo.emulators.get('ziqiang')!.url;
    expect(loginPage.origin).toBe(emulatorUrl);
    expect(loginPage.searchParams.get('popup')).toBe('1');
    expect(loginPage.searchParams.has('redirect-uri')).toBe(false);
    const html = await fetchPage(loginPage.toString());
    expect(html).toContain('data-popup="1"');
    expect(html).toContain('window.opener.postMessage');

    // what the popup's script does when a user is clicked
    const user = ZIQIANG_USERS[1];
    const res = await fetch(`${emulatorUrl}/login`, {
      method: 'POST',
      headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ 'app-name': loginPage.searchParams.get('app-name')!, user: user.id }).toString(),
    });
    const envelope = (await res.json()) as { data: { code: string } };

    // what the demo page's script does with the message
    const posted = await agent
      .post('/auth/ziqiang/callback')
      .set('Content-Type', 'application/json')
      .send({ code: envelope.data.code });
    expect(posted.status).toBe(200);
    expect(posted.body).toEqual({ ok: true, redirect: '/profile' });
    const profile = await agent.get('/profile').expect(200);
    expect(profile.text).toContain(user.name);

    // the code is single-use
    const again = await request(demo.url)
      .post('/auth/ziqiang/callback')
      .set('Content-Type', 'application/json')
      .send({ code: envelope.data.code });
    expect(again.status).toBeGreaterThanOrEqual(400);
    expect(again.body.ok).toBe(false);
    expect(again.body.error.code).toBe('ERR_INVALID_CREDENTIAL');
  });

  it('refuses a form POST of a code (only JSON: no cross-site login forms)', async () => {
    const res = await request(demo.url).post('/auth/ziqiang/callback').type('form').send({ code: 'abc' });
    expect(res.status).toBe(415);
    expect(res.text).toContain('ERR_UNSUPPORTED_MEDIA_TYPE');
  });
});

describe('ncuos SPA token flow: the callback page POSTs the token', () => {
  it('?flow=spa → login → the callback serves the SPA page → POST { token } → signed in', async () => {
    const agent = request.agent(demo.url);
    const start = await agent.get('/auth/ncuos?flow=spa').expect(302);
    const user = NCUOS_USERS[1];
    const back = await chooseUser(start.headers.location, String(user.id));
    const landing = await agent.get(pathOf(back)).expect(200);
    expect(landing.text).toContain('data-spa-landing="ncuos"');
    expect(landing.headers['referrer-policy']).toBe('no-referrer');
    expect(landing.text).not.toContain(new URL(back).searchParams.get('token')!);

    const token = new URL(back).searchParams.get('token')!;
    const posted = await agent.post('/auth/ncuos/callback').set('Content-Type', 'application/json').send({ token }).expect(200);
    expect(posted.body).toEqual({ ok: true, redirect: '/profile' });
    const profile = await agent.get('/profile').expect(200);
    expect(profile.text).toContain(user.name);
  });
});

describe('pages', () => {
  it('the home page has a login button per platform, and the disabled-aid portal link', async () => {
    const home = await request(demo.url).get('/').expect(200);
    for (const name of ['hduhelp', 'ziqiang', 'ncuos', 'zafu'])
      expect(home.text).toContain(`href="/auth/${name}" data-login="${name}"`);
    expect(home.text).toContain(`href="${demo.emulators.get('disabled-aid')!.url}/portal" data-login="disabled-aid"`);
    expect(home.text).toContain('data-popup-login="ziqiang"');
    expect(home.text).toContain('data-spa-login="ncuos"');
    expect(home.headers['content-security-policy']).toContain("script-src 'self'");
  });

  it('GET /healthz', async () => {
    const res = await request(demo.url).get('/healthz').expect(200);
    expect(res.body).toEqual({
      status: 'ok',
      platforms: Object.fromEntries(PLATFORMS.map((w) => [w.name, 'emulator'])),
    });
  });

  it('serves the page script', async () => {
    const res = await request(demo.url).get('/static/demo.js').expect(200);
    expect(res.headers['content-type']).toContain('javascript');
    expect(res.text).toContain("addEventListener('message'");
  });
});

describe('users the platform or the strategy refuses get the error page, not a login', () => {
  const serviceUser = DISABLED_AID_USERS.find((u) => u.side === 'service')!;
  /**
   * The message the page must show: the reason's once the strategy says why (info.reason), the
   * code's until then — both from the one message function (its own tests: messages.test.ts).
   */
  const shown = (code: string, reason: string, lang: 'zh' | 'en') =>
    [errorMessage(code, undefined, lang), errorMessage(code, reason, lang)].map(esc);

  it.each([
    ['ziqiang', 'wangwu', ['ERR_DENIED'], 'not-certified'], // not certified
    // a service-side user in a governance-side app: ERR_INVALID_CREDENTIAL before the strategy says
    // why, ERR_DENIED (reason wrong-side) once it does
    ['disabled-aid', serviceUser.useruuid, ['ERR_INVALID_CREDENTIAL', 'ERR_DENIED'], 'wrong-side'],
  ])('%s user %s → %j, on a clean /error URL', async (platform, user, codes, reason) => {
    const agent = request.agent(demo.url);
    const start = await agent.get(`/auth/${platform}`);
    const back = await chooseUser(start.headers.location, user);
    const { location, page } = await followToErrorPage(agent, await agent.get(pathOf(back)), back);
    const code = location.searchParams.get('code')!;
    expect(codes).toContain(code);
    // the reason, when there is one in the URL, is the one this refusal means
    expect([null, reason]).toContain(location.searchParams.get('reason'));
    expect(location.searchParams.get('platform')).toBe(platform);
    expect(page.status).toBeGreaterThanOrEqual(400);
    expect(page.status).toBeLessThan(500);
    expect(page.text).toContain(`data-testid="error-code">${code}<`);
    expect(shown(code, reason, 'zh')).toContain(/data-testid="error-message">([^<]*)</.exec(page.text)![1]);
    // the same page in English
    const en = await agent.get(`${location.pathname}${location.search}&lang=en`);
    expect(shown(code, reason, 'en')).toContain(/data-testid="error-message">([^<]*)</.exec(en.text)![1]);
    await agent.get('/profile').expect(303);
  });

  it.each(['hduhelp', 'zafu'])('%s: the user declines on the login page → ERR_DENIED, "you declined"', async (platform) => {
    const agent = request.agent(demo.url);
    const start = await agent.get(`/auth/${platform}`).expect(302);
    const back = await decline(start.headers.location);
    expect(new URL(back).searchParams.get('error')).toBe('access_denied');
    const { location, page } = await followToErrorPage(agent, await agent.get(pathOf(back)), back);
    expect(location.searchParams.get('code')).toBe('ERR_DENIED');
    expect([null, 'declined']).toContain(location.searchParams.get('reason'));
    expect(page.status).toBe(403);
    expect(page.text).toContain('data-testid="error-code">ERR_DENIED<');
    expect(shown('ERR_DENIED', 'declined', 'zh')).toContain(/data-testid="error-message">([^<]*)</.exec(page.text)![1]);
    // try again: the error page links back to the platform's start
    expect(page.text).toContain(`href="/auth/${platform}" data-testid="retry"`);
    await agent.get('/profile').expect(303);
  });

  it('ncuos user 10 (no group) is refused by the platform itself, on its login page (code 7), and never reaches the app', async () => {
    const agent = request.agent(demo.url);
    const start = await agent.get('/auth/ncuos');
    const page = new URL(start.headers.location);
    const res = await fetch(`${page.origin}/login/authorize?appCode=${page.searchParams.get('appCode')}&user=10`, {
      redirect: 'manual',
    });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('data-code="7"');
    await agent.get('/profile').expect(303);
  });
});
