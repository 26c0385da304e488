import { createHash } from 'node:crypto';
import type { Server } from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import request from 'supertest';
import { CampusAuthError } from '@campus-passport/core';
import {
  DEFAULT_APP_CODE,
  DEFAULT_APP_SECRET,
  startNcuosEmulator,
  type NcuosEmulator,
} from '@campus-passport/mock-platforms/ncuos';
import { GeniusAuthClient, signParams, signatureBase, stringifyForSignature } from '../src';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

describe('signParams (fixed vectors)', () => {
  const NOW = 1_700_000_000_123; // → timeStamp 1700000000

  it('adds appCode + timeStamp, sorts keys, appends appSecret, SHA-256 hex', () => {
    const signed = signParams({ token: 'abc', grantType: 'refresh_token', valid: 604800, accessToken: true }, 'demo', 'sec', NOW);
    // written out by hand: keys in byte order, every value stringified, appSecret included
    const base =
      'accessToken=true&appCode=demo&appSecret=sec&grantType=refresh_token&timeStamp=1700000000&token=abc&valid=604800';
    expect(signatureBase({ ...signed }, 'sec')).toBe(base);
    expect(signed).toEqual({
      token: 'abc',
      grantType: 'refresh_token',
      valid: 604800,
      accessToken: true,
      appCode: 'demo',
      timeStamp: 1700000000,
      signature: sha256(base),
    });
    expect(signed).not.toHaveProperty('appSecret');
    // the digest itself, pinned as a literal
    expect(signed.signature).toBe('14a19940d9c7b5d27cbbd28fa1c4522a29a20f6b707f9d357bea6eee7d128ce8');
  });

  it('a token-only call (the shape every token endpoint uses)', () => {
    const signed = signParams({ token: 'eyJ.x.y' }, 'campus-passport-demo', 'S3cr3t!', 1_715_900_000_999);
    expect(signed.signature).toBe(sha256('appCode=campus-passport-demo&appSecret=S3cr3t!&timeStamp=1715900000&token=eyJ.x.y'));
    expect(signed.signature).toBe('b7cf48dbc4a82c450dae827d3040f36975f2cb2a1b9e7987a2c626bf7d60bc24');
  });

  it("non-string values follow Go's fmt.Sprint of the decoded JSON; null/undefined fields are dropped", () => {
    const signed = signParams(
      { flag: false, ids: [1, 2], meta: { b: 'x', a: 1.5 }, skip: undefined, none: null, big: 1e21 },
      'demo',
      'sec',
      NOW,
    );
    const base = 'appCode=demo&appSecret=sec&big=1e+21&flag=false&ids=[1 2]&meta=map[a:1.5 b:x]&timeStamp=1700000000';
    expect(signed.signature).toBe(sha256(base));
    expect(signed).not.toHaveProperty('skip');
    expect(signed).not.toHaveProperty('none');
    expect(stringifyForSignature(null)).toBe('<nil>');
    expect(() => stringifyForSignature(Number.NaN)).toThrow(CampusAuthError);
  });

  it('uppercase keys sort before lowercase (byte order), and a given signature field is replaced', () => {
    const signed = signParams({ Zeta: '1', alpha: '2', signature: 'stale' }, 'c', 's', 0);
    expect(signed.signature).toBe(sha256('Zeta=1&alpha=2&appCode=c&appSecret=s&timeStamp=0'));
    expect(() => signParams({ appSecret: 'x' }, 'c', 's', 0)).toThrow(/appSecret/);
  });
});

