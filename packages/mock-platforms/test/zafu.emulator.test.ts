/**
 * The `zafu` emulator's own behaviour (what the strategy and client tests rely on), over raw HTTP —
 * no client package is imported.
 */
import { createCipheriv, createHash } from 'node:crypto';
import { useEmulator } from '../src/testing';
import { DEFAULT_PORT, ZAFU_DEFAULT_APP, ZAFU_USERS, startZafuEmulator, zafuEncryptIdCard } from '../src/platforms/zafu';

const { clientId, clientSecret } = ZAFU_DEFAULT_APP;
const emulator = useEmulator(
  () =>
    startZafuEmulator({
      apps: [
        ZAFU_DEFAULT_APP,
        {
          clientId: 'pinned',
          clientSecret: 'pinned-secret',
          appId: '2',
          name: 'pinned',
          redirectUris: ['https://app.example/cb'],
        },
      ],
    }),
  (e) => e.clock.reset(),
);

/** An independent reference: AES-128-ECB + PKCS#7 + Base64 with the key written out by hand (seed §scanrecord.jhtm). */
const referenceIdCard = (plain: string, key: string) => {
  const c = createCipheriv('aes-128-ecb', Buffer.from(key, 'utf8'), null);
  return Buffer.concat([c.update(plain, 'utf8'), c.final()]).toString('base64');
};

const json = (body: unknown) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const form = (body: Record<string, string>, headers: Record<string, string> = {}) => ({
  method: 'POST',
  headers,
  body: new URLSearchParams(body),
});
const appToken = async () => {
  const r = await fetch(
    `${emulator.current.url}/oauth/token`,
    json({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret }),
  );
  return ((await r.json()) as { access_token: string }).access_token;
};
const menulist = (token?: string) =>
  fetch(`${emulator.current.url}/api/menulist${token ? `?access_token=${token}` : ''}`, { method: 'POST' });

describe('zafu emulator: client credentials', () => {
  it('answers the documented shape; the port constant is 4105', async () => {
    expect(DEFAULT_PORT).toBe(4105);
    const r = await fetch(
      `${emulator.current.url}/oauth/token`,
      json({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret }),
    );
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({
      access_token: expect.any(String),
      expires_in: 1209600,
      scope: 'base_api',
      token_type: 'Bearer',
    });
    const g = await fetch(
      `${emulator.current.url}/oauth/token?grant_type=client_credentials&client_id=${clientId}&client_secret=${clientSecret}`,
    );
    expect(g.status).toBe(200);
  });

  it('documented errors: 401 bad secret, 403 access_denied (scope), 400 unsupported_grant_type', async () => {
    expect(
      (
        await fetch(
          `${emulator.current.url}/oauth/token`,
          json({ grant_type: 'client_credentials', client_id: clientId, client_secret: 'x' }),
        )
      ).status,
    ).toBe(401);
    const scope = await fetch(
      `${emulator.current.url}/oauth/token`,
      json({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, scope: 'manaer' }),
    );
    expect(scope.status).toBe(403);
    expect(await scope.json()).toEqual({ error: 'access_denied', error_description: 'Unauthorized scope: manaer' });
    const grant = await fetch(
      `${emulator.current.url}/oauth/token`,
      json({ grant_type: 'client_edentials', client_id: clientId, client_secret: clientSecret }),
    );
    expect(grant.status).toBe(400);
    expect(await grant.json()).toEqual({
      error: 'unsupported_grant_type',
      error_description: 'Unsupported grant type: client_edentials',
    });
  });

  it('every fetch invalidates the previous token: 403 invalid_grant "Access token is expired"', async () => {
    const first = await appToken();
    expect((await menulist(first)).status).toBe(200);
    const second = await appToken();
    const stale = await menulist(first);
    expect(stale.status).toBe(403);
    expect(await stale.json()).toEqual({ error: 'invalid_grant', error_description: 'Access token is expired' });
    expect((await menulist(second)).status).toBe(200);
    expect(emulator.current.tokenEvents.at(-1)).toMatchObject({ event: 'rejected-stale', path: '/api/menulist' });
  });

  it('a token expires after 2 weeks on the emulator clock', async () => {
    const t = await appToken();
    emulator.current.clock.advance(1_209_600_000 - 1000);
    expect((await menulist(t)).status).toBe(200);
    emulator.current.clock.advance(2000);
    expect((await menulist(t)).status).toBe(403);
    expect(emulator.current.currentAppToken()).toBeUndefined();
  });

  it('no token or an unknown token → 401', async () => {
    expect((await menulist()).status).toBe(401);
    const unknown = await menulist('not-a-token');
    expect(unknown.status).toBe(401);
    expect(await unknown.json()).toMatchObject({ error: 'invalid_token' });
  });

  it('scanrecord: its idCard cipher is the reference one (the client package checks it agrees), refuses garbage', async () => {
    const t = await appToken();
    expect(zafuEncryptIdCard('33010219900307123X', '01')).toBe(referenceIdCard('33010219900307123X', '0000000000000001'));
    const q = new URLSearchParams({
      termName: 't',
      termSn: 's',
      name: 'n',
      xgh: '1',
      userType: '教师',
      scanDate: '24-07-04 10:03:04',
      appId: '01',
      access_token: t,
      idCard: 'garbage',
    });
    const r = await fetch(`${emulator.current.url}/api/scanrecord.jhtm?${q}`, { method: 'POST' });
    expect(await r.json()).toMatchObject({ type: 'error', errorFields: ['idCard'] });
  });
});

