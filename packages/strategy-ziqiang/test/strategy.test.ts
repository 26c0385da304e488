import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Request, RequestHandler } from 'express';
import { CampusAuthError, MemoryTokenStore, SessionStateStore, type StateStore } from '@campus-passport/core';
import { processTokenStore, STATE_MESSAGES } from '@campus-passport/core/kit';
import {
  describeConformance,
  strategyApp,
  useEmulator,
  type ConformanceTarget,
  type StrategyApp,
} from '@campus-passport/mock-platforms/testing';
import { ZIQIANG_APP, startZiqiangEmulator, type ZiqiangEmulator } from '@campus-passport/mock-platforms/ziqiang';
import { ZiqiangStrategy, Strategy, type ZiqiangProfile, type ZiqiangStrategyOptions } from '../src';

// Clients share the process-wide token store by default; every test starts from an empty one.
beforeEach(() => processTokenStore().clear());

const started = useEmulator(
  () => startZiqiangEmulator(),
  (e) => e.clock.reset(),
);
let emu: ZiqiangEmulator;
beforeAll(() => {
  emu = started.current;
});

type Built = StrategyApp & { strategy: ZiqiangStrategy };

/** What core's state store says for each refusal: every strategy prefixes exactly that with its name. */
const coreStateWording = async () => STATE_MESSAGES;

/** The kit's app with the strategy at GET /auth/ziqiang and GET|POST /auth/ziqiang/callback. */
function build(
  opts: Partial<ZiqiangStrategyOptions> = {},
  verify = async (creds: { unionId: string }, profile: ZiqiangProfile) => ({
    unionId: creds.unionId,
    name: profile.name,
    profile,
  }),
): Built {
  const strategy = new ZiqiangStrategy(
    {
      appKey: ZIQIANG_APP.appKey,
      appSecret: ZIQIANG_APP.appSecret,
      baseURL: emu.url,
      callbackURL: '/auth/ziqiang/callback',
      ...opts,
    },
    verify,
  );
  const kit = strategyApp(strategy, { prefix: 'ziqiang', loginPath: '/auth/ziqiang', callbackPath: '/auth/ziqiang/callback' });
  return Object.assign(kit, { strategy });
}

/** The frontend flow: POST the code as JSON (the kit asserts exactly one Passport action). */
const postCode = (zq: StrategyApp, code: string) => zq.call('post', '/auth/ziqiang/callback', { json: { code } });

/** The redirect flow up to the callback: returns the agent and the callback path with code & state. */
async function walk(zq: StrategyApp, userId = 'zhangsan') {
  const agent = zq.agent();
  const start = await zq.call('get', '/auth/ziqiang', { agent });
  expect(start.status).toBe(302);
  const back = new URL(await emu.simulateLogin(start.headers.location, userId));
  return { agent, callback: `${back.pathname}${back.search}`, back, loginPage: new URL(start.headers.location) };
}

