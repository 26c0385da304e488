/**
 * The NCUOS GeniusAuth emulator's own behaviour, over raw HTTP (independent of @campus-passport/ncuos):
 * the demo registration, the login page, the signature window, verify's form rules, single-use login
 * tokens and the login-page rate limit.
 */
import { createHash } from 'node:crypto';
import request from 'supertest';
import { useEmulator } from '../src/testing';
import {
  DEFAULT_APP_CODE,
  DEFAULT_APP_SECRET,
  DEFAULT_CALLBACK_URL,
  DEFAULT_PORT,
  NCUOS_USERS,
  startNcuosEmulator,
  type NcuosEmulator,
} from '../src/platforms/ncuos';

const started = useEmulator(() => startNcuosEmulator({ rateLimit: 0 }));
let emu: NcuosEmulator;
beforeAll(() => {
  emu = started.current;
});

/** Sign independently of the package under test: the platform's algorithm, spelled out. */
function sign(fields: Record<string, string | number | boolean>, tsSeconds: number, secret = DEFAULT_APP_SECRET) {
  const all: Record<string, string | number | boolean> = { ...fields, appCode: DEFAULT_APP_CODE, timeStamp: tsSeconds };
  const base = Object.keys({ ...all, appSecret: '' })
    .sort()
    .map((k) => `${k}=${k === 'appSecret' ? secret : String(all[k])}`)
    .join('&');
  return { ...all, signature: createHash('sha256').update(base).digest('hex') };
}
const nowS = () => Math.floor(emu.clock.now() / 1000);
const verify = (body: object) => request(emu.url).post('/api/v1/public/login/verify').send(body);

