import { createHash } from 'node:crypto';
import { CampusAuthError } from '@campus-passport/core';
import { useEmulator } from '@campus-passport/mock-platforms/testing';
import {
  DEFAULT_APP_CODE,
  DEFAULT_APP_SECRET,
  startNcuosEmulator,
  type NcuosEmulator,
} from '@campus-passport/mock-platforms/ncuos';
import {
  checkLoginOptions,
  GeniusAuthClient,
  NcuosClient,
  PATHS,
  SIGNATURE_PROOF_TTL_MS,
  signParams,
  signatureBase,
  stringifyForSignature,
} from '../src';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** A client of the demo app on `emu`, on the emulator's clock (`offsetMs` skews it). */
const demoClient = (emu: NcuosEmulator, o: { appSecret?: string; offsetMs?: number } = {}) =>
  new GeniusAuthClient({
    appCode: DEFAULT_APP_CODE,
    appSecret: o.appSecret ?? DEFAULT_APP_SECRET,
    baseURL: emu.url,
    now: () => emu.clock.now() + (o.offsetMs ?? 0),
  });

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

  it("keys sort in UTF-8 byte order like Go's sort.Strings, not JavaScript's UTF-16 order", () => {
    // U+FF5E is EF BD 9E in UTF-8, U+1F600 is F0 9F 98 80: Go puts ～ first; a plain JS sort puts 😀 first
    expect(['😀', '～'].sort()).toEqual(['😀', '～']);
    expect(signatureBase({ '😀': 'a', '～': 'b', m: { '😀': 1, '～': 2 } }, 's')).toBe('appSecret=s&m=map[～:2 😀:1]&～=b&😀=a');
  });
});