describe('redirect flow', () => {
  it('redirects to the login page with app-name, redirect-uri, state and response-type', async () => {
    const zq = build();
    const res = await zq.call('get', '/auth/ziqiang');
    expect(res.status).toBe(302);
    const url = new URL(res.headers.location);
    expect(`${url.origin}${url.pathname}`).toBe(`${emu.url}/login`);
    expect(url.searchParams.get('app-name')).toBe(ZIQIANG_APP.username); // from app login
    expect(url.searchParams.get('redirect-uri')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/auth\/ziqiang\/callback$/);
    expect(url.searchParams.get('state')).toMatch(/^[A-Za-z0-9_-]{16,}$/);
    expect(url.searchParams.get('response-type')).toBe('code');
    expect(res.headers['set-cookie']).toBeDefined(); // the session with the state went out first
  });

  it('uses the appName and appLogo options when given (no app login needed to redirect)', async () => {
    emu.clearRequests();
    const zq = build({ appName: 'custom_name', appLogo: 'https://example.edu/logo.png' });
    const res = await zq.call('get', '/auth/ziqiang');
    const url = new URL(res.headers.location);
    expect(url.searchParams.get('app-name')).toBe('custom_name');
    expect(url.searchParams.get('app-logo')).toBe('https://example.edu/logo.png');
    expect(emu.count('/auth/apps/')).toBe(0);
  });

  it('certifyOnly, manually and wxapp go on the login page as "true"; flags that are off are left out', async () => {
    const on = build({ certifyOnly: true, manually: true, wxapp: true, appLogo: 'https://example.edu/logo.png?v=2' });
    const url = new URL((await on.call('get', '/auth/ziqiang')).headers.location);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      'app-name': ZIQIANG_APP.username,
      'redirect-uri': expect.stringMatching(/\/auth\/ziqiang\/callback$/),
      state: expect.any(String),
      'response-type': 'code',
      'app-logo': 'https://example.edu/logo.png?v=2', // as given
      'certify-only': 'true',
      manually: 'true',
      wxapp: 'true',
    });
    const off = build({ certifyOnly: false, manually: false, wxapp: false });
    const plain = new URL((await off.call('get', '/auth/ziqiang')).headers.location);
    expect([...plain.searchParams.keys()]).toEqual(['app-name', 'redirect-uri', 'state', 'response-type']);
  });

  it("the emulator's login page shows the app-logo and runs in certify-only mode when asked", async () => {
    const zq = build({ certifyOnly: true, appLogo: 'https://example.edu/logo.png' });
    const start = await zq.call('get', '/auth/ziqiang');
    const html = await (await fetch(start.headers.location)).text();
    expect(html).toContain('<img data-app-logo src="https://example.edu/logo.png"');
    expect(html).toContain('data-certify-only="true"');
  });

  it('certify-only: back with is_certified and the state but no code → state checked, fail ERR_NO_CREDENTIAL', async () => {
    const zq = build({ certifyOnly: true });
    const { agent, back, callback } = await walk(zq, 'zhangsan');
    expect(back.searchParams.get('is_certified')).toBe('true');
    expect(back.searchParams.has('code')).toBe(false);
    emu.clearRequests();
    const res = await zq.call('get', callback, { agent });
    expect(res.status).toBe(401);
    expect(res.body.info).toEqual({ code: 'ERR_NO_CREDENTIAL', message: expect.stringMatching(/certify-only/) });
    expect(emu.requests).toHaveLength(0); // the browser's is_certified is never taken as a login
    const replay = await zq.call('get', callback, { agent }); // the state was used up
    expect(replay.body.info.code).toBe('ERR_STATE');
    const forged = await zq.call('get', '/auth/ziqiang/callback?is_certified=true&state=AAAAAAAAAAAAAAAAAAAAAAAA');
    expect(forged.body.info.code).toBe('ERR_STATE');
  });

  it('certify-only: the login page refuses an uncertified user (no way back to the app)', async () => {
    const zq = build({ certifyOnly: true });
    const start = await zq.call('get', '/auth/ziqiang');
    await expect(emu.simulateLogin(start.headers.location, 'wangwu')).rejects.toThrow(/answered 403/);
  });

  it('logs in: state checked, code → union id → user with detail', async () => {
    const zq = build();
    const { agent, callback, back } = await walk(zq);
    expect(back.searchParams.get('code')).toMatch(/^[0-9a-f]{32}$/);
    const res = await zq.call('get', callback, { agent });
    expect(res.status).toBe(200);
    const unionId = emu.unionIdOf('zhangsan');
    expect(unionId).toMatch(/^[0-9a-f]{32}$/);
    expect(res.body.user).toMatchObject({
      unionId,
      name: '张三',
      profile: {
        provider: 'ziqiang',
        id: unionId,
        displayName: '张三',
        name: '张三',
        studentId: '2020302110001',
        phone: '18312341233',
        isCertified: true,
        certifyTime: '2023-03-04T20:42:00+08:00',
        updateTime: '2023-03-06T10:49:07.976501+08:00',
        _json: { name: '张三', student_id: '2020302110001' },
      },
    });
    expect(JSON.parse(res.body.user.profile._raw).code).toBe('00000');
  });

  it('detail: false asks without detail (no name) and still knows certification', async () => {
    emu.clearRequests();
    const zq = build({ detail: false });
    const { agent, callback } = await walk(zq, 'lisi');
    const res = await zq.call('get', callback, { agent });
    expect(res.body.user.profile).toMatchObject({ isCertified: true, displayName: emu.unionIdOf('lisi') });
    expect(res.body.user.profile.name).toBeUndefined();
    const users = emu.requests.find((r) => r.path.startsWith('/users/'));
    expect(users?.query.detail).toBe('false');
  });
});

