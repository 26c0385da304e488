/**
 * The Ziqiang Auth emulator's own behaviour, over raw HTTP (independent of @campus-passport/ziqiang):
 * tokens and codes on the emulator clock, the envelope and codes, the login page and its hand-back.
 */
import { useEmulator } from '../src/testing';
import {
  DEFAULT_PORT,
  ZIQIANG_APP,
  ZIQIANG_OTHER_APP,
  ZIQIANG_USERS,
  startZiqiangEmulator,
  type ZiqiangEmulator,
} from '../src/platforms/ziqiang';

const started = useEmulator(
  () => startZiqiangEmulator({ accessTtl: 60 * 60_000 }),
  (e) => e.clock.reset(),
);
let emu: ZiqiangEmulator;
beforeAll(() => {
  emu = started.current;
});

async function call(path: string, init: { method?: string; json?: unknown; form?: Record<string, string>; token?: string } = {}) {
  const headers: Record<string, string> = {};
  let body: string | undefined;
  if (init.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(init.json);
  } else if (init.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(init.form).toString();
  }
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  const res = await fetch(`${emu.url}${path}`, {
    method: init.method ?? (body ? 'POST' : 'GET'),
    headers,
    body,
    redirect: 'manual',
  });
  const text = await res.text();
  let json: { code: string; msg: string; data: Record<string, unknown> } | undefined;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, text, json, location: res.headers.get('location') };
}

const appLogin = async (app = ZIQIANG_APP) =>
  (await call('/auth/apps/', { json: { app_key: app.appKey, app_secret: app.appSecret } })).json!.data as {
    access: string;
    refresh: string;
    expire_time: string;
    username: string;
  };

