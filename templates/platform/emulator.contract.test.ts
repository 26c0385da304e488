/**
 * The TMPL_TITLE_EN emulator held to the platform's contract, without our client: raw HTTP
 * against the emulator. Each fact names its source; the scaffold's facts are all *unconfirmed*
 * (template) — replace each with what the official source says (repository and path, or `seed:
 * <file>`), and fix the emulator, never the fact, when they disagree.
 */
import { TMPL_APP, TMPL_CODES, TMPL_USERS, startTmplEmulator, type TmplEmulator } from '@campus-passport/mock-platforms/tmpl';

let emu: TmplEmulator;
beforeAll(async () => {
  emu = await startTmplEmulator();
});
afterAll(() => emu.close());

async function post(path: string, form: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${emu.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const tokenForm = (code: string, secret = TMPL_APP.appSecret) => ({
  grant_type: 'authorization_code',
  app_id: TMPL_APP.appId,
  app_secret: secret,
  code,
});

describe('tmpl emulator contract', () => {
  // unconfirmed (template): the login page, its form and the redirect back
  it('the login page lists the seeded users and sends the browser back with code and state', async () => {
    const query = new URLSearchParams({ app_id: TMPL_APP.appId, redirect_uri: 'http://127.0.0.1:3000/cb', state: 's-1' });
    const html = await (await fetch(`${emu.url}/oauth/authorize?${query}`)).text();
    for (const u of TMPL_USERS) expect(html).toContain(`data-user="${u.id}"`);
    const res = await fetch(`${emu.url}/oauth/authorize`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...Object.fromEntries(query), user: TMPL_USERS[0].id }).toString(),
      redirect: 'manual',
    });
    const back = new URL(res.headers.get('location')!);
    expect([res.status, back.origin + back.pathname, back.searchParams.get('state')]).toEqual([
      302,
      'http://127.0.0.1:3000/cb',
      's-1',
    ]);
    expect(back.searchParams.get('code')).toMatch(/^[\w-]{16,}$/);
  });

  // unconfirmed (template): an unregistered app or a redirect URI off this machine gets no login page
  it('refuses an unknown app_id and a foreign redirect_uri', async () => {
    const unknown = await fetch(`${emu.url}/oauth/authorize?app_id=nope&redirect_uri=http%3A%2F%2F127.0.0.1%2Fcb`);
    const foreign = await fetch(
      `${emu.url}/oauth/authorize?app_id=${TMPL_APP.appId}&redirect_uri=https%3A%2F%2Fevil.example%2Fcb`,
    );
    expect([unknown.status, foreign.status]).toEqual([400, 400]);
  });

  // unconfirmed (template): POST /oauth/token, form fields, the { code, msg, data } envelope
  it('POST /oauth/token: a code → { code: 0, data: { access_token, expires_in } }, once', async () => {
    const code = emu.issueCode(TMPL_USERS[0].id);
    const ok = await post('/oauth/token', tokenForm(code));
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ code: 0, data: { access_token: expect.any(String), expires_in: 7200 } });
    const again = await post('/oauth/token', tokenForm(code));
    expect([again.status, again.body.code]).toEqual([TMPL_CODES.badCode[1], TMPL_CODES.badCode[0]]);
  });

  // unconfirmed (template): the error codes of the token call
  it('POST /oauth/token refuses a wrong secret, a missing field and an expired code with their codes', async () => {
    expect((await post('/oauth/token', tokenForm(emu.issueCode(), 'wrong'))).body.code).toBe(TMPL_CODES.badApp[0]);
    expect((await post('/oauth/token', { app_id: TMPL_APP.appId })).body.code).toBe(TMPL_CODES.badRequest[0]);
    const code = emu.issueCode();
    emu.clock.advance(5 * 60_000 + 1);
    try {
      expect((await post('/oauth/token', tokenForm(code))).body.code).toBe(TMPL_CODES.expiredCode[0]);
    } finally {
      emu.clock.reset();
    }
  });

  // unconfirmed (template): GET /api/user with a bearer token
  it('GET /api/user: the bearer token → the user; none or a bad one → 401 with code 40101', async () => {
    const token = await post('/oauth/token', tokenForm(emu.issueCode(TMPL_USERS[1].id)));
    const accessToken = (token.body.data as { access_token: string }).access_token;
    const user = await fetch(`${emu.url}/api/user`, { headers: { authorization: `Bearer ${accessToken}` } });
    expect(await user.json()).toEqual({
      code: 0,
      msg: 'ok',
      data: {
        id: TMPL_USERS[1].id,
        name: TMPL_USERS[1].name,
        student_id: TMPL_USERS[1].studentId,
        department: TMPL_USERS[1].department,
      },
    });
    const none = await fetch(`${emu.url}/api/user`);
    expect([none.status, ((await none.json()) as { code: number }).code]).toEqual([401, TMPL_CODES.badToken[0]]);
  });
});