describe('state', () => {
  it('a callback without state → fail ERR_STATE (403), no platform call', async () => {
    const zq = build();
    const { agent, back } = await walk(zq);
    emu.clearRequests();
    const res = await zq.call('get', `/auth/ziqiang/callback?code=${back.searchParams.get('code')}`, { agent });
    expect(res.status).toBe(403);
    expect(res.body.info.code).toBe('ERR_STATE');
    expect(emu.count('/sso/union-id/')).toBe(0);
  });

  it('an unknown state, a state of another session, a repeated state → ERR_STATE', async () => {
    const zq = build();
    const a = await walk(zq);
    const code = a.back.searchParams.get('code');
    const bad = await zq.call('get', `/auth/ziqiang/callback?code=${code}&state=AAAAAAAAAAAAAAAAAAAAAAAA`, { agent: a.agent });
    const wording = await coreStateWording();
    expect(bad.body.info).toEqual({ code: 'ERR_STATE', message: `ziqiang: ${wording.unknown}`, reason: 'unknown' });
    const missing = await zq.call('get', `/auth/ziqiang/callback?code=${code}`, { agent: a.agent });
    expect(missing.body.info).toEqual({ code: 'ERR_STATE', message: `ziqiang: ${wording.missing}`, reason: 'missing' });
    const other = await zq.call('get', a.callback); // no session cookie
    expect(other.body.info.code).toBe('ERR_STATE');
    const repeated = await zq.call('get', `${a.callback}&state=x`, { agent: a.agent });
    expect(repeated.body.info.code).toBe('ERR_STATE');
  });

  it('a state is single-use: replaying the callback fails', async () => {
    const zq = build();
    const { agent, callback } = await walk(zq);
    expect((await zq.call('get', callback, { agent })).body.outcome).toBe('success');
    const again = await zq.call('get', callback, { agent });
    expect(again.status).toBe(403);
    expect(again.body.info).toEqual({
      code: 'ERR_STATE',
      message: `ziqiang: ${(await coreStateWording()).used}`,
      reason: 'used',
    });
    expect(again.body.info.message).toMatch(/already used/);
  });

  it('two tabs: two flows in one session both complete', async () => {
    const zq = build();
    const agent = zq.agent();
    const one = await zq.call('get', '/auth/ziqiang', { agent });
    const two = await zq.call('get', '/auth/ziqiang', { agent });
    const back1 = new URL(await emu.simulateLogin(one.headers.location, 'zhangsan'));
    const back2 = new URL(await emu.simulateLogin(two.headers.location, 'lisi'));
    expect((await zq.call('get', `${back2.pathname}${back2.search}`, { agent })).body.user.name).toBe('李四');
    expect((await zq.call('get', `${back1.pathname}${back1.search}`, { agent })).body.user.name).toBe('张三');
  });

  it('an expired state fails (custom stateStore with its own clock)', async () => {
    let now = Date.now();
    const stateStore: StateStore = new SessionStateStore({ key: 'zq-expiring', now: () => now });
    const zq = build({ stateStore });
    const { agent, callback } = await walk(zq);
    now += 11 * 60_000;
    const res = await zq.call('get', callback, { agent });
    expect(res.body.info).toEqual({
      code: 'ERR_STATE',
      message: `ziqiang: ${(await coreStateWording()).expired}`,
      reason: 'expired',
    });
    expect(res.body.info.message).toMatch(/expired/);
  });
});

