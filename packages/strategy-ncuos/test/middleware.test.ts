import { generateKeyPairSync, sign } from 'node:crypto';
import type { Server } from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import request from 'supertest';
import type { CampusAuthError } from '@campus-passport/core';
import { useEmulator } from '@campus-passport/mock-platforms/testing';
import {
  ACCESS_TOKEN_TTL_MS,
  DEFAULT_APP_CODE,
  DEFAULT_APP_SECRET,
  startNcuosEmulator,
  type NcuosEmulator,
} from '@campus-passport/mock-platforms/ncuos';
import {
  GeniusAuthClient,
  KEY_REFETCH_INTERVAL_MS,
  PATHS,
  requireAccessToken,
  type AccessTokenVerifier,
  type RequireAccessTokenOptions,
} from '../src';

const started = useEmulator(() => startNcuosEmulator({ rateLimit: 0 }));
let emu: NcuosEmulator;
beforeAll(() => {
  emu = started.current;
});

/** A client of the demo app on the emulator's clock (a fresh one has no server key cached). */
const newClient = (o: { appSecret?: string; timeout?: number } = {}) =>
  new GeniusAuthClient({
    appCode: DEFAULT_APP_CODE,
    appSecret: o.appSecret ?? DEFAULT_APP_SECRET,
    baseURL: emu.url,
    timeout: o.timeout,
    now: () => emu.clock.now(),
  });

/** Platform calls the emulator received, by path. */
const calls = (path: string) => emu.requests.filter((r) => r.path === path).length;
const verifyCalls = () => calls(PATHS.accessVerify);
const keyFetches = () => calls(PATHS.serverKeys);

const servers: Server[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
});

/** A real Express app on 127.0.0.1: GET /api/me behind requireAccessToken(client, options); errors answered by the app. */
function apiApp(client: AccessTokenVerifier, options?: RequireAccessTokenOptions) {
  const errors: CampusAuthError[] = [];
  const app = express();
  app.get('/api/me', requireAccessToken(client, options), (req: Request, res: Response) => {
    res.json({ ncuos: req.ncuos });
  });
  app.use((err: CampusAuthError, _req: Request, res: Response, _next: NextFunction) => {
    errors.push(err);
    res.status(err.status ?? 500).json({ handledBy: 'app', code: err.code });
  });
  const server = app.listen(0, '127.0.0.1');
  servers.push(server);
  const get = (token?: string) => {
    const req = request(server).get('/api/me');
    return token === undefined ? req : req.set('authorization', `Bearer ${token}`);
  };
  return { server, errors, get };
}

/** A login through the platform: refresh + access tokens for user `uid`. */
async function login(uid = 8, payload?: string) {
  const answer = await newClient().verifyLogin(emu.issueLoginToken(uid), payload ? { payload } : {});
  return { accessToken: answer.accessToken!, refreshToken: answer.refreshToken! };
}

