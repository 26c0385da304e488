import type { Server } from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import request from 'supertest';
import type { CampusAuthError } from '@campus-passport/core';
import { useEmulator } from '@campus-passport/mock-platforms/testing';
import {
  DEFAULT_APP_CODE,
  DEFAULT_APP_SECRET,
  startNcuosEmulator,
  type NcuosEmulator,
} from '@campus-passport/mock-platforms/ncuos';
import { GeniusAuthClient, requireAccessToken } from '../src';

describe('requireAccessToken() middleware', () => {
  const started = useEmulator(() => startNcuosEmulator({ rateLimit: 0 }));
  let emu: NcuosEmulator;
  let client: GeniusAuthClient;
  let server: Server;
  const app = express();
  beforeAll(() => {
    emu = started.current;
    client = new GeniusAuthClient({
      appCode: DEFAULT_APP_CODE,
      appSecret: DEFAULT_APP_SECRET,
      baseURL: emu.url,
      now: () => emu.clock.now(),
    });
    app.get('/api/me', requireAccessToken(client), (req: Request, res: Response) => {
      res.json({ ncuos: req.ncuos });
    });
    // the client's shorthand for the same middleware
    app.get('/api/me-too', client.requireAccessToken(), (req: Request, res: Response) => {
      res.json({ ncuos: req.ncuos });
    });
    app.use((err: CampusAuthError, _req: Request, res: Response, _next: NextFunction) => {
      res.status(err.status ?? 500).json({ handledBy: 'app', code: err.code });
    });
    server = app.listen(0, '127.0.0.1');
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
  });

  it('a valid Bearer access token → req.ncuos = { uid, payload }', async () => {
    const { accessToken } = await client.verifyLogin(emu.issueLoginToken(9), { payload: 'p1' });
    const res = await request(server).get('/api/me').set('authorization', `Bearer ${accessToken}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ncuos: { uid: 9, payload: 'p1' } });
    const viaClient = await request(server).get('/api/me-too').set('authorization', `Bearer ${accessToken}`);
    expect(viaClient.body).toEqual({ ncuos: { uid: 9, payload: 'p1' } });
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
    emu.clock.advance(5 * 60_000 + 5000); // past exp + the 3 s leeway
    const expired = await request(server).get('/api/me').set('authorization', `Bearer ${accessToken}`);
    expect(expired.status).toBe(401);
    expect(expired.text).not.toContain(accessToken!);
  });

  it("another app's access token (code 6 after a good signature) → 401 ERR_INVALID_CREDENTIAL, not an error", async () => {
    emu.registerApp({ appCode: 'second-app', appSecret: 'second-secret', callbackURL: 'http://127.0.0.1:9/cb' });
    const other = new GeniusAuthClient({
      appCode: 'second-app',
      appSecret: 'second-secret',
      baseURL: emu.url,
      now: () => emu.clock.now(),
    });
    const { accessToken } = await other.verifyLogin(emu.issueLoginToken(9));
    const res = await request(server).get('/api/me').set('authorization', `Bearer ${accessToken}`);
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ code: 'ERR_INVALID_CREDENTIAL', message: expect.stringMatching(/another app/) });
  });

  it('a platform failure goes to the app error handler via next(err)', async () => {
    const { accessToken } = await client.verifyLogin(emu.issueLoginToken(8));
    emu.inject({ kind: 'status', status: 500, body: 'boom' });
    const res = await request(server).get('/api/me').set('authorization', `Bearer ${accessToken}`);
    expect(res.status).toBe(502);
    expect(res.body).toEqual({ handledBy: 'app', code: 'ERR_BAD_RESPONSE' });
  });
});