describe('frontend (popup / SPA) flow', () => {
  it('a POST with the code in a JSON body logs in without state', async () => {
    const zq = build();
    const res = await postCode(zq, emu.issueCode('lisi'));
    expect(res.body).toMatchObject({ outcome: 'success', user: { unionId: emu.unionIdOf('lisi'), name: '李四' } });
  });

  it('a form POST of a code without a state → fail ERR_STATE (403), no platform call (login CSRF)', async () => {
    // (this test used to expect a login: issue 13 — any site can auto-submit such a form)
    const zq = build();
    const code = emu.issueCode('zhangsan');
    emu.clearRequests();
    const res = await zq.call('post', '/auth/ziqiang/callback', { form: { code } });
    expect(res.status).toBe(403);
    expect(res.body.info).toEqual({
      code: 'ERR_STATE',
      message: 'ziqiang: a login code POSTed without its state is accepted only as JSON; start the login again',
      reason: 'missing',
    });
    expect(emu.requests).toHaveLength(0);
    expect(res.text).not.toContain(code);
  });

  it('a form POST with a valid state logs in; the state is then used up', async () => {
    const zq = build();
    const { agent, back } = await walk(zq, 'lisi');
    const state = back.searchParams.get('state')!;
    const form = { code: back.searchParams.get('code')!, state };
    const res = await zq.call('post', '/auth/ziqiang/callback', { agent, form });
    expect(res.body).toMatchObject({ outcome: 'success', user: { name: '李四' } });
    const replay = await zq.call('post', '/auth/ziqiang/callback', { agent, form: { code: emu.issueCode('lisi'), state } });
    expect(replay.status).toBe(403);
    expect(replay.body.info).toEqual({ code: 'ERR_STATE', message: expect.stringMatching(/already used/), reason: 'used' });
  });

  it('a state in the query of a form POST counts too; a state of no login started here → ERR_STATE', async () => {
    const zq = build();
    const { agent, back } = await walk(zq);
    const ok = await zq.call('post', `/auth/ziqiang/callback?state=${back.searchParams.get('state')}`, {
      agent,
      form: { code: back.searchParams.get('code')! },
    });
    expect(ok.body.outcome).toBe('success');
    emu.clearRequests();
    const forged = await zq.call('post', '/auth/ziqiang/callback', {
      agent,
      form: { code: emu.issueCode(), state: 'AAAAAAAAAAAAAAAAAAAAAAAA' },
    });
    expect(forged.body.info.code).toBe('ERR_STATE');
    expect(emu.count('/sso/union-id/')).toBe(0);
  });

  it('a JSON POST that carries a state has it checked: a foreign state → ERR_STATE', async () => {
    const zq = build();
    const res = await zq.call('post', '/auth/ziqiang/callback', {
      json: { code: emu.issueCode(), state: 'AAAAAAAAAAAAAAAAAAAAAAAA' },
    });
    expect(res.status).toBe(403);
    expect(res.body.info.code).toBe('ERR_STATE');
  });

  it('JSON is read from the Content-Type, not the parser: a text/plain body parsed as JSON → ERR_STATE', async () => {
    // an app whose JSON parser also reads text/plain (a type any cross-site form can send)
    const lenientJson: RequestHandler = (req, _res, next) => {
      if (!String(req.headers['content-type']).startsWith('text/plain')) return next();
      let text = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => (text += c));
      req.on('end', () => {
        req.body = JSON.parse(text) as unknown;
        next();
      });
    };
    const strategy = new ZiqiangStrategy(
      { appKey: ZIQIANG_APP.appKey, appSecret: ZIQIANG_APP.appSecret, baseURL: emu.url },
      async (creds: { unionId: string }) => creds,
    );
    const zq = strategyApp(strategy, { before: [lenientJson] });
    emu.clearRequests();
    const res = await zq.call('post', '/callback', {
      headers: { 'content-type': 'text/plain' },
      json: JSON.stringify({ code: emu.issueCode() }),
    });
    expect(res.body.info.code).toBe('ERR_STATE');
    expect(emu.requests).toHaveLength(0);
  });

  it("statelessPost: 'off' refuses a stateless JSON POST too; a JSON POST with a valid state logs in", async () => {
    const zq = build({ statelessPost: 'off' });
    const res = await postCode(zq, emu.issueCode());
    expect(res.status).toBe(403);
    expect(res.body.info).toEqual({
      code: 'ERR_STATE',
      message: 'ziqiang: a POSTed login code needs the state of a login started here; start the login again',
      reason: 'missing',
    });
    const { agent, back } = await walk(zq);
    const ok = await zq.call('post', '/auth/ziqiang/callback', {
      agent,
      json: { code: back.searchParams.get('code'), state: back.searchParams.get('state') },
    });
    expect(ok.body.user.name).toBe('张三');
  });

  it("statelessPost: 'any' accepts a stateless form POST (the app guards the callback itself)", async () => {
    const zq = build({ statelessPost: 'any' });
    const res = await zq.call('post', '/auth/ziqiang/callback', { form: { code: emu.issueCode('zhangsan') } });
    expect(res.body.user.name).toBe('张三');
  });

  it('a POST without a code → fail ERR_NO_CREDENTIAL (no redirect for an XHR)', async () => {
    const zq = build();
    const res = await zq.call('post', '/auth/ziqiang/callback', { json: { nothing: true } });
    expect(res.status).toBe(400);
    expect(res.body.info).toEqual({
      code: 'ERR_NO_CREDENTIAL',
      message: 'ziqiang: the request carries no login code; start the login again',
    });
  });

  it('a GET with a code but no state is not the frontend flow: ERR_STATE', async () => {
    const zq = build();
    const res = await zq.call('get', `/auth/ziqiang/callback?code=${emu.issueCode()}`);
    expect(res.body.info.code).toBe('ERR_STATE');
  });
});

