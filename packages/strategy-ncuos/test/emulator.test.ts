import { createHash } from 'node:crypto';
import request from 'supertest';
import {
  DEFAULT_APP_CODE,
  DEFAULT_APP_SECRET,
  DEFAULT_CALLBACK_URL,
  DEFAULT_PORT,
  NCUOS_USERS,
  startNcuosEmulator,
  type NcuosEmulator,
} from '@campus-passport/mock-platforms/ncuos';

let emu: NcuosEmulator;
beforeAll(async () => {
  emu = await startNcuosEmulator({ rateLimit: 0 });
});
afterAll(() => emu.close());
afterEach(() => emu.clock.reset());

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
    expect((await request(emu.url).get('/?appCode=nope')).status).toBe(404);
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

  it('form rules: grantType, valid range 604800–2592000, payload shorter than 32', async () => {
    const tok = () => emu.issueLoginToken(8);
    const code = async (f: Record<string, string | number>) => (await verify(sign({ token: tok(), ...f }, nowS()))).body.code;
    expect(await code({ grantType: 'password' })).toBe(1);
    expect(await code({ grantType: 'refresh_token', valid: 604799 })).toBe(1);
    expect(await code({ grantType: 'refresh_token', valid: 2592001 })).toBe(1);
    expect(await code({ grantType: 'refresh_token', valid: 2592000 })).toBe(0);
    expect(await code({ grantType: 'refresh_token', payload: 'x'.repeat(32) })).toBe(1);
    expect(await code({ grantType: 'refresh_token', payload: 'x'.repeat(31) })).toBe(0);
  });

  it('a login token belongs to its app: another app verifying it → 6', async () => {
    emu.registerApp({ appCode: 'other', appSecret: 'other-secret', callbackURL: 'http://127.0.0.1:9/cb' });
    const token = emu.issueLoginToken(8, { appCode: 'other' });
    expect((await verify(sign({ token }, nowS()))).body.code).toBe(6);
  });

  it('empty grantType answers the user only (once mode)', async () => {
    const res = await verify(sign({ token: emu.issueLoginToken(8) }, nowS()));
    expect(res.body).toEqual({
      code: 0,
      data: { userID: 8, name: '孙翔宇', groups: ['研发', '中心'], avatarUrl: expect.any(String) },
    });
  });

  it('rate limit defaults to 60 requests per minute on /api/v1/public', async () => {
    const defaults = await startNcuosEmulator();
    try {
      const hitIt = () => request(defaults.url).post('/api/v1/public/login/verify').send({});
      for (let i = 0; i < 60; i++) expect((await hitIt()).body.code).toBe(1);
      const over = await hitIt();
      expect([over.status, over.body.code]).toEqual([403, 19]);
      defaults.clock.advance(60_000);
      expect((await hitIt()).body.code).toBe(1);
    } finally {
      await defaults.close();
    }
  });

  it('rate limit applies per minute to /api/v1/public only, and is configurable', async () => {
    const limited = await startNcuosEmulator({ rateLimit: 2 });
    try {
      const hitIt = () => request(limited.url).post('/api/v1/public/login/verify').send({});
      expect((await hitIt()).body.code).toBe(1);
      expect((await hitIt()).body.code).toBe(1);
      const third = await hitIt();
      expect([third.status, third.body.code]).toEqual([403, 19]);
      expect((await request(limited.url).post('/api/v1/app/token/access/verify').send({})).body.code).toBe(1);
      limited.resetRateLimit();
      expect((await hitIt()).body.code).toBe(1);
    } finally {
      await limited.close();
    }
  });
});