describe('ziqiang emulator', () => {
  it('exports its fixed port and seeded data', () => {
    expect(DEFAULT_PORT).toBe(4102);
    expect(ZIQIANG_USERS.some((u) => u.certified) && ZIQIANG_USERS.some((u) => !u.certified)).toBe(true);
  });

  it('app login (JSON or form) answers the envelope with an expiring JWT-shaped token', async () => {
    const r = await call('/auth/apps/', { form: { app_key: ZIQIANG_APP.appKey, app_secret: ZIQIANG_APP.appSecret } });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ code: '00000', detail: '', msg: '', data: { id: 9, username: ZIQIANG_APP.username } });
    const data = r.json!.data as { access: string; expire_time: string };
    expect(data.access.split('.')).toHaveLength(3);
    expect(data.expire_time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    expect(Date.parse(data.expire_time) - Date.now()).toBeGreaterThan(59 * 60_000); // accessTtl option
  });

  it('a bad secret is A0210 (HTTP 400) with data {eid, time, details}', async () => {
    const r = await call('/auth/apps/', { json: { app_key: ZIQIANG_APP.appKey, app_secret: 'nope' } });
    expect(r.status).toBe(400);
    expect(r.json).toMatchObject({
      code: 'A0210',
      msg: '用户登录失败',
      data: { eid: null, time: expect.any(String), details: null },
    });
  });

  it('tokens expire on the emulator clock; refresh gives a new access token only', async () => {
    const login = await appLogin();
    expect((await call('/', { token: login.access })).json!.code).toBe('00000');
    emu.clock.advance(61 * 60_000);
    const expired = await call('/', { token: login.access });
    expect([expired.status, expired.json!.code]).toEqual([401, 'A0221']);
    const refreshed = await call('/auth/refresh/', { json: { refresh: login.refresh } });
    expect(Object.keys(refreshed.json!.data).sort()).toEqual(['access', 'expire_time']);
    expect((await call('/', { token: refreshed.json!.data.access as string })).json!.code).toBe('00000');
    emu.clock.advance(10 * 24 * 3600_000);
    expect((await call('/auth/refresh/', { json: { refresh: login.refresh } })).json!.code).toBe('A0221');
  });

  it('calls without a token are A0310; with a wrong token A0221', async () => {
    const none = await call('/sso/union-id/', { json: { code: 'x' } });
    expect([none.status, none.json!.code]).toEqual([401, 'A0310']);
    const wrong = await call('/sso/union-id/', { json: { code: 'x' }, token: 'a.b.c' });
    expect([wrong.status, wrong.json!.code]).toEqual([401, 'A0221']);
  });

  it('codes: single-use, 5 minutes, bound to the app; union ids are 32 hex and per app', async () => {
    const { access } = await appLogin();
    const code = emu.issueCode('lisi');
    const first = await call('/sso/union-id/', { json: { code }, token: access });
    expect(first.json!.data.union_id).toMatch(/^[0-9a-f]{32}$/);
    const reuse = await call('/sso/union-id/', { json: { code }, token: access });
    expect([reuse.status, reuse.json!.code]).toEqual([404, 'A0514']);
    const late = emu.issueCode('lisi');
    emu.clock.advance(5 * 60_000 + 1);
    expect((await call('/sso/union-id/', { json: { code: late }, token: access })).json!.code).toBe('A0514');
    emu.clock.reset();
    const other = await appLogin(ZIQIANG_OTHER_APP);
    const foreign = emu.issueCode('lisi', ZIQIANG_OTHER_APP.username);
    expect((await call('/sso/union-id/', { json: { code: foreign }, token: access })).json!.code).toBe('A0514');
    expect(emu.unionIdOf('lisi', ZIQIANG_OTHER_APP.id)).not.toBe(emu.unionIdOf('lisi'));
    expect((await call(`/users/${emu.unionIdOf('lisi')}/`, { token: other.access })).json!.code).toBe('A0514');
    expect((await call('/sso/union-id/', { json: {}, token: access })).json!.code).toBe('A0420');
  });

  it('users with and without detail; an inactive user is A0311; a gone user A0514', async () => {
    const { access } = await appLogin();
    const id = emu.unionIdOf('wangwu');
    const detail = await call(`/users/${id}/?detail=True`, { token: access });
    expect(detail.json!.data).toEqual({
      name: '王五',
      student_id: null,
      phone: '18398765432',
      is_certified: false,
      certify_time: null,
      update_time: expect.any(String),
    });
    // SDK fixture users_123_no_detail.json: without detail only certify_time
    expect((await call(`/users/${id}/?detail=false`, { token: access })).json!.data).toEqual({ certify_time: null });
    const inactive = await call('/sso/union-id/', { json: { code: emu.issueCode('zhaoliu') }, token: access });
    expect([inactive.status, inactive.json!.code]).toEqual([403, 'A0311']);
    emu.setUser('wangwu', { gone: true });
    const gone = await call(`/users/${id}/`, { token: access });
    expect([gone.status, gone.json!.code]).toEqual([404, 'A0514']);
    emu.setUser('wangwu', { gone: false });
  });

  it('throttle(n): the next n API calls are HTTP 429 A0512', async () => {
    emu.throttle(2);
    const a = await call('/auth/apps/', { json: {} });
    const b = await call('/');
    expect([a.status, a.json!.code, b.json!.code]).toEqual([429, 'A0512', 'A0512']);
    expect((await call('/auth/apps/', { json: {} })).json!.code).toBe('A0420'); // missing fields, no longer throttled
  });

  it('the login page lists every user as a button with data-user, and has the popup script', async () => {
    const q = new URLSearchParams({ 'app-name': ZIQIANG_APP.username, 'redirect-uri': 'http://localhost:3000/cb', state: 's1' });
    const r = await call(`/login?${q}`);
    expect(r.status).toBe(200);
    for (const u of ZIQIANG_USERS) expect(r.text).toContain(`data-user="${u.id}"`);
    expect(r.text).toContain("window.opener.postMessage(env.data.message, '*')");
    expect(r.text).not.toContain('data-app-logo'); // no app-logo given
    expect(r.text).toContain('未认证');
  });

  it('the login page refuses unknown apps and foreign redirect URIs', async () => {
    expect((await call('/login?app-name=nobody')).status).toBe(400);
    const q = new URLSearchParams({ 'app-name': ZIQIANG_APP.username, 'redirect-uri': 'https://evil.example/cb' });
    expect((await call(`/login?${q}`)).status).toBe(400);
  });

  it('choosing a user redirects to redirect-uri with the code (under response-type) and state', async () => {
    const r = await call('/login', {
      form: {
        user: 'zhangsan',
        'app-name': ZIQIANG_APP.username,
        'redirect-uri': 'http://127.0.0.1:9/cb?x=1',
        state: 'st',
        'response-type': 'ticket',
      },
    });
    expect(r.status).toBe(302);
    const back = new URL(r.location!);
    expect(back.searchParams.get('x')).toBe('1');
    expect(back.searchParams.get('ticket')).toMatch(/^[0-9a-f]{32}$/);
    expect(back.searchParams.get('state')).toBe('st');
  });

  it('the popup path: POST /login with Accept JSON answers the code in the envelope', async () => {
    const res = await fetch(`${emu.url}/login`, {
      method: 'POST',
      headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ user: 'lisi', 'app-name': ZIQIANG_APP.username }).toString(),
    });
    const env = (await res.json()) as { code: string; data: { code: string; is_certified: boolean; message: object } };
    expect(env.code).toBe('00000');
    expect(env.data).toEqual({
      code: expect.stringMatching(/^[0-9a-f]{32}$/),
      is_certified: true,
      message: { code: env.data.code }, // what the page posts to its opener (utils/callback.ts)
    });
  });

  const loginForm = (fields: Record<string, string>) => call('/login', { form: { 'app-name': ZIQIANG_APP.username, ...fields } });

  it('the login page shows app-logo when given and carries certify-only / wxapp / manually', async () => {
    const q = new URLSearchParams({
      'app-name': ZIQIANG_APP.username,
      'app-logo': 'https://example.edu/logo.png',
      'certify-only': 'true',
      wxapp: 'true',
      manually: 'true',
    });
    const r = await call(`/login?${q}`);
    expect(r.text).toContain('<img data-app-logo src="https://example.edu/logo.png"');
    expect(r.text).toContain('data-wxapp="true" data-certify-only="true" data-manually="true"');
    expect(r.text).toContain('<input type="hidden" name="certify-only" value="true">');
    // pages/login.vue reads the flags as === 'true': anything else is off
    const off = await call(`/login?app-name=${ZIQIANG_APP.username}&certify-only=1&wxapp=True`);
    expect(off.text).toContain('data-wxapp="false" data-certify-only="false"');
  });

  it('an empty app-name is refused as the frontend does', async () => {
    const r = await call('/login?redirect-uri=http%3A%2F%2Flocalhost%2Fcb');
    expect(r.status).toBe(400);
    expect(r.text).toContain('参数错误无法正常登录');
  });

  it('certify-only: a certified user goes back with is_certified=true and the state, no code', async () => {
    const r = await loginForm({ user: 'lisi', 'redirect-uri': 'http://localhost:9/cb', state: 'st', 'certify-only': 'true' });
    expect(r.status).toBe(302);
    const back = new URL(r.location!);
    expect(Object.fromEntries(back.searchParams)).toEqual({ is_certified: 'true', state: 'st' });
  });

  it('certify-only: an uncertified user is refused (sent to certification), in HTML and JSON', async () => {
    const r = await loginForm({ user: 'wangwu', 'redirect-uri': 'http://localhost:9/cb', 'certify-only': 'true' });
    expect([r.status, r.location]).toEqual([403, null]);
    expect(r.text).toContain('data-certify-required');
    const res = await fetch(`${emu.url}/login`, {
      method: 'POST',
      headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ user: 'wangwu', 'app-name': ZIQIANG_APP.username, 'certify-only': 'true' }).toString(),
    });
    expect(await res.json()).toMatchObject({ code: '00000', data: { is_certified: false, message: null } });
  });

  it('a not-activated user gets no code from the page (A0311, pages/login.vue)', async () => {
    const r = await loginForm({ user: 'zhaoliu', 'redirect-uri': 'http://localhost:9/cb' });
    expect([r.status, r.location]).toEqual([403, null]);
    const res = await fetch(`${emu.url}/login`, {
      method: 'POST',
      headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ user: 'zhaoliu', 'app-name': ZIQIANG_APP.username }).toString(),
    });
    expect([res.status, ((await res.json()) as { code: string }).code]).toEqual([403, 'A0311']);
  });

  it('the code goes back under response-type, also in the data for the opener', async () => {
    const res = await fetch(`${emu.url}/login`, {
      method: 'POST',
      headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ user: 'lisi', 'app-name': ZIQIANG_APP.username, 'response-type': 'ticket' }).toString(),
    });
    const env = (await res.json()) as { data: { code: string; message: Record<string, string> } };
    expect(env.data.message).toEqual({ ticket: env.data.code });
  });

  it('no redirect-uri: wxapp shows the data (stand-in for wx.miniProgram); otherwise the page cannot go back', async () => {
    const wx = await loginForm({ user: 'lisi', wxapp: 'true' });
    expect(wx.status).toBe(200);
    expect(wx.text).toMatch(/id="message-data">\{&quot;code&quot;:&quot;[0-9a-f]{32}&quot;\}</);
    const none = await loginForm({ user: 'lisi' });
    expect(none.status).toBe(400);
    expect(none.text).toContain('无法回到应用中');
  });

  it('simulateLogin submits what the page carries (certify-only included)', async () => {
    const q = new URLSearchParams({
      'app-name': ZIQIANG_APP.username,
      'redirect-uri': 'http://localhost:9/cb',
      state: 's2',
      'certify-only': 'true',
    });
    const back = new URL(await emu.simulateLogin(`${emu.url}/login?${q}`, 'zhangsan'));
    expect(Object.fromEntries(back.searchParams)).toEqual({ is_certified: 'true', state: 's2' });
    await expect(emu.simulateLogin(`${emu.url}/login?${q}`, 'wangwu')).rejects.toThrow(/403/);
  });

  it('pinned redirect URIs', async () => {
    const pinned = await startZiqiangEmulator({ redirectUris: ['http://localhost:3000/auth/ziqiang/callback'] });
    try {
      const ok = new URLSearchParams({
        'app-name': ZIQIANG_APP.username,
        'redirect-uri': 'http://localhost:3000/auth/ziqiang/callback',
      });
      const bad = new URLSearchParams({ 'app-name': ZIQIANG_APP.username, 'redirect-uri': 'http://localhost:3000/other' });
      expect((await fetch(`${pinned.url}/login?${ok}`)).status).toBe(200);
      expect((await fetch(`${pinned.url}/login?${bad}`)).status).toBe(400);
    } finally {
      await pinned.close();
    }
  });
});