describe('codes and users', () => {
  it('a code works once: reuse fails ERR_INVALID_CREDENTIAL', async () => {
    const zq = build();
    const code = emu.issueCode();
    expect((await postCode(zq, code)).body.outcome).toBe('success');
    const again = await postCode(zq, code);
    expect(again.status).toBe(401);
    expect(again.body.info).toEqual({
      code: 'ERR_INVALID_CREDENTIAL',
      message: 'ziqiang: the login code is invalid, expired or already used; start the login again',
    });
  });

  it('a code expires after 5 minutes (emulator clock)', async () => {
    const zq = build();
    const code = emu.issueCode();
    emu.clock.advance(5 * 60_000 + 1);
    const res = await postCode(zq, code);
    expect(res.body.info.code).toBe('ERR_INVALID_CREDENTIAL');
  });

  it('a code of another app does not work here', async () => {
    const zq = build();
    const res = await postCode(zq, emu.issueCode('zhangsan', 'zq_other'));
    expect(res.body.info.code).toBe('ERR_INVALID_CREDENTIAL');
  });

  it('an uncertified user → fail ERR_DENIED by default; allowed with certifiedOnly: false', async () => {
    const strict = build();
    const denied = await postCode(strict, emu.issueCode('wangwu'));
    expect(denied.status).toBe(403);
    expect(denied.body.info).toEqual({
      code: 'ERR_DENIED',
      message:
        'ziqiang: this account has not passed student certification; certify it on Ziqiang Auth, then start the login again',
      reason: 'not-certified',
    });

    const lax = build({ certifiedOnly: false });
    const ok = await postCode(lax, emu.issueCode('wangwu'));
    expect(ok.body.user.profile).toMatchObject({ isCertified: false, certifyTime: null, name: '王五' });
    expect(ok.body.user.profile.studentId).toBeUndefined();
  });

  it('an inactive account (A0311) → fail ERR_DENIED, reason inactive', async () => {
    const zq = build();
    const res = await postCode(zq, emu.issueCode('zhaoliu'));
    expect(res.status).toBe(403);
    expect(res.body.info).toEqual({
      code: 'ERR_DENIED',
      message:
        'ziqiang: this account is not activated on Ziqiang Auth; verify the student identity there, then start the login again',
      reason: 'inactive',
    });
  });

  it('the refusal reasons are distinct: not-certified and inactive through the redirect flow too', async () => {
    const zq = build();
    const uncertified = await walk(zq, 'wangwu');
    const a = await zq.call('get', uncertified.callback, { agent: uncertified.agent });
    expect([a.status, a.body.info.code, a.body.info.reason]).toEqual([403, 'ERR_DENIED', 'not-certified']);
    const code = emu.issueCode('lisi');
    emu.setUser('lisi', { active: false }); // deactivated between the login page and the callback
    try {
      const b = await postCode(zq, code);
      expect([b.status, b.body.info.code, b.body.info.reason]).toEqual([403, 'ERR_DENIED', 'inactive']);
    } finally {
      emu.setUser('lisi', { active: true });
    }
  });

  it('a user gone between code and lookup (A0514 on /users/) → fail ERR_INVALID_CREDENTIAL', async () => {
    const zq = build();
    const code = emu.issueCode('lisi');
    emu.setUser('lisi', { gone: true });
    try {
      const res = await postCode(zq, code);
      expect(res.body.info).toEqual({
        code: 'ERR_INVALID_CREDENTIAL',
        message: expect.stringMatching(/gone or no longer certified/),
      });
    } finally {
      emu.setUser('lisi', { gone: false });
    }
  });
});

