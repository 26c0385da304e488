/**
 * The disabled-aid emulator's own behaviour beyond the seed's contract (disabled-aid.contract.test.ts):
 * its defaults, the portal, session ends, and the emulator's optional signature scheme. Raw HTTP
 * only; no strategy package is imported.
 */
import { randomBytes } from 'node:crypto';
import {
  DEFAULT_APP_URL,
  DEFAULT_PORT,
  DEFAULT_SESSION_TTL,
  DISABLED_AID_USERS,
  SIGNATURE_HEADERS,
  USER_ENDPOINTS,
  disabledAidSignature,
  startDisabledAidEmulator,
} from '../src/platforms/disabled-aid';
import { useEmulator } from '../src/testing';

const SIGNING_SECRET = 'da-signing-secret-DO-NOT-LEAK-7f3a';

const emu = useEmulator(startDisabledAidEmulator, (e) => {
  e.setSignatureSecret(undefined);
  e.clock.reset();
});

async function post(path: string, body: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${emu.current.url}${path}`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
  });
  return {
    status: res.status,
    json: (await res.json()) as { success: boolean; message: string; meta: { code: number }; data: unknown },
  };
}

describe('disabled-aid emulator', () => {
  it('exports its defaults', () => {
    expect(DEFAULT_PORT).toBe(4104);
    expect(DEFAULT_APP_URL).toBe('http://localhost:3000/auth/disabled-aid/callback');
    expect(emu.current.appURL).toBe(DEFAULT_APP_URL);
    expect(new Set(DISABLED_AID_USERS.map((u) => u.side))).toEqual(new Set(['governance', 'service', 'collaboration']));
  });

  it('the portal lists the users of each side, each a link with data-user', async () => {
    const html = await (await fetch(`${emu.current.url}/`)).text();
    for (const side of ['governance', 'service', 'collaboration']) expect(html).toContain(`<section data-side="${side}">`);
    for (const u of DISABLED_AID_USERS) {
      expect(html).toContain(`data-user="${u.useruuid}"`);
      expect(html).toContain(`href="/portal/open?user=${u.useruuid}"`);
    }
    expect(await (await fetch(`${emu.current.url}/portal`)).text()).toBe(html);
  });

  it('opening a user starts a session and sends the browser to the app with ?stoken=', async () => {
    const u = DISABLED_AID_USERS[2];
    const res = await fetch(`${emu.current.url}/portal/open?user=${u.useruuid}`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    const link = new URL(res.headers.get('location')!);
    expect(`${link.origin}${link.pathname}`).toBe(DEFAULT_APP_URL);
    const stoken = link.searchParams.get('stoken')!;
    const answer = await post(USER_ENDPOINTS.service, `stoken=${stoken}`);
    expect(answer.json).toMatchObject({ success: true, data: { useruuid: u.useruuid, username: u.username } });
    expect((await fetch(`${emu.current.url}/portal/open?user=nobody`, { redirect: 'manual' })).status).toBe(404);
  });

  it('?app= opens another local app URL (query and fragment kept), never a remote one', async () => {
    const app = 'http://127.0.0.1:5173/page?x=1#frag';
    const html = await (await fetch(`${emu.current.url}/?app=${encodeURIComponent(app)}`)).text();
    expect(html).toContain(`&amp;app=${encodeURIComponent(app)}`);
    const res = await fetch(
      `${emu.current.url}/portal/open?user=${DISABLED_AID_USERS[0].useruuid}&app=${encodeURIComponent(app)}`,
      {
        redirect: 'manual',
      },
    );
    expect(res.headers.get('location')).toMatch(/^http:\/\/127\.0\.0\.1:5173\/page\?x=1&stoken=[0-9a-f]{32}#frag$/);
    const remote = encodeURIComponent('https://evil.example/steal');
    expect((await fetch(`${emu.current.url}/?app=${remote}`)).status).toBe(400);
    expect(
      (await fetch(`${emu.current.url}/portal/open?user=${DISABLED_AID_USERS[0].useruuid}&app=${remote}`, { redirect: 'manual' }))
        .status,
    ).toBe(400);
  });

  it('pinned app URLs: only those open', async () => {
    const pinned = await startDisabledAidEmulator({
      appURL: 'http://localhost:8080/cb',
      allowedAppURLs: ['http://localhost:8080/cb'],
    });
    try {
      const other = encodeURIComponent('http://localhost:9999/cb');
      expect(
        (await fetch(`${pinned.url}/portal/open?user=${DISABLED_AID_USERS[0].useruuid}&app=${other}`, { redirect: 'manual' }))
          .status,
      ).toBe(400);
      const ok = await fetch(`${pinned.url}/portal/open?user=${DISABLED_AID_USERS[0].useruuid}`, { redirect: 'manual' });
      expect(ok.headers.get('location')).toMatch(/^http:\/\/localhost:8080\/cb\?stoken=/);
    } finally {
      await pinned.close();
    }
  });

  it('stokens end with the platform session: expiry on the clock, or logout', async () => {
    const a = emu.current.issueStoken();
    emu.current.clock.advance(DEFAULT_SESSION_TTL - 1000);
    expect((await post(USER_ENDPOINTS.governance, `stoken=${a}`)).json.success).toBe(true);
    emu.current.clock.advance(2000);
    expect((await post(USER_ENDPOINTS.governance, `stoken=${a}`)).json).toMatchObject({ success: false, meta: { code: 40003 } });
    const b = emu.current.issueStoken();
    expect((await post('/portal/logout', `stoken=${b}`)).json.success).toBe(true);
    expect((await post(USER_ENDPOINTS.governance, `stoken=${b}`)).json).toMatchObject({ success: false, meta: { code: 40001 } });
    expect((await post(USER_ENDPOINTS.governance, '')).json).toMatchObject({ success: false, meta: { code: 40000 } });
  });

  it('API paths only take POST', async () => {
    const res = await fetch(`${emu.current.url}${USER_ENDPOINTS.governance}`);
    expect(res.status).toBe(405);
    expect(await res.json()).toMatchObject({ success: false });
  });

  describe('signature check', () => {
    const sign = (path: string, body: string, timestamp: number, nonce = randomBytes(8).toString('hex')) => ({
      [SIGNATURE_HEADERS.timestamp]: String(timestamp),
      [SIGNATURE_HEADERS.nonce]: nonce,
      [SIGNATURE_HEADERS.signature]: disabledAidSignature(SIGNING_SECRET, {
        method: 'POST',
        path,
        timestamp: String(timestamp),
        nonce,
        body,
      }),
    });

    it('accepts a good signature once per nonce, refuses stale, forged and missing ones with HTTP 401', async () => {
      emu.current.setSignatureSecret(SIGNING_SECRET);
      const body = `stoken=${emu.current.issueStoken()}`;
      const path = USER_ENDPOINTS.governance;
      const headers = sign(path, body, emu.current.clock.now());
      expect((await post(path, body, headers)).json.success).toBe(true);
      const replay = await post(path, body, headers);
      expect(replay.status).toBe(401);
      expect(replay.json).toMatchObject({ success: false, message: '接口授权签名无效', meta: { code: 40101 } });
      expect((await post(path, body, sign(path, body, emu.current.clock.now() - 10 * 60_000))).status).toBe(401);
      expect((await post(path, body, sign(path, `${body}x`, emu.current.clock.now()))).status).toBe(401);
      expect((await post(path, body)).status).toBe(401);
      emu.current.setSignatureSecret(undefined);
      expect((await post(path, body)).status).toBe(200);
    });
  });
});