describe('ncuos emulator', () => {
  it('exports the demo registration and fixed port', () => {
    expect(DEFAULT_PORT).toBe(4103);
    expect(DEFAULT_CALLBACK_URL).toBe('http://localhost:3000/auth/ncuos/callback');
    expect(emu.apps.get(DEFAULT_APP_CODE)).toEqual({
      appCode: DEFAULT_APP_CODE,
      appSecret: DEFAULT_APP_SECRET,
      callbackURL: DEFAULT_CALLBACK_URL,
    });
  });

  it('login page lists every seeded user as a data-user button; unknown appCode → 404', async () => {
    const res = await request(emu.url).get(`/?appCode=${DEFAULT_APP_CODE}`);
    for (const u of NCUOS_USERS) expect(res.text).toContain(`data-user="${u.id}"`);
    const unknown = await request(emu.url).get('/?appCode=nope');
    expect(unknown.status).toBe(404);
    expect(unknown.text).toContain('data-code="3"');
    const picked = await request(emu.url).get(`/login/authorize?appCode=${DEFAULT_APP_CODE}&user=9`);
    expect(picked.headers.location).toMatch(/^http:\/\/localhost:3000\/auth\/ncuos\/callback\?token=/);
  });

  it('the timeStamp window is −10 s … +5 min of the emulator clock', async () => {
    const t = nowS();
    // the clock runs on between signing and checking, so stay 2 s inside the edges
    const ok = [t - 298, t + 8];
    const late = [t - 302, t + 12];
    for (const ts of ok) expect((await verify(sign({ token: emu.issueLoginToken(8) }, ts))).body.code).toBe(0);
    for (const ts of late) {
      const res = await verify(sign({ token: emu.issueLoginToken(8) }, ts));
      expect(res.status).toBe(403);
      expect(res.body.code).toBe(9);
    }
  });

  it('missing signature fields → code 1; bad signature → 6; unknown app → 3', async () => {
    expect((await verify({ token: 'x' })).body.code).toBe(1);
    const bad = await verify(sign({ token: 'x' }, nowS(), 'wrong'));
    expect([bad.status, bad.body.code]).toEqual([401, 6]);
    const tampered = { ...sign({ token: 'x' }, nowS()), token: 'y' };
    expect((await verify(tampered)).body.code).toBe(6);
    const unknown = { ...sign({ token: 'x' }, nowS()), appCode: 'nope' };
    expect((await verify(unknown)).body).toMatchObject({ code: 3 });
  });

  // verify.go CompleteLogin: grantType eq=|refresh_token|once; payload max=32 (runes); valid min=0,max=2592000,
  // and in refresh_token mode 1–604799 refused with a tip
  it('form rules: grantType, valid 0 | 604800–2592000, payload up to 32 characters', async () => {
    const tok = () => emu.issueLoginToken(8);
    const answer = async (f: Record<string, string | number>) => (await verify(sign({ token: tok(), ...f }, nowS()))).body;
    const code = async (f: Record<string, string | number>) => (await answer(f)).code;
    expect(await code({ grantType: 'password' })).toBe(1);
    expect(await answer({ grantType: 'refresh_token', valid: 604799 })).toEqual({
      code: 1,
      msg: 'valid time too short, min 604800 seconds (7 days)',
    });
    expect(await code({ grantType: 'refresh_token', valid: 2592001 })).toBe(1);
    expect(await code({ grantType: 'refresh_token', valid: 2592000 })).toBe(0);
    expect(await code({ grantType: 'refresh_token', valid: 0 })).toBe(0);
    expect(await code({ grantType: 'once', valid: 5 })).toBe(0); // bound, then unused in once mode
    expect(await code({ grantType: 'refresh_token', payload: 'x'.repeat(32) })).toBe(0);
    expect(await code({ grantType: 'refresh_token', payload: 'x'.repeat(33) })).toBe(1);
    expect(await code({ grantType: 'refresh_token', payload: '家'.repeat(32) })).toBe(0);
    expect(await code({ grantType: 'refresh_token', payload: '😀'.repeat(32) })).toBe(0); // 64 UTF-16 units, 32 runes
  });

  it('a login token is not bound to the verifying app (verify.go checks no app); its refresh token is the verifier’s', async () => {
    emu.registerApp({ appCode: 'other', appSecret: 'other-secret', callbackURL: 'http://127.0.0.1:9/cb' });
    const token = emu.issueLoginToken(8, { appCode: 'other' });
    const res = await verify(sign({ token, grantType: 'refresh_token' }, nowS()));
    expect(res.body).toMatchObject({ code: 0, data: { userID: 8 } });
    const refresh = await request(emu.url)
      .post('/api/v1/app/token/refresh/')
      .send(sign({ token: res.body.data.refreshToken }, nowS()));
    expect(refresh.body).toEqual({ code: 0, data: { access_token: expect.any(String) } });
  });

  it('empty grantType answers the user only (once mode), with empty token fields (no omitempty)', async () => {
    const res = await verify(sign({ token: emu.issueLoginToken(8) }, nowS()));
    expect(res.body).toEqual({
      code: 0,
      data: {
        userID: 8,
        name: '孙翔宇',
        groups: ['研发', '中心'],
        avatarUrl: expect.any(String),
        refreshToken: '',
        accessToken: '',
      },
    });
  });

  it('a used or expired login token → code 6, HTTP 401 (not 31)', async () => {
    const token = emu.issueLoginToken(8);
    expect((await verify(sign({ token }, nowS()))).body.code).toBe(0);
    const again = await verify(sign({ token }, nowS()));
    expect([again.status, again.body]).toEqual([401, { code: 6, msg: '身份校验失败，令牌失效或过期' }]);
    const old = emu.issueLoginToken(8);
    emu.clock.advance(5 * 60_000 + 1);
    const expired = await verify(sign({ token: old }, nowS()));
    expect([expired.status, expired.body.code]).toEqual([401, 6]);
  });

  it('the login page refuses a user without a group (7) or identity (26); verify never sees them', async () => {
    for (const [user, code] of [
      [10, 7],
      [11, 26],
    ]) {
      const res = await request(emu.url).get(`/login/authorize?appCode=${DEFAULT_APP_CODE}&user=${user}`);
      expect(res.status).toBe(403);
      expect(res.headers.location).toBeUndefined();
      expect(res.text).toContain(`data-code="${code}"`);
      expect(() => emu.issueLoginToken(user)).toThrow(new RegExp(`code ${code}`));
    }
    // the public login API the SPA calls answers the same
    const api = await request(emu.url).post(`/api/v1/public/login/feishu/${DEFAULT_APP_CODE}`).send({ code: '10' });
    expect([api.status, api.body]).toEqual([403, { code: 7, msg: '找不到身份组，请联系管理员处理' }]);
  });

  it('rate limit: 60 per minute per client IP on the login-page routes; verify is not limited', async () => {
    const defaults = await startNcuosEmulator();
    try {
      const page = () => request(defaults.url).get(`/login/authorize?appCode=${DEFAULT_APP_CODE}&user=8`);
      for (let i = 0; i < 60; i++) expect((await page()).status).toBe(302);
      const over = await page();
      expect(over.status).toBe(403);
      expect(over.text).toContain('data-code="19"');
      // the API behind the page shares the counter
      const api = await request(defaults.url).post(`/api/v1/public/login/feishu/${DEFAULT_APP_CODE}`).send({ code: '8' });
      expect([api.status, api.body.code]).toEqual([403, 19]);
      // verify is outside Secure(): 61+ signed calls still answer
      for (let i = 0; i < 3; i++) {
        const r = await request(defaults.url)
          .post('/api/v1/public/login/verify')
          .send(sign({ token: defaults.issueLoginToken(8) }, nowS()));
        expect(r.body.code).toBe(0);
      }
      defaults.clock.advance(60_000);
      expect((await page()).status).toBe(302);
    } finally {
      await defaults.close();
    }
  });

  it('rate limit is configurable and can be reset', async () => {
    const limited = await startNcuosEmulator({ rateLimit: 2 });
    try {
      const hitIt = () => request(limited.url).get(`/?appCode=${DEFAULT_APP_CODE}`);
      expect((await hitIt()).status).toBe(200);
      expect((await hitIt()).status).toBe(200);
      expect((await hitIt()).status).toBe(403);
      expect((await request(limited.url).post('/api/v1/app/token/access/verify').send({})).body.code).toBe(1);
      limited.resetRateLimit();
      expect((await hitIt()).status).toBe(200);
    } finally {
      await limited.close();
    }
  });

  it('rotateKey() (test hook): the keypair route serves the new key, jwtPublicKeyPem follows, old tokens stop verifying', async () => {
    const rotating = await startNcuosEmulator({ rateLimit: 0 });
    try {
      const ts = () => Math.floor(rotating.clock.now() / 1000);
      const post = (path: string, fields: Record<string, string | number | boolean>) =>
        request(rotating.url).post(path).send(sign(fields, ts()));
      const serverKey = async () => {
        const q = new URLSearchParams(Object.entries(sign({}, ts())).map(([k, v]): [string, string] => [k, String(v)]));
        const res = await request(rotating.url).get(`/api/v1/app/keypair/server?${q}`);
        return Buffer.from(res.body.data.jwt as string, 'base64').toString();
      };
      const before = await post('/api/v1/public/login/verify', {
        token: rotating.issueLoginToken(8),
        grantType: 'refresh_token',
      });
      const { accessToken, refreshToken } = before.body.data as { accessToken: string; refreshToken: string };
      const pem1 = await serverKey();
      expect(pem1).toBe(rotating.jwtPublicKeyPem);

      rotating.rotateKey();
      const pem2 = await serverKey();
      expect(pem2).not.toBe(pem1);
      expect(pem2).toBe(rotating.jwtPublicKeyPem);
      expect(pem2).toMatch(/^-----BEGIN EC PUBLIC KEY-----\n/);
      // tokens signed with the old key: invalid (31) — the refresh record itself still exists
      expect((await post('/api/v1/app/token/access/verify', { token: accessToken })).body.code).toBe(31);
      expect((await post('/api/v1/app/token/refresh/', { token: refreshToken })).body.code).toBe(31);
      // new tokens are signed with the new key
      const after = await post('/api/v1/public/login/verify', { token: rotating.issueLoginToken(9), grantType: 'refresh_token' });
      expect((await post('/api/v1/app/token/access/verify', { token: after.body.data.accessToken })).body).toEqual({
        code: 0,
        data: { uid: 9 },
      });
    } finally {
      await rotating.close();
    }
  });
});
