import {
  CampusAuthError,
  MemoryTokenStore,
  defaultTransport as request,
  type Transport,
  type TransportRequest,
} from '@campus-passport/core';
import { processTokenStore } from '@campus-passport/core/kit';
import { useEmulator } from '@campus-passport/mock-platforms/testing';
import { ZIQIANG_APP, startZiqiangEmulator, type ZiqiangEmulator } from '@campus-passport/mock-platforms/ziqiang';
import { ZiqiangClient } from '../src';

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

const client = (o: Partial<ConstructorParameters<typeof ZiqiangClient>[0]> = {}) =>
  new ZiqiangClient({ appKey: ZIQIANG_APP.appKey, appSecret: ZIQIANG_APP.appSecret, baseURL: emu.url, ...o });

async function rejection(p: Promise<unknown>): Promise<CampusAuthError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(CampusAuthError);
    return err as CampusAuthError;
  }
  throw new Error('expected a rejection');
}

describe('ZiqiangClient', () => {
  it('getUnionId + getUser (detail by default, and without)', async () => {
    const c = client();
    const unionId = await c.getUnionId(emu.issueCode('zhangsan'));
    expect(unionId).toBe(emu.unionIdOf('zhangsan'));
    const full = await c.getUser(unionId);
    expect(full).toMatchObject({ id: unionId, name: '张三', studentId: '2020302110001', isCertified: true });
    const slim = await c.getUser(unionId, { detail: false });
    // SDK fixture users_123_no_detail.json: without detail only certify_time comes back
    expect(slim._json).toEqual({ certify_time: '2023-03-04T20:42:00+08:00' });
    expect(slim.isCertified).toBe(true);
    expect(emu.requests.filter((r) => r.path.startsWith('/users/')).map((r) => r.query.detail)).toEqual(['true', 'false']);
  });

  it('sends the app token as Authorization: Bearer, and the app login as JSON', async () => {
    const c = client();
    await c.getUnionId(emu.issueCode());
    const [login, sso] = emu.requests;
    expect(login).toMatchObject({ method: 'POST', path: '/auth/apps/', body: { app_key: ZIQIANG_APP.appKey } });
    expect(sso.headers.authorization).toBe(`Bearer ${(await c.getAppToken()).accessToken}`);
    expect(sso.body).toEqual({ code: expect.any(String) });
  });

  it('appUsername, appInfo and test() use the app login', async () => {
    const c = client();
    expect(await c.appUsername()).toBe(ZIQIANG_APP.username);
    expect(await c.appInfo()).toMatchObject({ id: ZIQIANG_APP.id, username: ZIQIANG_APP.username, isActive: true });
    await expect(c.test()).resolves.toBeUndefined();
    expect(emu.count('/auth/apps/')).toBe(1);
  });

  it('clients sharing a tokenStore share one app login', async () => {
    const tokenStore = new MemoryTokenStore();
    const a = client({ tokenStore });
    const b = client({ tokenStore });
    await Promise.all([a.getUnionId(emu.issueCode()), b.getUnionId(emu.issueCode()), a.appUsername(), b.appUsername()]);
    expect(emu.count('/auth/apps/')).toBe(1);
  });

  it('A0514 on union-id and on users → ERR_INVALID_CREDENTIAL with the platform code', async () => {
    const c = client();
    const bad = await rejection(c.getUnionId('0123456789abcdef0123456789abcdef'));
    expect(bad).toMatchObject({ code: 'ERR_INVALID_CREDENTIAL', platformCode: 'A0514', upstreamStatus: 404 });
    const gone = await rejection(c.getUser('ffffffffffffffffffffffffffffffff'));
    expect(gone).toMatchObject({ code: 'ERR_INVALID_CREDENTIAL', platformCode: 'A0514' });
    expect(gone.message).toMatch(/gone or no longer certified/);
  });

  it('A0221 on a user call → POST /auth/refresh/ {refresh} first, then exactly one retry', async () => {
    const c = client();
    const unionId = await c.getUnionId(emu.issueCode());
    const before = await c.getAppToken();
    // what the client asked before: one app login, no refresh
    const earlier = [emu.count('/auth/refresh/'), emu.count('/auth/apps/')];
    emu.revokeAccessTokens();
    emu.clearRequests();
    expect((await c.getUser(unionId)).name).toBe('张三');
    expect(emu.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      `GET /users/${unionId}/`,
      'POST /auth/refresh/',
      `GET /users/${unionId}/`,
    ]);
    const [rejected, refresh, retry] = emu.requests;
    expect(refresh.body).toEqual({ refresh: before.refreshToken });
    expect(refresh.headers.authorization).toBeUndefined(); // the SDK refreshes without a token
    const after = await c.getAppToken();
    expect(after.accessToken).not.toBe(before.accessToken);
    expect(after.refreshToken).toBe(before.refreshToken);
    expect(rejected.headers.authorization).toBe(`Bearer ${before.accessToken}`);
    expect(retry.headers.authorization).toBe(`Bearer ${after.accessToken}`);
    // over the client's life: one refresh, one app login
    expect([earlier[0] + emu.count('/auth/refresh/'), earlier[1] + emu.count('/auth/apps/')]).toEqual([1, 1]);
  });

  it('A0221 and the refresh refused too → app login, then exactly one retry', async () => {
    const c = client();
    const unionId = await c.getUnionId(emu.issueCode());
    emu.revokeAccessTokens();
    emu.revokeRefreshTokens();
    emu.clearRequests();
    expect((await c.getUser(unionId)).name).toBe('张三');
    expect(emu.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      `GET /users/${unionId}/`,
      'POST /auth/refresh/',
      'POST /auth/apps/',
      `GET /users/${unionId}/`,
    ]);
  });

  it('a second A0221 after the retry → ERR_PLATFORM, no further call (no retry loop)', async () => {
    const c = client();
    const unionId = await c.getUnionId(emu.issueCode());
    emu.clearRequests();
    emu.inject(
      { kind: 'json', status: 401, body: { code: 'A0221', msg: 'token 无效或已过期', detail: '', data: null } },
      { path: `/users/${unionId}/`, times: 2 },
    );
    const err = await rejection(c.getUser(unionId));
    expect(err).toMatchObject({ code: 'ERR_PLATFORM', platformCode: 'A0221', upstreamStatus: 401 });
    expect(emu.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      `GET /users/${unionId}/`,
      'POST /auth/refresh/',
      `GET /users/${unionId}/`,
    ]);
  });

  it("autoRetry: false → A0221 is the caller's: ERR_PLATFORM, appTokenRejected, no refresh, no retry, token kept", async () => {
    const c = client({ autoRetry: false });
    const unionId = await c.getUnionId(emu.issueCode());
    const before = await c.getAppToken();
    emu.revokeAccessTokens();
    emu.clearRequests();
    const err = await rejection(c.getUser(unionId));
    expect(err).toMatchObject({ code: 'ERR_PLATFORM', platformCode: 'A0221', upstreamStatus: 401, appTokenRejected: true });
    expect(emu.requests.map((r) => `${r.method} ${r.path}`)).toEqual([`GET /users/${unionId}/`]);
    // as the SDK (auto_retry=False): the stored token is not renewed behind the caller's back
    expect((await c.getAppToken()).accessToken).toBe(before.accessToken);
    // the caller's way out: forget the token; the next call logs in again
    await c.tokens.invalidate(before.accessToken);
    emu.clearRequests();
    expect((await c.getUser(unionId)).name).toBe('张三');
    expect(emu.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /auth/apps/', `GET /users/${unionId}/`]);
  });

  it('autoRetry must be a boolean; it defaults to true', () => {
    expect(() => client({ autoRetry: 'no' as never })).toThrow(/"autoRetry"/);
    expect(client().autoRetry).toBe(true);
  });

  it('20 calls rejected at once share one refresh (and no app login)', async () => {
    const c = client();
    const unionId = await c.getUnionId(emu.issueCode());
    emu.revokeAccessTokens();
    emu.clearRequests();
    const users = await Promise.all(Array.from({ length: 20 }, () => c.getUser(unionId)));
    expect(users.every((u) => u.name === '张三')).toBe(true);
    expect(emu.count('/auth/refresh/')).toBe(1);
    expect(emu.count('/auth/apps/')).toBe(0);
    expect(emu.count(`/users/${unionId}/`)).toBe(40);
  });

  it('A0210 → ERR_PLATFORM without the secret anywhere', async () => {
    const secret = 'client-test-wrong-secret-XYZ-987';
    const err = await rejection(client({ appSecret: secret }).getUnionId(emu.issueCode()));
    expect(err).toMatchObject({ code: 'ERR_PLATFORM', platformCode: 'A0210' });
    expect(`${err.message}${err.stack}${JSON.stringify(err.toJSON())}${String(err.cause)}`).not.toContain(secret);
  });

  it('an app or refresh token the platform quotes back in its msg is redacted from the error', async () => {
    const c = client();
    const token = await c.getAppToken();
    emu.inject(
      {
        kind: 'json',
        status: 400,
        body: { code: 'A0400', msg: `bad request with ${token.accessToken}`, detail: '', data: null },
      },
      { path: '/sso/union-id/' },
    );
    const sso = await rejection(c.getUnionId(emu.issueCode()));
    expect(sso).toMatchObject({ code: 'ERR_INVALID_CREDENTIAL', platformMessage: 'bad request with [REDACTED]' });
    emu.inject(
      { kind: 'json', status: 401, body: { code: 'A0221', msg: `unknown ${token.refreshToken}`, detail: '', data: null } },
      { path: '/auth/refresh/' },
    );
    const refresh = await rejection(c.refreshAppToken(token));
    expect(refresh.platformMessage).toBe('unknown [REDACTED]');
    for (const e of [sso, refresh])
      for (const t of [token.accessToken, token.refreshToken!])
        expect(`${e.message}${e.stack}${JSON.stringify(e.toJSON())}`).not.toContain(t);
  });

  it('A0512 → ERR_RATE_LIMITED (retryable)', async () => {
    emu.throttle(1);
    const err = await rejection(client().appLogin());
    expect(err).toMatchObject({ code: 'ERR_RATE_LIMITED', retryable: true, upstreamStatus: 429 });
  });

  it('refreshAppToken keeps the refresh token; a dead refresh token is ERR_PLATFORM', async () => {
    const c = client();
    const token = await c.getAppToken();
    const next = await c.refreshAppToken(token);
    expect(next.accessToken).not.toBe(token.accessToken);
    expect(next.refreshToken).toBe(token.refreshToken);
    expect(next.refreshExpiresAt).toBe(token.refreshExpiresAt);
    expect(next.expiresAt).toBeGreaterThan(Date.now() + 23 * 3600_000);
    emu.revokeRefreshTokens();
    expect(await rejection(c.refreshAppToken(token))).toMatchObject({ code: 'ERR_PLATFORM', platformCode: 'A0221' });
  });

  it('reads the refresh token expiry from its JWT exp (10 days on the emulator)', async () => {
    const token = await client().getAppToken();
    expect(token.refreshExpiresAt! - Date.now()).toBeGreaterThan(9 * 24 * 3600_000);
  });

  it('every call goes through the given transport with the timeout and platform set', async () => {
    const seen: TransportRequest[] = [];
    const transport: Transport = (req) => {
      seen.push(req);
      return request(req);
    };
    const c = client({ transport, timeout: 1234 });
    await c.getUser(await c.getUnionId(emu.issueCode()));
    expect(seen.map((r) => `${r.method} ${new URL(r.url).pathname}`)).toEqual([
      'POST /auth/apps/',
      'POST /sso/union-id/',
      `GET /users/${emu.unionIdOf('zhangsan')}/`,
    ]);
    for (const r of seen) expect(r).toMatchObject({ timeout: 1234, platform: 'ziqiang' });
  });

  it('a 5xx error envelope (B0000) → ERR_PLATFORM, retryable', async () => {
    emu.inject({ kind: 'json', status: 500, body: { code: 'B0000', msg: '系统执行出错', detail: '', data: null } });
    const err = await rejection(client().appLogin());
    expect(err).toMatchObject({ code: 'ERR_PLATFORM', platformCode: 'B0000', retryable: true });
  });

  it('validates its options', () => {
    expect(() => new ZiqiangClient({ appKey: '', appSecret: 's' })).toThrow(/"appKey"/);
    expect(() => new ZiqiangClient({ appKey: 'k', appSecret: '' })).toThrow(/"appSecret"/);
    expect(() => new ZiqiangClient({ appKey: 'k', appSecret: 's', baseURL: 'nope' })).toThrow(/"baseURL"/);
    expect(new ZiqiangClient({ appKey: 'k', appSecret: 's' }).baseURL).toBe('https://api.cas.ziqiang.net.cn');
  });
});