describe('app token', () => {
  it('expiry in the middle of a run: A0221 → POST /auth/refresh/ → one retry → login succeeds', async () => {
    const zq = build();
    expect((await postCode(zq, emu.issueCode())).body.outcome).toBe('success');
    emu.clearRequests();
    emu.clock.advance(25 * 60 * 60_000); // the emulator's access token has expired (not its refresh token); ours looks fresh
    const res = await postCode(zq, emu.issueCode('lisi'));
    expect(res.body.user.name).toBe('李四');
    // refresh first, as zq_auth_sdk/client/base.py _handle_result → _refresh does; no app login
    expect(emu.requests.map((r) => r.path)).toEqual([
      '/sso/union-id/',
      '/auth/refresh/',
      '/sso/union-id/',
      `/users/${emu.unionIdOf('lisi')}/`,
    ]);
  });

  it('A0221 and the refresh refused → app login → one retry → login succeeds', async () => {
    const zq = build();
    await postCode(zq, emu.issueCode());
    emu.clearRequests();
    emu.revokeAccessTokens();
    emu.revokeRefreshTokens();
    const res = await postCode(zq, emu.issueCode('lisi'));
    expect(res.body.user.name).toBe('李四');
    expect(emu.requests.map((r) => r.path)).toEqual([
      '/sso/union-id/',
      '/auth/refresh/',
      '/auth/apps/',
      '/sso/union-id/',
      `/users/${emu.unionIdOf('lisi')}/`,
    ]);
  });

  it('a revoked token rejected twice in a row → error (not an endless loop)', async () => {
    const zq = build();
    await postCode(zq, emu.issueCode());
    emu.clearRequests();
    emu.inject(
      { kind: 'json', status: 401, body: { code: 'A0221', msg: 'token 无效或已过期', detail: '', data: null } },
      { path: '/sso/union-id/', times: 2 },
    );
    const res = await postCode(zq, emu.issueCode());
    expect(res.body).toMatchObject({ outcome: 'error', code: 'ERR_PLATFORM', json: { platformCode: 'A0221' } });
    expect(emu.requests.map((r) => r.path)).toEqual(['/sso/union-id/', '/auth/refresh/', '/sso/union-id/']);
  });

  it('near expiry: refreshes (keeping the refresh token); refresh failing → app login again', async () => {
    const tokenStore = new MemoryTokenStore();
    const zq = build({ tokenStore });
    await postCode(zq, emu.issueCode());
    const key = `ziqiang:${zq.strategy.client.baseURL}:${ZIQIANG_APP.appKey}`;
    const first = (await tokenStore.get(key))!;
    expect(first.extra).toMatchObject({ username: ZIQIANG_APP.username, id: ZIQIANG_APP.id });

    // 1. the stored token is about to expire → POST /auth/refresh/
    await tokenStore.set(key, { ...first, expiresAt: Date.now() + 10_000 });
    emu.clearRequests();
    expect((await postCode(zq, emu.issueCode())).body.outcome).toBe('success');
    expect(emu.count('/auth/refresh/')).toBe(1);
    expect(emu.count('/auth/apps/')).toBe(0);
    const refreshed = (await tokenStore.get(key))!;
    expect(refreshed.accessToken).not.toBe(first.accessToken);
    expect(refreshed.refreshToken).toBe(first.refreshToken);
    expect(refreshed.extra).toEqual(first.extra);

    // 2. again about to expire, but the refresh token is dead → app login
    await tokenStore.set(key, { ...refreshed, expiresAt: Date.now() + 10_000 });
    emu.revokeRefreshTokens();
    emu.clearRequests();
    expect((await postCode(zq, emu.issueCode())).body.outcome).toBe('success');
    expect(emu.requests.map((r) => r.path).slice(0, 3)).toEqual(['/auth/refresh/', '/auth/apps/', '/sso/union-id/']);
  });

  it('a bad app secret (A0210) → error ERR_PLATFORM, the secret in no message', async () => {
    const secret = 'wrong-secret-VERY-SECRET-0042';
    const zq = build({ appSecret: secret });
    const post = await postCode(zq, emu.issueCode());
    expect(post.status).toBe(500);
    expect(post.body).toMatchObject({ outcome: 'error', code: 'ERR_PLATFORM', json: { platformCode: 'A0210' } });
    expect(post.text).not.toContain(secret);
    const redirect = await zq.call('get', '/auth/ziqiang');
    expect(redirect.body).toMatchObject({ outcome: 'error', code: 'ERR_PLATFORM' });
    expect(redirect.text).not.toContain(secret);
  });

  it('throttling (A0512) → error ERR_RATE_LIMITED, on the app login and on user calls', async () => {
    const zq = build();
    emu.throttle(1);
    const first = await postCode(zq, emu.issueCode());
    expect(first.body).toMatchObject({
      outcome: 'error',
      code: 'ERR_RATE_LIMITED',
      json: { platformCode: 'A0512', upstreamStatus: 429 },
    });
    await postCode(zq, emu.issueCode()); // token now cached
    emu.throttle(1);
    const second = await postCode(zq, emu.issueCode());
    expect(second.body).toMatchObject({ outcome: 'error', code: 'ERR_RATE_LIMITED' });
  });

  it('200 concurrent logins → exactly 1 app login', async () => {
    const zq = build();
    const server: Server = createServer(zq.app);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    emu.clearRequests();
    try {
      const users = ['zhangsan', 'lisi'];
      const results = await Promise.all(
        Array.from({ length: 200 }, async (_, i) => {
          const r = await fetch(`${base}/auth/ziqiang/callback`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ code: emu.issueCode(users[i % 2]) }),
          });
          return (await r.json()) as { outcome: string };
        }),
      );
      expect(results.filter((r) => r.outcome === 'success')).toHaveLength(200);
      expect(emu.count('/auth/apps/')).toBe(1);
      expect(emu.count('/sso/union-id/')).toBe(200);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});