describe('requireAccessToken() middleware', () => {
  let client: GeniusAuthClient;
  let server: Server;
  beforeAll(() => {
    client = newClient();
    const app = express();
    app.get('/api/me', requireAccessToken(client), (req: Request, res: Response) => {
      res.json({ ncuos: req.ncuos });
    });
    // the client's shorthand for the same middleware
    app.get('/api/me-too', client.requireAccessToken(), (req: Request, res: Response) => {
      res.json({ ncuos: req.ncuos });
    });
    app.get('/api/me-remote', client.requireAccessToken({ verify: 'remote' }), (req: Request, res: Response) => {
      res.json({ ncuos: req.ncuos });
    });
    app.use((err: CampusAuthError, _req: Request, res: Response, _next: NextFunction) => {
      res.status(err.status ?? 500).json({ handledBy: 'app', code: err.code });
    });
    server = app.listen(0, '127.0.0.1');
    servers.push(server);
  });

  it('a valid Bearer access token → req.ncuos = { uid, payload }, in both modes', async () => {
    const { accessToken } = await login(9, 'p1');
    const res = await request(server).get('/api/me').set('authorization', `Bearer ${accessToken}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ncuos: { uid: 9, payload: 'p1' } });
    const viaClient = await request(server).get('/api/me-too').set('authorization', `Bearer ${accessToken}`);
    expect(viaClient.body).toEqual({ ncuos: { uid: 9, payload: 'p1' } });
    const remote = await request(server).get('/api/me-remote').set('authorization', `Bearer ${accessToken}`);
    expect(remote.body).toEqual({ ncuos: { uid: 9, payload: 'p1' } });
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
    for (const path of ['/api/me', '/api/me-remote']) {
      const bogus = await request(server).get(path).set('authorization', 'Bearer not.a.token');
      expect(bogus.status).toBe(401);
      expect(bogus.body.code).toBe('ERR_INVALID_CREDENTIAL');
      expect(bogus.headers['www-authenticate']).toContain('error="invalid_token"');
    }
    const { accessToken } = await login(8);
    emu.clock.advance(5 * 60_000 + 5000); // past exp + the 3 s leeway
    for (const path of ['/api/me', '/api/me-remote']) {
      const expired = await request(server).get(path).set('authorization', `Bearer ${accessToken}`);
      expect(expired.status).toBe(401);
      expect(expired.body.code).toBe('ERR_INVALID_CREDENTIAL');
      expect(expired.text).not.toContain(accessToken);
    }
  });

  it("another app's access token → 401 ERR_INVALID_CREDENTIAL, not an error (both modes)", async () => {
    emu.registerApp({ appCode: 'second-app', appSecret: 'second-secret', callbackURL: 'http://127.0.0.1:9/cb' });
    const other = new GeniusAuthClient({
      appCode: 'second-app',
      appSecret: 'second-secret',
      baseURL: emu.url,
      now: () => emu.clock.now(),
    });
    const { accessToken } = await other.verifyLogin(emu.issueLoginToken(9, { appCode: 'second-app' }));
    for (const path of ['/api/me', '/api/me-remote']) {
      const res = await request(server).get(path).set('authorization', `Bearer ${accessToken}`);
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ code: 'ERR_INVALID_CREDENTIAL', message: expect.stringMatching(/another app/) });
    }
  });

  it('remote: a platform failure goes to the app error handler via next(err)', async () => {
    const { accessToken } = await login(8);
    emu.inject({ kind: 'status', status: 500, body: 'boom' });
    const res = await request(server).get('/api/me-remote').set('authorization', `Bearer ${accessToken}`);
    expect(res.status).toBe(502);
    expect(res.body).toEqual({ handledBy: 'app', code: 'ERR_BAD_RESPONSE' });
  });

  it('options: verify must be "local" or "remote"; local needs verifyAccessTokenLocally (ERR_CONFIG)', () => {
    expect(() => requireAccessToken(client, { verify: 'cached' as never })).toThrow(
      /option "verify" must be "local" or "remote"/,
    );
    const remoteOnly = { verifyAccessToken: client.verifyAccessToken.bind(client) };
    expect(() => requireAccessToken(remoteOnly)).toThrow(expect.objectContaining({ code: 'ERR_CONFIG' }));
    expect(() => requireAccessToken(remoteOnly, { verify: 'remote' })).not.toThrow();
  });
});

describe("requireAccessToken({ verify: 'local' | 'remote' }): platform calls per request", () => {
  const N = 20;

  it(`local (the default): 0 verify calls for ${N} requests; the server key is fetched once`, async () => {
    const { accessToken } = await login(8, 'cart');
    const api = apiApp(newClient());
    emu.clearRequests();
    for (let i = 0; i < N; i++) {
      const res = await api.get(accessToken);
      expect([res.status, res.body]).toEqual([200, { ncuos: { uid: 8, payload: 'cart' } }]);
    }
    expect(verifyCalls()).toBe(0);
    expect(keyFetches()).toBe(1);
    expect(emu.requests).toHaveLength(1); // nothing else either
  });

  it('local: a burst on a cold client shares one key fetch', async () => {
    const { accessToken } = await login(8);
    const api = apiApp(newClient(), { verify: 'local' });
    emu.clearRequests();
    const all = await Promise.all(Array.from({ length: N }, () => api.get(accessToken)));
    for (const res of all) expect(res.status).toBe(200);
    expect(keyFetches()).toBe(1);
    expect(verifyCalls()).toBe(0);
  });

  it(`remote: ${N} requests → ${N} signed verify calls, no key fetch`, async () => {
    const { accessToken } = await login(9);
    const api = apiApp(newClient(), { verify: 'remote' });
    emu.clearRequests();
    for (let i = 0; i < N; i++) expect((await api.get(accessToken)).status).toBe(200);
    expect(verifyCalls()).toBe(N);
    expect(keyFetches()).toBe(0);
    const probe = emu.requests.find((r) => r.path === PATHS.accessVerify)!;
    expect(probe.body).toMatchObject({ token: accessToken, appCode: DEFAULT_APP_CODE, signature: expect.any(String) });
  });

  it('a destroyed refresh token: remote refuses at once; local accepts until the access token expires', async () => {
    const { accessToken, refreshToken } = await login(8);
    const local = apiApp(newClient());
    const remote = apiApp(newClient(), { verify: 'remote' });
    expect((await local.get(accessToken)).status).toBe(200);
    expect((await remote.get(accessToken)).status).toBe(200);

    await newClient().destroyRefreshToken(refreshToken); // log out on the platform
    const refused = await remote.get(accessToken);
    expect([refused.status, refused.body.code]).toEqual([401, 'ERR_INVALID_CREDENTIAL']);
    expect((await local.get(accessToken)).status).toBe(200); // the documented blind spot

    emu.clock.advance(ACCESS_TOKEN_TTL_MS - 1000); // 4:59 after minting: still inside exp
    expect((await local.get(accessToken)).status).toBe(200);
    emu.clock.advance(1000 + 3000); // exp + the 3 s leeway
    const expired = await local.get(accessToken);
    expect([expired.status, expired.body.code]).toEqual([401, 'ERR_INVALID_CREDENTIAL']);
    expect(expired.body.message).toMatch(/expired/);
  });

  it('key rotation on the platform: one refetch (not sooner than the refetch interval), then success', async () => {
    const client = newClient();
    const api = apiApp(client);
    const before = await login(8);
    expect((await api.get(before.accessToken)).status).toBe(200); // key 1 cached
    emu.rotateKey();
    const after = await login(9);
    emu.clearRequests();

    // within the interval of the first fetch: refused without a fetch
    const early = await api.get(after.accessToken);
    expect([early.status, early.body.code]).toEqual([401, 'ERR_INVALID_CREDENTIAL']);
    expect(keyFetches()).toBe(0);

    emu.clock.advance(KEY_REFETCH_INTERVAL_MS);
    const ok = await api.get(after.accessToken);
    expect([ok.status, ok.body]).toEqual([200, { ncuos: { uid: 9, payload: '' } }]);
    expect(keyFetches()).toBe(1);
    for (let i = 0; i < 5; i++) expect((await api.get(after.accessToken)).status).toBe(200);
    expect(keyFetches()).toBe(1);

    // a token of the old key: refused here as by the platform (which now holds only the new key)
    expect((await api.get(before.accessToken)).status).toBe(401);
    await expect(client.verifyAccessToken(before.accessToken)).rejects.toMatchObject({ platformCode: 31 });
    expect(keyFetches()).toBe(1);
    expect(verifyCalls()).toBe(1); // the one remote call just above
  });

  it('a token signed by another key → 401 ERR_INVALID_CREDENTIAL (one refetch at most), the token in no message', async () => {
    const forger = generateKeyPairSync('ed25519');
    const s = Math.floor(emu.clock.now() / 1000);
    const claims = { exp: s + 300, iat: s, type: 'Access', uid: 8, oid: 1, id: 1, appCode: DEFAULT_APP_CODE };
    const body = `${Buffer.from('{"alg":"EdDSA","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
    const forged = `${body}.${sign(null, Buffer.from(body), forger.privateKey).toString('base64url')}`;
    const api = apiApp(newClient());
    emu.clearRequests();
    for (let i = 0; i < 3; i++) {
      const res = await api.get(forged);
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ code: 'ERR_INVALID_CREDENTIAL', message: expect.stringMatching(/signature/) });
      expect(res.headers['www-authenticate']).toContain('error="invalid_token"');
      expect(res.text).not.toContain(forged);
    }
    expect(keyFetches()).toBe(1); // the first fetch; no refetch within the interval
    emu.clock.advance(KEY_REFETCH_INTERVAL_MS);
    expect((await api.get(forged)).status).toBe(401);
    expect(keyFetches()).toBe(2); // one refetch: still not the signer's key
    expect(api.errors).toHaveLength(0);
  });

  it("a key fetch failure goes to next(err) with the platform's code, within the client's timeout", async () => {
    const { accessToken } = await login(8);

    const busy = apiApp(newClient());
    emu.inject({ kind: 'json', status: 500, body: { code: 5, msg: '远程调用异常，请稍候重试' } }, { path: PATHS.serverKeys });
    const res = await busy.get(accessToken);
    expect([res.status, res.body]).toEqual([502, { handledBy: 'app', code: 'ERR_PLATFORM' }]);
    expect(busy.errors[0]).toMatchObject({
      platformCode: 5,
      retryable: true,
      message: expect.stringMatching(/server public key/),
    });
    expect((await busy.get(accessToken)).status).toBe(200); // the next request fetches again

    const slow = apiApp(newClient({ timeout: 300 }));
    emu.inject({ kind: 'stall' }, { path: PATHS.serverKeys });
    const t0 = Date.now();
    const stalled = await slow.get(accessToken);
    expect(Date.now() - t0).toBeLessThan(2000);
    expect([stalled.status, stalled.body.code]).toEqual([504, 'ERR_TIMEOUT']);

    const wrongSecret = apiApp(newClient({ appSecret: 'not-the-right-secret' }));
    const config = await wrongSecret.get(accessToken);
    expect([config.status, config.body.code]).toEqual([500, 'ERR_CONFIG']);
    expect(wrongSecret.errors[0]).toMatchObject({ platformCode: 6 });
    for (const e of [...busy.errors, ...slow.errors, ...wrongSecret.errors]) {
      const text = JSON.stringify(e.toJSON()) + e.stack;
      expect(text).not.toContain(accessToken);
      expect(text).not.toContain('not-the-right-secret');
    }
  });
});

describe('GeniusAuthClient#verifyAccessTokenLocally', () => {
  it('→ { uid, appCode, payload, expiresAt } (expiresAt = exp in ms: 5 minutes after minting)', async () => {
    const client = newClient();
    const t0 = Math.floor(emu.clock.now() / 1000) * 1000;
    const { accessToken } = await login(8, 'p');
    const info = await client.verifyAccessTokenLocally(accessToken);
    expect(info).toEqual({ uid: 8, appCode: DEFAULT_APP_CODE, payload: 'p', expiresAt: expect.any(Number) });
    expect(info.expiresAt - t0).toBeGreaterThanOrEqual(ACCESS_TOKEN_TTL_MS);
    expect(info.expiresAt - t0).toBeLessThanOrEqual(ACCESS_TOKEN_TTL_MS + 1000);
    // the remote answer agrees
    expect(await client.verifyAccessToken(accessToken)).toEqual({ uid: 8, payload: 'p' });
  });

  it('a refresh or login token is not an access token', async () => {
    const client = newClient();
    const { refreshToken } = await login(8);
    await expect(client.verifyAccessTokenLocally(refreshToken)).rejects.toMatchObject({
      code: 'ERR_INVALID_CREDENTIAL',
      message: expect.stringMatching(/not an access token/),
    });
    await expect(client.verifyAccessTokenLocally(emu.issueLoginToken(8))).rejects.toMatchObject({
      code: 'ERR_INVALID_CREDENTIAL',
    });
  });

  it('getServerPublicKey: the Ed25519 key the emulator signs with (a fresh fetch each call)', async () => {
    const client = newClient();
    const key = await client.getServerPublicKey();
    expect(key.asymmetricKeyType).toBe('ed25519');
    const der = Buffer.from(emu.jwtPublicKeyPem.replace(/-----[A-Z ]+-----|\n/g, ''), 'base64');
    expect(key.export({ type: 'spki', format: 'der' })).toEqual(der);
    await client.getServerPublicKey();
    expect(keyFetches()).toBe(2);
  });
});