describe('GeniusAuthClient against the emulator', () => {
  let emu: NcuosEmulator;
  let client: GeniusAuthClient;
  beforeAll(async () => {
    emu = await startNcuosEmulator({ rateLimit: 0 });
    client = new GeniusAuthClient({
      appCode: DEFAULT_APP_CODE,
      appSecret: DEFAULT_APP_SECRET,
      baseURL: emu.url,
      now: () => emu.clock.now(),
    });
  });
  afterAll(() => emu.close());
  afterEach(() => {
    emu.clock.reset();
    emu.clearFaults();
  });

  const login = (userId = 8, opts: Parameters<GeniusAuthClient['verifyLogin']>[1] = {}) =>
    client.verifyLogin(emu.issueLoginToken(userId), opts);

  it('loginURL points at the platform page with the appCode', () => {
    expect(client.loginURL()).toBe(`${emu.url}/?appCode=${DEFAULT_APP_CODE}`);
  });

  it('signs POST calls in a JSON body and GET/DELETE calls in the query', async () => {
    emu.clearRequests();
    const answer = await login();
    await client.getPublicUserInfo([8]);
    await client.destroyRefreshToken(answer.refreshToken!);
    const [post, get, del] = emu.requests;
    expect(post.headers['content-type']).toMatch(/application\/json/);
    expect(post.body).toMatchObject({ appCode: DEFAULT_APP_CODE, grantType: 'refresh_token', signature: expect.any(String) });
    expect(post.body).not.toHaveProperty('appSecret');
    expect(get.method).toBe('GET');
    expect(get.query).toMatchObject({ id: '8', appCode: DEFAULT_APP_CODE, signature: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(del.method).toBe('DELETE');
    expect(del.query).toMatchObject({ token: answer.refreshToken, signature: expect.any(String) });
    for (const r of emu.requests) expect(r.rawBody + JSON.stringify(r.query)).not.toContain(DEFAULT_APP_SECRET);
  });

  it('refresh → access → user info round trip', async () => {
    const answer = await login(8, { payload: 'cart-42' });
    expect(answer).toMatchObject({ userID: 8, name: '孙翔宇', groups: ['研发', '中心'] });
    const { accessToken, payload } = await client.refreshAccessToken(answer.refreshToken!);
    expect(payload).toBe('cart-42');
    expect(accessToken).not.toBe(answer.accessToken);
    expect(await client.verifyAccessToken(accessToken)).toEqual({ uid: 8, payload: 'cart-42' });
    expect(await client.getUserInfo(accessToken)).toEqual({
      userID: 8,
      name: '孙翔宇',
      groups: ['研发', '中心'],
      avatarUrl: expect.any(String),
    });
  });

  it('access tokens expire after 5 minutes; the refresh token mints a new one', async () => {
    const answer = await login();
    emu.clock.advance(5 * 60_000 + 1000);
    await expect(client.verifyAccessToken(answer.accessToken!)).rejects.toMatchObject({
      code: 'ERR_INVALID_CREDENTIAL',
      platformCode: 31,
    });
    const fresh = await client.refreshAccessToken(answer.refreshToken!);
    expect((await client.verifyAccessToken(fresh.accessToken)).uid).toBe(8);
  });

  it('refresh tokens expire after `valid` seconds', async () => {
    const answer = await login(9, { valid: 604800 });
    emu.clock.advance(604800 * 1000 + 1000);
    await expect(client.refreshAccessToken(answer.refreshToken!)).rejects.toMatchObject({ code: 'ERR_INVALID_CREDENTIAL' });
  });

  it('payload change: a new refresh token (and access token) carrying the new payload', async () => {
    const answer = await login(8, { payload: 'old' });
    const changed = await client.modifyPayload(answer.refreshToken!, 'new-payload', { accessToken: true });
    expect(changed.refreshToken).toEqual(expect.any(String));
    expect(await client.verifyAccessToken(changed.accessToken!)).toEqual({ uid: 8, payload: 'new-payload' });
    expect((await client.refreshAccessToken(changed.refreshToken)).payload).toBe('new-payload');
    const noAccess = await client.modifyPayload(changed.refreshToken, 'third');
    expect(noAccess).toEqual({ refreshToken: expect.any(String) });
    await expect(client.modifyPayload(changed.refreshToken, 'x'.repeat(32))).rejects.toMatchObject({ code: 'ERR_CONFIG' });
  });

  it('destroy then refresh fails (and its access tokens die with it)', async () => {
    const answer = await login();
    await client.destroyRefreshToken(answer.refreshToken!);
    await expect(client.refreshAccessToken(answer.refreshToken!)).rejects.toMatchObject({
      code: 'ERR_INVALID_CREDENTIAL',
      platformCode: 31,
    });
    await expect(client.verifyAccessToken(answer.accessToken!)).rejects.toMatchObject({ code: 'ERR_INVALID_CREDENTIAL' });
    await expect(client.destroyRefreshToken(answer.refreshToken!)).rejects.toMatchObject({ code: 'ERR_INVALID_CREDENTIAL' });
  });

  it('grantType once: the user only, no tokens', async () => {
    const answer = await login(9, { grantType: 'once' });
    expect(answer.refreshToken).toBeUndefined();
    expect(answer.accessToken).toBeUndefined();
    expect(answer.name).toBe('李晓燕');
  });

  it('used or expired login token → ERR_INVALID_CREDENTIAL (code 31)', async () => {
    const token = emu.issueLoginToken(8);
    await client.verifyLogin(token);
    await expect(client.verifyLogin(token)).rejects.toMatchObject({ code: 'ERR_INVALID_CREDENTIAL', platformCode: 31 });
    const old = emu.issueLoginToken(8);
    emu.clock.advance(5 * 60_000 + 1);
    await expect(client.verifyLogin(old)).rejects.toMatchObject({ code: 'ERR_INVALID_CREDENTIAL', platformCode: 31 });
  });

  it('wrong secret → ERR_PLATFORM code 6 naming the secret, never showing it', async () => {
    const wrong = new GeniusAuthClient({ appCode: DEFAULT_APP_CODE, appSecret: 'not-the-right-secret', baseURL: emu.url });
    const err = (await wrong.verifyLogin(emu.issueLoginToken(8)).catch((e: unknown) => e)) as CampusAuthError;
    expect(err).toMatchObject({ code: 'ERR_PLATFORM', platformCode: 6, upstreamStatus: 401, retryable: false });
    expect(err.message).toMatch(/appSecret/);
    expect(JSON.stringify(err.toJSON()) + err.stack).not.toContain('not-the-right-secret');
  });

  it('clock skew → ERR_PLATFORM code 9 naming the clock (both directions of the window)', async () => {
    const skewed = (offsetMs: number) =>
      new GeniusAuthClient({
        appCode: DEFAULT_APP_CODE,
        appSecret: DEFAULT_APP_SECRET,
        baseURL: emu.url,
        now: () => emu.clock.now() + offsetMs,
      });
    const late = await skewed(-6 * 60_000)
      .verifyLogin(emu.issueLoginToken(8))
      .catch((e: unknown) => e);
    expect(late).toMatchObject({ code: 'ERR_PLATFORM', platformCode: 9, upstreamStatus: 403 });
    expect((late as Error).message).toMatch(/clock/);
    await expect(skewed(30_000).verifyLogin(emu.issueLoginToken(8))).rejects.toMatchObject({ platformCode: 9 });
    // inside the window (4 minutes late, 5 seconds early) is fine
    await expect(skewed(-4 * 60_000).verifyLogin(emu.issueLoginToken(8))).resolves.toMatchObject({ userID: 8 });
    await expect(skewed(5_000).verifyLogin(emu.issueLoginToken(8))).resolves.toMatchObject({ userID: 8 });
  });

  it('unknown appCode → ERR_PLATFORM code 3', async () => {
    const stranger = new GeniusAuthClient({ appCode: 'no-such-app', appSecret: 'x-secret', baseURL: emu.url });
    const err = await stranger.verifyLogin('tok').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ERR_PLATFORM', platformCode: 3, upstreamStatus: 404 });
    expect((err as Error).message).toMatch(/appCode/);
  });

  it('code 5 → ERR_PLATFORM, retryable', async () => {
    emu.failRemote(1);
    await expect(login()).rejects.toMatchObject({ code: 'ERR_PLATFORM', platformCode: 5, retryable: true });
  });

  it('users without a group (7) or identity (26) → ERR_DENIED', async () => {
    await expect(login(10)).rejects.toMatchObject({ code: 'ERR_DENIED', platformCode: 7 });
    await expect(login(11)).rejects.toMatchObject({ code: 'ERR_DENIED', platformCode: 26 });
  });

  it('clientIp mismatch (20) → ERR_DENIED', async () => {
    await expect(client.verifyLogin(emu.issueLoginToken(8, { ip: '10.0.0.1' }), { clientIp: '127.0.0.1' })).rejects.toMatchObject(
      {
        code: 'ERR_DENIED',
        platformCode: 20,
      },
    );
    await expect(client.verifyLogin(emu.issueLoginToken(8), { clientIp: '127.0.0.1' })).resolves.toMatchObject({ userID: 8 });
  });

  it('public user info by ids', async () => {
    expect(await client.getPublicUserInfo([8, '9'])).toEqual([
      {
        id: 8,
        name: '孙翔宇',
        avatarUrl: expect.any(String),
        groups: [
          { id: 1, name: '研发' },
          { id: 2, name: '中心' },
        ],
      },
      { id: 9, name: '李晓燕', avatarUrl: expect.any(String), groups: [{ id: 3, name: '设计' }] },
    ]);
    await expect(client.getPublicUserInfo([])).rejects.toMatchObject({ code: 'ERR_CONFIG' });
  });

  it('platform faults map to stable codes', async () => {
    emu.inject({ kind: 'html' });
    await expect(login()).rejects.toMatchObject({ code: 'ERR_BAD_RESPONSE' });
    emu.inject({ kind: 'json', body: { data: {} } });
    await expect(login()).rejects.toMatchObject({ code: 'ERR_BAD_RESPONSE' });
    emu.inject({ kind: 'json', status: 502, body: { error: 'bad gateway' } });
    await expect(login()).rejects.toMatchObject({ code: 'ERR_PLATFORM', retryable: true });
    emu.inject({ kind: 'json', body: { code: 99, msg: 'new code' } });
    await expect(login()).rejects.toMatchObject({ code: 'ERR_PLATFORM', platformCode: 99 });
  });

  it('options are validated, naming the option', () => {
    const make = (o: object) => () => new GeniusAuthClient({ appCode: 'a', appSecret: 's', ...o });
    expect(make({ appCode: '' })).toThrow(/"appCode"/);
    expect(make({ appSecret: undefined })).toThrow(/"appSecret"/);
    expect(make({ baseURL: 'ftp://x' })).toThrow(/"baseURL"/);
    expect(make({ timeout: 0 })).toThrow(/"timeout"/);
    expect(make({ now: 5 })).toThrow(/"now"/);
    expect(make({})()).toBeInstanceOf(GeniusAuthClient);
    expect(make({})().baseURL).toBe('https://v.ncuos.com');
  });
});

describe('requireAccessToken() middleware', () => {
  let emu: NcuosEmulator;
  let client: GeniusAuthClient;
  let server: Server;
  const app = express();
  beforeAll(async () => {
    emu = await startNcuosEmulator({ rateLimit: 0 });
    client = new GeniusAuthClient({
      appCode: DEFAULT_APP_CODE,
      appSecret: DEFAULT_APP_SECRET,
      baseURL: emu.url,
      now: () => emu.clock.now(),
    });
    app.get('/api/me', client.requireAccessToken(), (req: Request, res: Response) => {
      res.json({ ncuos: req.ncuos });
    });
    app.use((err: CampusAuthError, _req: Request, res: Response, _next: NextFunction) => {
      res.status(err.status ?? 500).json({ handledBy: 'app', code: err.code });
    });
    server = app.listen(0, '127.0.0.1');
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
    await emu.close();
  });
  afterEach(() => emu.clock.reset());

  it('a valid Bearer access token → req.ncuos = { uid, payload }', async () => {
    const { accessToken } = await client.verifyLogin(emu.issueLoginToken(9), { payload: 'p1' });
    const res = await request(server).get('/api/me').set('authorization', `Bearer ${accessToken}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ncuos: { uid: 9, payload: 'p1' } });
  });

  it('no or malformed Authorization → 401 ERR_NO_CREDENTIAL', async () => {
    for (const header of [undefined, 'Basic abc', 'Bearer ', 'Bearer a b']) {
      const req = request(server).get('/api/me');
      const res = await (header === undefined ? req : req.set('authorization', header));
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('ERR_NO_CREDENTIAL');
      expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
    }
  });

  it('an unknown or expired token → 401 ERR_INVALID_CREDENTIAL, invalid_token', async () => {
    const bogus = await request(server).get('/api/me').set('authorization', 'Bearer not.a.token');
    expect(bogus.status).toBe(401);
    expect(bogus.body.code).toBe('ERR_INVALID_CREDENTIAL');
    expect(bogus.headers['www-authenticate']).toContain('error="invalid_token"');
    const { accessToken } = await client.verifyLogin(emu.issueLoginToken(8));
    emu.clock.advance(5 * 60_000 + 1000);
    const expired = await request(server).get('/api/me').set('authorization', `Bearer ${accessToken}`);
    expect(expired.status).toBe(401);
    expect(expired.text).not.toContain(accessToken!);
  });

  it('a platform failure goes to the app error handler via next(err)', async () => {
    const { accessToken } = await client.verifyLogin(emu.issueLoginToken(8));
    emu.inject({ kind: 'status', status: 500, body: 'boom' });
    const res = await request(server).get('/api/me').set('authorization', `Bearer ${accessToken}`);
    expect(res.status).toBe(502);
    expect(res.body).toEqual({ handledBy: 'app', code: 'ERR_BAD_RESPONSE' });
  });
});

describe('rate limit (code 19)', () => {
  let emu: NcuosEmulator;
  beforeAll(async () => {
    emu = await startNcuosEmulator({ rateLimit: 3 });
  });
  afterAll(() => emu.close());

  it('past the limit → ERR_RATE_LIMITED (retryable); a new minute resets it', async () => {
    const client = new GeniusAuthClient({
      appCode: DEFAULT_APP_CODE,
      appSecret: DEFAULT_APP_SECRET,
      baseURL: emu.url,
      now: () => emu.clock.now(),
    });
    let refreshToken = '';
    for (let i = 0; i < 3; i++) refreshToken = (await client.verifyLogin(emu.issueLoginToken(8))).refreshToken!;
    const err = await client.verifyLogin(emu.issueLoginToken(8)).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ERR_RATE_LIMITED', platformCode: 19, upstreamStatus: 403, retryable: true });
    // only the public routes are limited: the app token routes still answer
    await expect(client.refreshAccessToken(refreshToken)).resolves.toMatchObject({ payload: '' });
    emu.clock.advance(60_000);
    await expect(client.verifyLogin(emu.issueLoginToken(8))).resolves.toMatchObject({ userID: 8 });
  });
});