describe('a success code with no data (issue 13): error ERR_BAD_RESPONSE, never a login or a fail', () => {
  const answers: Array<[string, Record<string, unknown>]> = [
    ['data: {}', { code: '00000', detail: '', msg: '', data: {} }],
    ['no data', { code: '00000', detail: '', msg: '' }],
  ];
  const calls: Array<[string, string | RegExp]> = [
    ['union-id', '/sso/union-id/'],
    ['users', /^\/users\//],
    ['app login', '/auth/apps/'],
  ];
  for (const [call, path] of calls)
    it.each(answers)(`${call} answering code "00000" with %s`, async (_label, body) => {
      const tokenStore = new MemoryTokenStore();
      const verify = jest.fn(async (creds: { unionId: string }, profile: ZiqiangProfile) => ({
        unionId: creds.unionId,
        name: profile.name,
        profile,
      }));
      const zq = build({ tokenStore }, verify);
      // a good app login first, so that its token can be looked for in the answer (app login: a fresh store)
      if (call !== 'app login') await zq.strategy.client.getAppToken();
      const code = emu.issueCode();
      emu.inject({ kind: 'json', body }, { path });
      const res = await postCode(zq, code);
      expect(res.status).toBe(500);
      expect(res.body).toMatchObject({ outcome: 'error', code: 'ERR_BAD_RESPONSE' });
      expect(verify).not.toHaveBeenCalled();
      const token = (await tokenStore.get(`ziqiang:${zq.strategy.client.baseURL}:${ZIQIANG_APP.appKey}`))?.accessToken;
      for (const secret of [ZIQIANG_APP.appSecret, code, token].filter((v): v is string => !!v))
        expect(res.text).not.toContain(secret);
    });
});

describe('autoRetry (zq_auth_sdk/client/base.py auto_retry)', () => {
  it('off: A0221 on a call → error ERR_PLATFORM with appTokenRejected, no refresh, no retry', async () => {
    const zq = build({ autoRetry: false });
    expect(zq.strategy.client.autoRetry).toBe(false);
    expect((await postCode(zq, emu.issueCode())).body.outcome).toBe('success');
    emu.revokeAccessTokens();
    emu.clearRequests();
    const res = await postCode(zq, emu.issueCode('lisi'));
    expect(res.body).toMatchObject({
      outcome: 'error',
      code: 'ERR_PLATFORM',
      json: { platformCode: 'A0221', upstreamStatus: 401 },
    });
    expect(JSON.parse(res.body.inspected as string)).toMatchObject({ appTokenRejected: true });
    expect(res.body.message).toMatch(/autoRetry is off/);
    expect(emu.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /sso/union-id/']);
  });

  it('on (the default): the same A0221 is renewed refresh-first and retried once', async () => {
    const zq = build();
    expect(zq.strategy.client.autoRetry).toBe(true);
    await postCode(zq, emu.issueCode());
    emu.revokeAccessTokens();
    emu.clearRequests();
    expect((await postCode(zq, emu.issueCode('lisi'))).body.user.name).toBe('李四');
    expect(emu.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /sso/union-id/',
      'POST /auth/refresh/',
      'POST /sso/union-id/',
      `GET /users/${emu.unionIdOf('lisi')}/`,
    ]);
  });
});

describe('options and verify', () => {
  it('is a Passport strategy named ziqiang, exported as Strategy too', () => {
    const s = new Strategy({ appKey: 'k', appSecret: 's' }, async () => null);
    expect(s).toBeInstanceOf(ZiqiangStrategy);
    expect(s.name).toBe('ziqiang');
  });

  it('validates options with ERR_CONFIG naming the option', () => {
    const make = (o: Record<string, unknown>) => () =>
      new ZiqiangStrategy({ appKey: 'k', appSecret: 's', ...o } as ZiqiangStrategyOptions, async () => null);
    expect(make({ appKey: '' })).toThrow(/"appKey"/);
    expect(make({ appSecret: undefined })).toThrow(/"appSecret"/);
    expect(make({ baseURL: 'ftp://x' })).toThrow(/"baseURL"/);
    expect(make({ loginURL: 'not a url' })).toThrow(/"loginURL"/);
    expect(make({ detail: 'yes' })).toThrow(/"detail"/);
    expect(make({ certifiedOnly: 1 })).toThrow(/"certifiedOnly"/);
    expect(make({ certifyOnly: 'true' })).toThrow(/"certifyOnly"/);
    expect(make({ manually: 1 })).toThrow(/"manually"/);
    expect(make({ wxapp: 'yes' })).toThrow(/"wxapp"/);
    expect(make({ appLogo: 'logo.png' })).toThrow(/"appLogo"/);
    expect(make({ appLogo: '' })).toThrow(/"appLogo"/);
    expect(make({ appLogo: 'javascript:alert(1)' })).toThrow(/"appLogo"/);
    expect(make({ appName: 42 })).toThrow(/"appName"/);
    expect(make({ callbackURL: '' })).toThrow(/"callbackURL"/);
    expect(make({ tokenStore: {} })).toThrow(/"tokenStore"/);
    expect(make({ stateStore: { issue: 1 } })).toThrow(/"stateStore"/);
    expect(make({ timeout: 0 })).toThrow(/"timeout"/);
    expect(make({ statelessPost: 'form' })).toThrow(/"statelessPost"/);
    expect(make({ statelessPost: true })).toThrow(/"statelessPost"/);
    expect(make({ autoRetry: 'no' })).toThrow(/"autoRetry"/);
    let err: unknown;
    try {
      make({ appKey: 5 })();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CampusAuthError);
    expect((err as CampusAuthError).code).toBe('ERR_CONFIG');
  });

  it('the default login page is the production one unless baseURL points elsewhere', async () => {
    const prod = new ZiqiangStrategy(
      { appKey: 'k', appSecret: 's', appName: 'zq_x', callbackURL: 'http://localhost/cb' },
      async () => null,
    );
    const res = await strategyApp(prod, { loginPath: '/go' }).call('get', '/go');
    expect(res.headers.location).toMatch(
      /^https:\/\/cas\.ziqiang\.net\.cn\/login\?app-name=zq_x&redirect-uri=http%3A%2F%2Flocalhost%2Fcb&state=/,
    );
  });

  it('passReqToCallback: verify(req, credentials, profile, done); verify false → fail', async () => {
    const zq = build({ passReqToCallback: true }, ((
      req: Request,
      creds: { unionId: string },
      profile: ZiqiangProfile,
      done: (e: unknown, u?: unknown) => void,
    ) => done(null, { via: req.method, unionId: creds.unionId, id: profile.id })) as never);
    const res = await postCode(zq, emu.issueCode());
    expect(res.body.user).toEqual({ via: 'POST', unionId: emu.unionIdOf('zhangsan'), id: emu.unionIdOf('zhangsan') });
    const refused = build({}, (async () => false) as never);
    const r2 = await postCode(refused, emu.issueCode());
    expect(r2.body.outcome).toBe('fail');
  });
});

// ---- the conformance matrix, for both flows -------------------------------------------------

let getEmu: ZiqiangEmulator;
describeConformance({
  title: 'ziqiang redirect flow (GET callback)',
  async startEmulator() {
    getEmu = await startZiqiangEmulator();
    return getEmu;
  },
  createStrategy: (emulator, { timeout }) =>
    new ZiqiangStrategy(
      { appKey: ZIQIANG_APP.appKey, appSecret: ZIQIANG_APP.appSecret, baseURL: emulator.url, callbackURL: '/callback', timeout },
      async (creds: { unionId: string }) => ({ id: creds.unionId }),
    ),
  credentialParam: 'code',
  missingCredential: 'redirect',
  async validCallback({ agent }) {
    const start = await agent.get('/login');
    const back = new URL(await getEmu.simulateLogin(start.headers.location, 'zhangsan'));
    return { path: back.pathname, params: Object.fromEntries(back.searchParams) };
  },
  secrets: [ZIQIANG_APP.appSecret],
});

/**
 * The POST flow as a conformance target: a form body carries the state of a login walked first (a
 * stateless form POST is refused); with `json`, the code alone is posted as JSON, as the popup / SPA
 * flow does. Faults on every path unless `faultPath`.
 */
function postFlowTarget(title: string, faultPath?: RegExp, json = false): ConformanceTarget {
  let emu: ZiqiangEmulator;
  return {
    title,
    async startEmulator() {
      emu = await startZiqiangEmulator();
      return emu;
    },
    createStrategy: (emulator, { timeout }) =>
      new ZiqiangStrategy(
        {
          appKey: ZIQIANG_APP.appKey,
          appSecret: ZIQIANG_APP.appSecret,
          baseURL: emulator.url,
          callbackURL: '/callback',
          timeout,
        },
        async (creds: { unionId: string }) => ({ id: creds.unionId }),
      ),
    credentialParam: 'code',
    credentialIn: json ? 'json' : 'body',
    missingCredential: 'fail',
    async validCallback({ agent }) {
      const start = await agent.get('/login');
      const back = new URL(await emu.simulateLogin(start.headers.location, 'lisi'));
      // JSON: the popup / SPA flow posts the code alone (no state), as statelessPost 'json' allows
      const params = Object.fromEntries(back.searchParams);
      return { path: back.pathname, params: json ? { code: params.code } : params };
    },
    secrets: [ZIQIANG_APP.appSecret],
    faultPath,
  };
}

describeConformance(postFlowTarget('ziqiang POST flow (form body with state)'));
// the same matrix with the faults on the last call (the user), after a good app login and union id
describeConformance(postFlowTarget('ziqiang POST flow, faults on /users/', /^\/users\//));
// the popup / SPA flow: a stateless JSON POST of the code
describeConformance(postFlowTarget('ziqiang stateless JSON POST flow', undefined, true));