describe('zafu emulator: website login', () => {
  const redirectUri = 'http://localhost:3000/auth/zafu/callback';
  /** The code exchange with the default app's credentials in the form. */
  const exchange = (c: string, extra: Record<string, string> = {}) =>
    fetch(
      `${emulator.current.url}/oauth/token`,
      form({
        grant_type: 'authorization_code',
        code: c,
        redirect_uri: redirectUri,
        client_id: clientId,
        client_secret: clientSecret,
        ...extra,
      }),
    );

  it('the login page lists every seeded user as a button with data-user, and a deny button', async () => {
    const q = new URLSearchParams({ response_type: 'code', client_id: clientId, redirect_uri: redirectUri, state: 's1' });
    const html = await (await fetch(`${emulator.current.url}/oauth/authorize?${q}`)).text();
    for (const u of ZAFU_USERS) expect(html).toContain(`data-user="${u.id}"`);
    expect(html).toContain('data-deny');
    expect(html).toContain('<form method="post" action="/oauth/authorize">');
    expect(html).toContain(`name="redirect_uri" value="${redirectUri}"`);
  });

  it('unknown client or an unregistered redirect_uri → 400 page, never a redirect', async () => {
    const bad = async (p: Record<string, string>) =>
      (
        await fetch(`${emulator.current.url}/oauth/authorize?${new URLSearchParams({ response_type: 'code', ...p })}`, {
          redirect: 'manual',
        })
      ).status;
    expect(await bad({ client_id: 'nope', redirect_uri: redirectUri })).toBe(400);
    expect(await bad({ client_id: clientId, redirect_uri: 'https://evil.example/cb' })).toBe(400);
    expect(await bad({ client_id: 'pinned', redirect_uri: redirectUri })).toBe(400);
    expect(await bad({ client_id: 'pinned', redirect_uri: 'https://app.example/cb' })).toBe(200);
  });

  it('code: single use, bound to redirect_uri; user info by Bearer or query; refresh_token works', async () => {
    const code = new URL(emulator.current.authorize({ redirectUri, userId: ZAFU_USERS[1].id })).searchParams.get('code')!;
    const ok = await exchange(code);
    expect(ok.status).toBe(200);
    const tokens = (await ok.json()) as { access_token: string; refresh_token: string };
    const again = await exchange(code);
    expect(again.status).toBe(400);
    expect(await again.json()).toMatchObject({ error: 'invalid_grant' });
    const other = new URL(emulator.current.authorize({ redirectUri })).searchParams.get('code')!;
    expect((await exchange(other, { redirect_uri: 'http://localhost:9/x' })).status).toBe(400);

    const me = await fetch(`${emulator.current.url}/oauth/userinfo`, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    expect(await me.json()).toEqual({
      id: '100002',
      xgh: '2022202017',
      name: '陈浩然',
      userType: '学生',
      department: '信息工程学院',
    });
    expect((await fetch(`${emulator.current.url}/oauth/userinfo?access_token=${tokens.access_token}`)).status).toBe(200);
    expect((await fetch(`${emulator.current.url}/oauth/userinfo`, { headers: { authorization: 'Bearer nope' } })).status).toBe(
      401,
    );

    const refreshed = await fetch(
      `${emulator.current.url}/oauth/token`,
      form(
        { grant_type: 'refresh_token', refresh_token: tokens.refresh_token },
        { authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}` },
      ),
    );
    expect(refreshed.status).toBe(200);
    // a website-login token is not an app token
    expect((await menulist(tokens.access_token)).status).toBe(401);
  });

  it('PKCE S256 and plain; a wrong client secret is 401 invalid_client', async () => {
    const verifier = 'v'.repeat(50);
    const s256 = createHash('sha256').update(verifier).digest('base64url');
    for (const [challenge, method] of [
      [s256, 'S256'],
      [verifier, 'plain'],
    ] as const) {
      const code = new URL(
        emulator.current.authorize({ redirectUri, codeChallenge: challenge, codeChallengeMethod: method }),
      ).searchParams.get('code')!;
      const r = await exchange(code, { code_verifier: verifier });
      expect(r.status).toBe(200);
    }
    const code = new URL(
      emulator.current.authorize({ redirectUri, codeChallenge: s256, codeChallengeMethod: 'S256' }),
    ).searchParams.get('code')!;
    const missing = await exchange(code);
    expect(missing.status).toBe(400);
    const wrong = await fetch(
      `${emulator.current.url}/oauth/token`,
      form({ grant_type: 'authorization_code', code: 'x', client_id: clientId, client_secret: 'bad' }),
    );
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ error: 'invalid_client' });
  });

  it('deny → redirect with error=access_denied and the state', async () => {
    const r = await fetch(`${emulator.current.url}/oauth/authorize`, {
      method: 'POST',
      body: new URLSearchParams({
        response_type: 'code',
        client_id: clientId,
        redirect_uri: redirectUri,
        state: 'st',
        deny: '1',
      }),
      redirect: 'manual',
    });
    const loc = new URL(r.headers.get('location')!);
    expect(loc.searchParams.get('error')).toBe('access_denied');
    expect(loc.searchParams.get('state')).toBe('st');
  });
});
