import { createHash } from 'node:crypto';
import {
  DEFAULT_PORT,
  HDUHELP_CLIENT_ID,
  HDUHELP_CLIENT_SECRET,
  HDUHELP_NEO_APP_ID,
  HDUHELP_NEO_APP_SECRET,
  HDUHELP_USERS,
  startHduhelpEmulator,
  type HduHelpEmulator,
} from '@campus-passport/mock-platforms/hduhelp';
import { useEmulator } from '@campus-passport/mock-platforms/testing';

const resetClock = (e: HduHelpEmulator) => e.clock.reset();
const started = {
  emu: useEmulator(startHduhelpEmulator, resetClock),
  pinned: useEmulator(
    () =>
      startHduhelpEmulator({
        requirePkce: true,
        clients: [
          {
            clientId: 'a',
            clientSecret: 'secret-a',
            redirectUris: ['https://app.example/cb'],
            defaultRedirectUri: 'https://app.example/cb',
          },
          { clientId: 'b', clientSecret: 'secret-b' },
          { clientId: 'n', clientSecret: 'secret-n', api: 'neo' },
        ],
      }),
    resetClock,
  ),
};
let emu: HduHelpEmulator;
let pinned: HduHelpEmulator;
beforeAll(() => {
  emu = started.emu.current;
  pinned = started.pinned.current;
});

