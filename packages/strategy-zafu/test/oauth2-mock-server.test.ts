/**
 * ZafuStrategy against a third-party OAuth 2.0 server (oauth2-mock-server on 127.0.0.1): it speaks
 * standard OAuth 2.0 — authorize redirect, state, PKCE S256, form-encoded code exchange, Bearer
 * user info — with nothing ZAFU-specific.
 */
import type { IncomingMessage, Server } from 'node:http';
import supertest from 'supertest';
import { OAuth2Server } from 'oauth2-mock-server';
import { strategyApp, type StrategyApp } from '@campus-passport/mock-platforms/testing';
import { ZafuStrategy, type ZafuProfile } from '../src';

let oauth: OAuth2Server;
let kit: StrategyApp;
let app: Server;
const tokenRequests: Array<{ body: Record<string, string>; authorization?: string }> = [];
const userinfoAuth: string[] = [];

beforeAll(async () => {
  oauth = new OAuth2Server();
  await oauth.issuer.keys.generate('RS256');
  await oauth.start(0, '127.0.0.1');
  oauth.service.on('beforeResponse', (_res: unknown, req: IncomingMessage & { body: Record<string, string> }) => {
    tokenRequests.push({ body: { ...req.body }, authorization: req.headers.authorization });
  });
  oauth.service.on('beforeUserinfo', (res: { body: unknown }, req: IncomingMessage) => {
    userinfoAuth.push(String(req.headers.authorization));
    res.body = { sub: 'johndoe', name: 'John Doe', employee_no: 'E-1001', department: 'Forestry' };
  });
  const base = oauth.issuer.url!;
  kit = strategyApp(
    new ZafuStrategy(
      {
        clientID: 'third-party-client',
        clientSecret: 'third-party-secret',
        authorizationURL: `${base}/authorize`,
        tokenURL: `${base}/token`,
        userInfoURL: `${base}/userinfo`,
        callbackURL: '/callback',
        scope: 'openid profile',
        pkce: true,
        profileFields: { xgh: 'employee_no' },
        timeout: 3000,
      },
      async (credentials, profile) => ({ profile, idToken: typeof credentials.params.id_token }),
    ),
    { prefix: 'third-party' },
  );
  // one port for the whole flow, so the relative callbackURL resolves the same at /login and /callback
  app = await new Promise<Server>((resolve) => {
    const srv = kit.app.listen(0, '127.0.0.1', () => resolve(srv));
  });
});

afterAll(async () => {
  await new Promise((r) => app.close(r));
  await oauth.stop();
});

describe('ZafuStrategy against oauth2-mock-server', () => {
  it('walks the standard authorization-code flow with state and PKCE', async () => {
    const agent = supertest.agent(app);
    const start = await kit.call('get', '/login', { agent });
    expect(start.status).toBe(302);
    const authorize = new URL(start.headers.location);
    expect(authorize.pathname).toBe('/authorize');
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    const state = authorize.searchParams.get('state')!;

    // the third-party server redirects straight back with a code (no login page)
    const back = await fetch(authorize, { redirect: 'manual' });
    expect(back.status).toBe(302);
    const callback = new URL(back.headers.get('location')!);
    expect(callback.searchParams.get('state')).toBe(state);

    const res = await kit.call('get', `${callback.pathname}${callback.search}`, { agent });
    expect(res.status).toBe(200);
    const user = res.body.user as { profile: ZafuProfile; idToken: string };
    expect(user.idToken).toBe('string');
    expect(user.profile).toMatchObject({
      provider: 'zafu',
      id: 'johndoe',
      displayName: 'John Doe',
      xgh: 'E-1001',
      department: 'Forestry',
    });

    // the server checked the PKCE verifier (it answers 400 otherwise); the exchange was standard
    const exchange = tokenRequests.at(-1)!;
    expect(exchange.body).toMatchObject({
      grant_type: 'authorization_code',
      code: callback.searchParams.get('code'),
      client_id: 'third-party-client',
      client_secret: 'third-party-secret',
      code_verifier: expect.any(String),
    });
    expect(userinfoAuth.at(-1)).toMatch(/^Bearer ey/);

    // the state is single-use
    const replay = await kit.call('get', `${callback.pathname}${callback.search}`, { agent });
    expect(replay.status).toBe(403); // ERR_STATE's status (the hand-built app answered every fail 401)
    expect(replay.body.info).toMatchObject({ code: 'ERR_STATE' });
  });

  it('a token-endpoint refusal is a clean error (the server rejects a wrong verifier)', async () => {
    const agent = supertest.agent(app);
    const start = await kit.call('get', '/login', { agent });
    const authorize = new URL(start.headers.location);
    authorize.searchParams.set('code_challenge', 'x'.repeat(43)); // tamper: the verifier will not match
    const back = await fetch(authorize, { redirect: 'manual' });
    const callback = new URL(back.headers.get('location')!);
    const res = await kit.call('get', `${callback.pathname}${callback.search}`, { agent });
    expect(res.body).toMatchObject({ outcome: 'error', message: expect.stringMatching(/HTTP 400, invalid_request/) });
    expect(res.text).not.toContain('third-party-secret');
  });
});