describe('GeniusAuthClient against the emulator', () => {
  const started = useEmulator(() => startNcuosEmulator({ rateLimit: 0 }));
  let emu: NcuosEmulator;
  let client: GeniusAuthClient;
  beforeAll(() => {
    emu = started.current;
    client = demoClient(emu);
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
    // Ed25519 JWTs (jwt.go GenerateToken); deterministic, so one minted in the same second may equal the first
    expect(JSON.parse(Buffer.from(accessToken.split('.')[0], 'base64url').toString())).toEqual({ alg: 'EdDSA', typ: 'JWT' });
    expect(await client.verifyAccessToken(accessToken)).toEqual({ uid: 8, payload: 'cart-42' });
    expect(await client.getUserInfo(accessToken)).toEqual({
      userID: 8,
      name: '孙翔宇',
      groups: ['研发', '中心'],
      avatarUrl: expect.any(String),
    });
  });

  it('access tokens expire after 5 minutes (plus the 3 s JWT leeway); the refresh token mints a new one', async () => {
    const answer = await login();
    emu.clock.advance(5 * 60_000 - 1000);
    await expect(client.verifyAccessToken(answer.accessToken!)).resolves.toMatchObject({ uid: 8 });
    emu.clock.advance(5000);
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
    // token.go ModifyRefreshPayload: payload binding:"required" only — no length rule on PATCH
    await expect(client.modifyPayload(changed.refreshToken, 'x'.repeat(40))).resolves.toMatchObject({
      refreshToken: expect.any(String),
    });
    emu.clearRequests();
    await expect(client.modifyPayload(changed.refreshToken, '')).rejects.toMatchObject({ code: 'ERR_CONFIG' });
    expect(emu.requests).toHaveLength(0);
  });

  it('verify payload: 32 characters (code points) accepted, 33 refused before any call', async () => {
    await expect(login(8, { payload: 'p'.repeat(32) })).resolves.toMatchObject({ userID: 8 });
    await expect(login(8, { payload: '😀'.repeat(32) })).resolves.toMatchObject({ userID: 8 });
    emu.clearRequests();
    await expect(login(8, { payload: 'p'.repeat(33) })).rejects.toMatchObject({ code: 'ERR_CONFIG' });
    expect(emu.requests.filter((r) => r.path === PATHS.verifyLogin)).toHaveLength(0);
  });

  it('valid: 0 (platform default) and 604800–2592000 accepted; 1–604799 and 2592001 refused', async () => {
    expect(() => checkLoginOptions({ valid: 0 })).not.toThrow();
    await expect(login(8, { valid: 0 })).resolves.toMatchObject({ refreshToken: expect.any(String) });
    for (const valid of [1, 604_799, 2_592_001, 604_800.5, -1]) expect(() => checkLoginOptions({ valid })).toThrow(/"valid"/);
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

  const probes = () => emu.requests.filter((r) => r.path === PATHS.serverKeys).length;
  const fresh = (appSecret = DEFAULT_APP_SECRET) => demoClient(emu, { appSecret });

  it('used or expired login token (code 6, HTTP 401) → ERR_INVALID_CREDENTIAL; a recent success proves the signature', async () => {
    const c = fresh();
    const token = emu.issueLoginToken(8);
    await c.verifyLogin(token);
    emu.clearRequests();
    await expect(c.verifyLogin(token)).rejects.toMatchObject({
      code: 'ERR_INVALID_CREDENTIAL',
      platformCode: 6,
      upstreamStatus: 401,
      status: 401,
    });
    expect(probes()).toBe(0); // the first verify (code 0) already proved the signature
    const old = emu.issueLoginToken(8);
    emu.clock.advance(5 * 60_000 + 1);
    await expect(c.verifyLogin(old)).rejects.toMatchObject({ code: 'ERR_INVALID_CREDENTIAL', platformCode: 6 });
    expect(probes()).toBe(1); // the proof was 5 minutes old: checked once more
  });

  it('code 6 without a proof: one signed GET /api/v1/app/keypair/server, shared by a burst, cached while young', async () => {
    const c = fresh();
    const token = emu.issueLoginToken(8, {});
    await fresh().verifyLogin(token); // used up by someone else
    emu.clearRequests();
    const burst = await Promise.all(Array.from({ length: 5 }, () => c.verifyLogin(token).catch((e: unknown) => e)));
    for (const e of burst) expect(e).toMatchObject({ code: 'ERR_INVALID_CREDENTIAL', platformCode: 6 });
    expect(probes()).toBe(1);
    const probe = emu.requests.find((r) => r.path === PATHS.serverKeys)!;
    expect(probe.method).toBe('GET');
    expect(Object.keys(probe.query).sort()).toEqual(['appCode', 'signature', 'timeStamp']);
    await expect(c.verifyLogin(token)).rejects.toMatchObject({ code: 'ERR_INVALID_CREDENTIAL' });
    emu.clock.advance(SIGNATURE_PROOF_TTL_MS - 2000);
    await expect(c.verifyLogin(token)).rejects.toMatchObject({ code: 'ERR_INVALID_CREDENTIAL' });
    expect(probes()).toBe(1);
    emu.clock.advance(3000);
    await expect(c.verifyLogin(token)).rejects.toMatchObject({ code: 'ERR_INVALID_CREDENTIAL' });
    expect(probes()).toBe(2);
  });

  it('wrong secret (code 6, and the check says so too) → ERR_CONFIG naming appCode and appSecret, never showing it', async () => {
    const wrong = fresh('not-the-right-secret');
    emu.clearRequests();
    const err = (await wrong.verifyLogin(emu.issueLoginToken(8)).catch((e: unknown) => e)) as CampusAuthError;
    expect(err).toMatchObject({ code: 'ERR_CONFIG', platformCode: 6, upstreamStatus: 401, retryable: false, status: 500 });
    expect(err.message).toMatch(/"appSecret"/);
    expect(err.message).toMatch(/"appCode"/);
    expect(JSON.stringify(err.toJSON()) + err.stack).not.toContain('not-the-right-secret');
    expect(probes()).toBe(1);
    // negative results are not cached: a second attempt checks again
    await expect(wrong.verifyLogin(emu.issueLoginToken(8))).rejects.toMatchObject({ code: 'ERR_CONFIG' });
    expect(probes()).toBe(2);
    // calls that carry no token need no check: their code 6 can only be the signature
    emu.clearRequests();
    await expect(wrong.getPublicUserInfo([8])).rejects.toMatchObject({ code: 'ERR_CONFIG', platformCode: 6 });
    expect(probes()).toBe(0);
  });

  it('code 6 and a failing signature check → an error carrying the check’s failure (no guess)', async () => {
    const c = fresh();
    const token = emu.issueLoginToken(8);
    await fresh().verifyLogin(token);
    emu.inject({ kind: 'json', status: 503, body: { message: 'maintenance' } }, { path: PATHS.serverKeys });
    const err = await c.verifyLogin(token).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ERR_PLATFORM', platformCode: 6, retryable: true });
    expect((err as Error).message).toMatch(/signature check/);
  });

  it('clock skew → ERR_PLATFORM code 9 naming the clock (both directions of the window)', async () => {
    const skewed = (offsetMs: number) => demoClient(emu, { offsetMs });
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

  it('codes 7 / 26 come from the login page, never from verify; if answered they map to ERR_DENIED', async () => {
    expect(() => emu.issueLoginToken(10)).toThrow(/code 7/);
    expect(() => emu.issueLoginToken(11)).toThrow(/code 26/);
    emu.inject({ kind: 'json', status: 403, body: { code: 7, msg: 'x' } });
    await expect(login()).rejects.toMatchObject({ code: 'ERR_DENIED', platformCode: 7 });
    emu.inject({ kind: 'json', status: 403, body: { code: 26, msg: 'x' } });
    await expect(login()).rejects.toMatchObject({ code: 'ERR_DENIED', platformCode: 26 });
  });

  it('clientIp is sent but not checked (verify.go: the check is commented out since 2024-12)', async () => {
    emu.clearRequests();
    const token = emu.issueLoginToken(8, { ip: '10.0.0.1' });
    await expect(client.verifyLogin(token, { clientIp: '203.0.113.9' })).resolves.toMatchObject({ userID: 8 });
    expect(emu.requests.at(-1)!.body).toMatchObject({ clientIp: '203.0.113.9' });
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
    // service User.GetUserInfoPublic leaves `groups` null for users after the last one with groups
    expect(await client.getPublicUserInfo([8, 10])).toEqual([
      expect.objectContaining({ id: 8 }),
      expect.objectContaining({ id: 10, groups: [] }),
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

  it('HTTP 429 → ERR_RATE_LIMITED (retryable), with or without an envelope (the status table of every client)', async () => {
    emu.inject({ kind: 'json', status: 429, body: { error: 'slow down' } });
    await expect(login()).rejects.toMatchObject({ code: 'ERR_RATE_LIMITED', upstreamStatus: 429, retryable: true });
    emu.inject({ kind: 'json', status: 429, body: { code: 8, msg: 'busy' } });
    await expect(login()).rejects.toMatchObject({ code: 'ERR_RATE_LIMITED', platformCode: 8, retryable: true });
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
    expect(NcuosClient).toBe(GeniusAuthClient);
  });
});

describe('rate limit (code 19)', () => {
  const started = useEmulator(() => startNcuosEmulator({ rateLimit: 3 }));

  it('the client calls no rate-limited route (secure.go guards the login page only); code 19 maps to ERR_RATE_LIMITED', async () => {
    const emu = started.current;
    const client = demoClient(emu);
    let refreshToken = '';
    for (let i = 0; i < 5; i++) refreshToken = (await client.verifyLogin(emu.issueLoginToken(8))).refreshToken!;
    await expect(client.refreshAccessToken(refreshToken)).resolves.toEqual({ accessToken: expect.any(String), payload: '' });
    emu.inject({ kind: 'json', status: 403, body: { code: 19, msg: '操作频繁，请稍后重试' } });
    const err = await client.verifyLogin(emu.issueLoginToken(8)).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ERR_RATE_LIMITED', platformCode: 19, upstreamStatus: 403, retryable: true });
  });
});