async function get(base: string, path: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${base}${path}`, { headers, redirect: 'manual' });
  const text = await res.text();
  return {
    status: res.status,
    text,
    location: res.headers.get('location'),
    referrerPolicy: res.headers.get('referrer-policy'),
    json: () => JSON.parse(text),
  };
}
async function post(base: string, path: string, form: Record<string, string>) {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
    redirect: 'manual',
  });
  const text = await res.text();
  return { status: res.status, text, location: res.headers.get('location'), json: () => JSON.parse(text) };
}
const token = (base: string, q: Record<string, string>) => get(base, `/oauth/token?${new URLSearchParams(q)}`);
const classicQuery = (code: string, extra: Record<string, string> = {}) => ({
  client_id: HDUHELP_CLIENT_ID,
  client_secret: HDUHELP_CLIENT_SECRET,
  grant_type: 'authorization_code',
  code,
  ...extra,
});

describe('hduhelp emulator', () => {
  it('has a fixed CLI port', () => expect(DEFAULT_PORT).toBe(4101));

  it('login page lists the three seeded users as buttons with data-user, and a deny button', async () => {
    const q = new URLSearchParams({
      response_type: 'code',
      client_id: HDUHELP_CLIENT_ID,
      redirect_uri: 'http://localhost:3000/cb',
      state: 's',
    });
    const page = await get(emu.url, `/oauth/authorize?${q}`);
    expect(page.status).toBe(200);
    for (const u of HDUHELP_USERS) expect(page.text).toContain(`data-user="${u.userId}"`);
    expect(HDUHELP_USERS.map((u) => u.staffType)).toEqual([1, 2, 3]);
    expect(page.text).toContain('data-deny');
  });

  it('authorize refuses unknown clients and foreign or unpinned redirect URIs with a 5-digit code page', async () => {
    const bad = (base: string, q: Record<string, string>) =>
      get(base, `/oauth/authorize?${new URLSearchParams({ response_type: 'code', ...q })}`);
    const unknown = await bad(emu.url, { client_id: 'nobody', redirect_uri: 'http://localhost/cb' });
    expect(unknown.status).toBe(400);
    expect(unknown.text).toMatch(/class="error-code">\d{5}</);
    expect((await bad(emu.url, { client_id: HDUHELP_CLIENT_ID, redirect_uri: 'https://evil.example/cb' })).status).toBe(400);
    expect((await bad(pinned.url, { client_id: 'a', redirect_uri: 'http://localhost/cb' })).status).toBe(400);
    expect((await bad(pinned.url, { client_id: 'a', redirect_uri: 'https://app.example/cb' })).status).toBe(200);
  });

  it('approving redirects back with code and state; denying with error=access_denied', async () => {
    const form = { response_type: 'code', client_id: HDUHELP_CLIENT_ID, redirect_uri: 'http://127.0.0.1:9/cb', state: 'st' };
    const ok = new URL((await post(emu.url, '/oauth/authorize', { ...form, user: HDUHELP_USERS[1].userId })).location!);
    expect(ok.searchParams.get('state')).toBe('st');
    expect(ok.searchParams.get('code')).toMatch(/^[0-9a-f]{32}$/);
    const no = new URL((await post(emu.url, '/oauth/authorize', { ...form, deny: '1' })).location!);
    expect(Object.fromEntries(no.searchParams)).toEqual({ error: 'access_denied', state: 'st' });
  });

  it('token: the documented envelope; codes are single-use and expire after 5 minutes', async () => {
    const code = emu.issueCode({ userId: HDUHELP_USERS[2].userId });
    const ok = await token(emu.url, classicQuery(code));
    expect(ok.status).toBe(200);
    expect(ok.json()).toEqual({
      error: 0,
      msg: 'success',
      data: {
        access_token: expect.any(String),
        access_token_expire: expect.any(Number),
        refresh_token: expect.any(String),
        refresh_token_expire: expect.any(Number),
        staff_id: HDUHELP_USERS[2].staffId,
        staff_name: HDUHELP_USERS[2].staffName,
        staff_type: '3', // a string, as in open-docs docs/develop/get-access-token.md
        user_id: HDUHELP_USERS[2].userId,
      },
    });
    const again = await token(emu.url, classicQuery(code));
    expect(again.status).toBe(200); // a failure with HTTP 200
    expect(again.json()).toMatchObject({ error: 40003, data: null });

    const fresh = emu.issueCode();
    emu.clock.advance(5 * 60_000 - 1000);
    expect((await token(emu.url, classicQuery(fresh))).json().error).toBe(0);
    const late = emu.issueCode();
    emu.clock.advance(5 * 60_000 + 1);
    expect((await token(emu.url, classicQuery(late))).json().error).toBe(40003);
  });

  it('codes are bound to the client and to the redirect_uri', async () => {
    const code = pinned.issueCode({ clientId: 'a' });
    const other = await token(pinned.url, { client_id: 'b', client_secret: 'secret-b', grant_type: 'authorization_code', code });
    expect(other.json().error).toBe(40003);
    const c2 = emu.issueCode({ redirectUri: 'http://localhost:1/cb' });
    expect((await token(emu.url, classicQuery(c2, { redirect_uri: 'http://localhost:2/cb' }))).json().error).toBe(40003);
    expect((await token(emu.url, classicQuery('x', { client_secret: 'wrong' }))).json().error).toBe(40001);
  });

  it('access tokens expire; data endpoints answer 401 with the envelope', async () => {
    const t = (await token(emu.url, classicQuery(emu.issueCode()))).json().data.access_token as string;
    const ok = await get(emu.url, '/oauth/token/validate', { authorization: `token ${t}` });
    expect(ok.json()).toMatchObject({ error: 0, data: { access_token: t, staff_id: HDUHELP_USERS[0].staffId } });
    expect((await get(emu.url, '/salmon_base/person/info', { authorization: `Bearer ${t}` })).status).toBe(401);
    emu.clock.advance(2 * 60 * 60_000 + 1);
    const late = await get(emu.url, '/salmon_base/person/info', { authorization: `token ${t}` });
    expect(late.status).toBe(401);
    expect(late.json()).toMatchObject({ error: 40102 });
  });

  it('person info in the current and the deprecated shape', async () => {
    const t = (await token(emu.url, classicQuery(emu.issueCode()))).json().data.access_token as string;
    expect((await get(emu.url, '/salmon_base/person/info', { authorization: `token ${t}` })).json().data).toEqual({
      staffId: '22051234',
      staffName: '张三',
      staffState: '在校',
      staffType: '1',
      unitCode: '05',
    });
    // person info numbers the kinds its own way: 1 本科生, 2 教师, 3 研究生 (open-docs person-info.md)
    const typeOf = async (userId: string) => {
      const at = (await token(emu.url, classicQuery(emu.issueCode({ userId })))).json().data.access_token as string;
      return (await get(emu.url, '/salmon_base/person/info', { authorization: `token ${at}` })).json().data.staffType;
    };
    expect(await typeOf(HDUHELP_USERS[1].userId)).toBe('3'); // the graduate
    expect(await typeOf(HDUHELP_USERS[2].userId)).toBe('2'); // the staff member
    expect((await get(emu.url, '/base/person/info', { authorization: `token ${t}` })).json().data).toMatchObject({
      STAFFID: '22051234',
      STAFFTYPE: '本科生',
      UNITNAME: '计算机学院',
      GRADE: '2022',
    });
  });

  it('serverVerify jump: a page of users, then a 302 to the default redirect with serverVerify=true and a code', async () => {
    const page = await get(pinned.url, '/oauth/server-verify?client_id=a');
    expect(page.text).toContain(`data-user="${HDUHELP_USERS[0].userId}"`);
    const jump = await get(pinned.url, `/oauth/server-verify?client_id=a&user=${HDUHELP_USERS[0].userId}`);
    expect(jump.status).toBe(302);
    const loc = new URL(jump.location!);
    expect(`${loc.origin}${loc.pathname}`).toBe('https://app.example/cb');
    expect(loc.searchParams.get('serverVerify')).toBe('true');
    // the browser then sends the platform origin as Referer (what the strategy's origin check reads)
    expect(page.referrerPolicy).toBe('origin');
    expect(jump.referrerPolicy).toBe('origin');
    const code = loc.searchParams.get('code')!;
    expect(
      (await token(pinned.url, { client_id: 'a', client_secret: 'secret-a', grant_type: 'authorization_code', code })).json()
        .error,
    ).toBe(0);
    // no default redirect known yet → an error page
    expect((await get(pinned.url, '/oauth/server-verify?client_id=b')).status).toBe(400);
  });

  it('neo: PKCE S256 and plain checked (openapi.yaml "S256|plain"), other methods refused, required when configured', async () => {
    const verifier = 'v'.repeat(50);
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const exchange = (code: string, code_verifier: string) =>
      post(emu.url, '/hduhelp-neo/open-apis/authen/access-token', {
        grant_type: 'authorization_code',
        app_id: HDUHELP_NEO_APP_ID,
        app_secret: HDUHELP_NEO_APP_SECRET,
        code,
        code_verifier,
      });
    const bad = await exchange(emu.issueCode({ clientId: HDUHELP_NEO_APP_ID, codeChallenge: challenge }), 'w'.repeat(50));
    expect(bad.status).toBe(400);
    expect(bad.json()).toMatchObject({ code: 20004 });
    const ok = await exchange(emu.issueCode({ clientId: HDUHELP_NEO_APP_ID, codeChallenge: challenge }), verifier);
    expect(ok.json()).toMatchObject({ code: 0, data: { accessToken: expect.any(String), tokenType: 'Bearer', expiresIn: 7200 } });
    const plain = emu.issueCode({ clientId: HDUHELP_NEO_APP_ID, codeChallenge: verifier, codeChallengeMethod: 'plain' });
    expect((await exchange(plain, verifier)).json()).toMatchObject({ code: 0 });

    const authorize = (base: string, q: Record<string, string>) =>
      get(
        base,
        `/hduhelp-neo/open-apis/authen/authorize?${new URLSearchParams({ response_type: 'code', redirect_uri: 'http://localhost/cb', ...q })}`,
      );
    expect(
      (await authorize(emu.url, { app_id: HDUHELP_NEO_APP_ID, code_challenge: 'x'.repeat(43), code_challenge_method: 'plain' }))
        .status,
    ).toBe(200);
    expect(
      (await authorize(emu.url, { app_id: HDUHELP_NEO_APP_ID, code_challenge: 'x'.repeat(43), code_challenge_method: 'S512' }))
        .status,
    ).toBe(400);
    expect((await authorize(pinned.url, { app_id: 'n' })).status).toBe(400);
    expect((await authorize(pinned.url, { app_id: 'n', code_challenge: challenge, code_challenge_method: 'S256' })).status).toBe(
      200,
    );
    expect((await authorize(emu.url, { app_id: HDUHELP_NEO_APP_ID, scope: 'admin:all' })).status).toBe(400);
  });

  it('neo: a plain challenge walks the login page and is checked as plain at the exchange', async () => {
    const verifier = 'p'.repeat(43);
    const q = new URLSearchParams({
      app_id: HDUHELP_NEO_APP_ID,
      response_type: 'code',
      redirect_uri: 'http://localhost:7/cb',
      code_challenge: verifier,
      code_challenge_method: 'plain',
    });
    const page = await get(emu.url, `/hduhelp-neo/open-apis/authen/authorize?${q}`);
    expect(page.text).toContain('name="code_challenge_method" value="plain"');
    const back = await post(emu.url, '/hduhelp-neo/open-apis/authen/authorize', {
      ...Object.fromEntries(q),
      user: HDUHELP_USERS[0].userId,
    });
    const code = new URL(back.location!).searchParams.get('code')!;
    const form = { grant_type: 'authorization_code', app_id: HDUHELP_NEO_APP_ID, app_secret: HDUHELP_NEO_APP_SECRET, code };
    expect(
      (await post(emu.url, '/hduhelp-neo/open-apis/authen/access-token', { ...form, code_verifier: verifier })).json(),
    ).toMatchObject({ code: 0 });
  });

  it('neo: without redirect_uri the authorize uses the first registered one (hduhelp-neo-sdk-go README)', async () => {
    const first = await startHduhelpEmulator({
      clients: [
        { clientId: 'r', clientSecret: 's', api: 'neo', redirectUris: ['https://one.example/cb', 'https://two.example/cb'] },
      ],
    });
    try {
      const q = new URLSearchParams({ app_id: 'r', response_type: 'code' });
      const page = await get(first.url, `/hduhelp-neo/open-apis/authen/authorize?${q}`);
      expect(page.status).toBe(200);
      const back = await post(first.url, '/hduhelp-neo/open-apis/authen/authorize', {
        app_id: 'r',
        response_type: 'code',
        user: '40123',
      });
      expect(back.location).toMatch(/^https:\/\/one\.example\/cb\?code=/);
      // no registered URI and none given → the error page
      expect(
        (await get(emu.url, `/hduhelp-neo/open-apis/authen/authorize?app_id=${HDUHELP_NEO_APP_ID}&response_type=code`)).status,
      ).toBe(400);
    } finally {
      await first.close();
    }
  });

  it('neo: the refresh token is single-use and rotates; the old access token goes with it', async () => {
    const t1 = (
      await post(emu.url, '/hduhelp-neo/open-apis/authen/access-token', {
        grant_type: 'authorization_code',
        app_id: HDUHELP_NEO_APP_ID,
        app_secret: HDUHELP_NEO_APP_SECRET,
        code: emu.issueCode({ clientId: HDUHELP_NEO_APP_ID }),
      })
    ).json().data;
    const refresh = (refresh_token: string) =>
      fetch(`${emu.url}/hduhelp-neo/open-apis/authen/refresh-access-token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          grant_type: 'refresh_token',
          app_id: HDUHELP_NEO_APP_ID,
          app_secret: HDUHELP_NEO_APP_SECRET,
          refresh_token,
        }),
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as { code: number; data?: Record<string, string> } }));
    const r1 = await refresh(t1.refreshToken);
    expect(r1.body.code).toBe(0);
    const t2 = r1.body.data!;
    expect(t2.refreshToken).not.toBe(t1.refreshToken);
    expect(t2.accessToken).not.toBe(t1.accessToken);
    expect(emu.isTokenActive(t1.refreshToken)).toBe(false);
    expect(emu.isTokenActive(t1.accessToken)).toBe(false);
    expect(emu.isTokenActive(t2.refreshToken)).toBe(true);
    const reused = await refresh(t1.refreshToken);
    expect(reused.status).toBe(400);
    expect(reused.body).toEqual({ code: 20005, msg: expect.any(String) });
    expect((await refresh(t2.refreshToken)).body.code).toBe(0); // the newest works, once
  });

  it('neo: every answer carries an X-Request-Id (core/response.go); the old /v1/ paths are gone', async () => {
    const a = await fetch(`${emu.url}/hduhelp-neo/open-apis/authen/user-info`, { headers: { authorization: 'Bearer nope' } });
    const b = await fetch(`${emu.url}/hduhelp-neo/open-apis/authen/user-info`, { headers: { authorization: 'Bearer nope' } });
    expect(a.status).toBe(401);
    expect(a.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(b.headers.get('x-request-id')).not.toBe(a.headers.get('x-request-id'));
    // classic answers are not neo's: no request id promised there
    expect((await fetch(`${emu.url}/oauth/token/validate`)).headers.get('x-request-id')).toBeNull();
    for (const path of ['v1/access_token', 'v1/refresh_access_token', 'v1/user_info', 'v1/revoke', 'v1/authorize'])
      expect((await fetch(`${emu.url}/hduhelp-neo/open-apis/authen/${path}`, { method: 'POST' })).status).toBe(404);
  });
});
