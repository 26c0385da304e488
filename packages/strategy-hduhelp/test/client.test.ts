import { createHash } from 'node:crypto';
import { CampusAuthError, defaultTransport as coreRequest, type Transport } from '@campus-passport/core';
import {
  HDUHELP_CLIENT_ID,
  HDUHELP_CLIENT_SECRET,
  HDUHELP_NEO_APP_ID,
  HDUHELP_NEO_APP_SECRET,
  HDUHELP_USERS,
  startHduhelpEmulator,
  type HduHelpEmulator,
} from '@campus-passport/mock-platforms/hduhelp';
import { useEmulator } from '@campus-passport/mock-platforms/testing';
import { HduHelpClient, createPkcePair, DEPRECATED_PERSON_INFO_PATH } from '../src';

const started = useEmulator(startHduhelpEmulator, (e) => e.clock.reset());
let emu: HduHelpEmulator;
beforeAll(() => {
  emu = started.current;
});

const [UNDERGRAD, GRAD] = HDUHELP_USERS;
const classic = (o: Partial<ConstructorParameters<typeof HduHelpClient>[0]> = {}) =>
  new HduHelpClient({ clientID: HDUHELP_CLIENT_ID, clientSecret: HDUHELP_CLIENT_SECRET, baseURL: emu.url, ...o });
const neo = (o: Partial<ConstructorParameters<typeof HduHelpClient>[0]> = {}) =>
  classic({ api: 'neo', clientID: HDUHELP_NEO_APP_ID, clientSecret: HDUHELP_NEO_APP_SECRET, ...o });

async function rejects(p: Promise<unknown>, code: string): Promise<CampusAuthError> {
  let caught: unknown;
  try {
    await p;
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(CampusAuthError);
  expect((caught as CampusAuthError).code).toBe(code);
  return caught as CampusAuthError;
}

describe('HduHelpClient classic', () => {
  it('authorizationURL: the seed URL', () => {
    const url = new URL(classic().authorizationURL({ redirectURI: 'http://localhost:3000/cb', state: 's1' }));
    expect(url.toString()).toBe(
      `${emu.url}/oauth/authorize?response_type=code&client_id=${HDUHELP_CLIENT_ID}&redirect_uri=${encodeURIComponent('http://localhost:3000/cb')}&state=s1`,
    );
  });

  it('exchangeCode → tokens, validateToken, personInfo (current and deprecated paths)', async () => {
    const code = emu.issueCode({ userId: GRAD.userId, state: 'st-1' });
    const token = await classic().exchangeCode(code, 'st-1');
    expect(token.credentials).toMatchObject({ staffId: GRAD.staffId, userId: GRAD.userId });
    const v = await classic().validateToken(token.credentials.accessToken);
    expect(v.staffId).toBe(GRAD.staffId);
    expect(v.accessTokenExpiresAt).toBe(token.credentials.accessTokenExpiresAt);
    const person = await classic().personInfo(token.credentials.accessToken, token.credentials.userId);
    expect(person).toMatchObject({ id: GRAD.userId, staffId: GRAD.staffId, staffType: 2 });
    const old = await classic({ personInfoPath: DEPRECATED_PERSON_INFO_PATH }).personInfo(token.credentials.accessToken);
    expect(old).toMatchObject({ id: GRAD.staffId, unitName: GRAD.unitName, grade: GRAD.grade, staffTypeLabel: 'graduate' });
  });

  it('a code with another state, a used code, an unknown code → ERR_INVALID_CREDENTIAL with the platform code', async () => {
    const code = emu.issueCode({ state: 'right' });
    const e = await rejects(classic().exchangeCode(code, 'wrong'), 'ERR_INVALID_CREDENTIAL');
    expect(e.upstreamStatus).toBe(200);
    expect(e.platformCode).toBe(40004);
    await rejects(classic().exchangeCode(code, 'right'), 'ERR_INVALID_CREDENTIAL'); // burnt
    await rejects(classic().exchangeCode('nope'), 'ERR_INVALID_CREDENTIAL');
  });

  it('a bad client secret → ERR_PLATFORM; the secret is in the URL the platform got but in no error', async () => {
    const secret = 'a-wrong-but-real-looking-secret-42';
    emu.clearRequests();
    const e = await rejects(classic({ clientSecret: secret }).exchangeCode(emu.issueCode()), 'ERR_PLATFORM');
    expect(emu.requests[0].query.client_secret).toBe(secret);
    const everything = `${e.message}\n${e.stack}\n${JSON.stringify(e)}\n${String(e.cause)}\n${e.platformMessage}`;
    expect(everything).not.toContain(secret);
  });

  it('the secret never leaks from transport errors either (timeout, non-JSON)', async () => {
    emu.inject({ kind: 'html', status: 502 }, { path: '/oauth/token' });
    const html = await rejects(classic().exchangeCode(emu.issueCode()), 'ERR_BAD_RESPONSE');
    emu.inject({ kind: 'stall' }, { path: '/oauth/token' });
    const stall = await rejects(classic({ timeout: 200 }).exchangeCode(emu.issueCode()), 'ERR_TIMEOUT');
    for (const e of [html, stall]) expect(`${e.message}${e.stack}${JSON.stringify(e)}`).not.toContain(HDUHELP_CLIENT_SECRET);
  });

  it('a token the platform quotes back in its msg is redacted from the error', async () => {
    const access = 'opaque-access-token-value-0042';
    emu.inject({ kind: 'json', body: { error: 40101, msg: `bad credential ${access} given`, data: null } });
    const e = await rejects(classic().personInfo(access), 'ERR_INVALID_CREDENTIAL');
    expect(e.platformMessage).toBe('bad credential [REDACTED] given');
    expect(`${e.message}${e.stack}${JSON.stringify(e)}`).not.toContain(access);
  });

  it('an unknown or expired access token → ERR_INVALID_CREDENTIAL', async () => {
    await rejects(classic().validateToken('not-a-token'), 'ERR_INVALID_CREDENTIAL');
    const t = await classic().exchangeCode(emu.issueCode());
    emu.clock.advance(2 * 60 * 60_000 + 1);
    const e = await rejects(classic().personInfo(t.credentials.accessToken), 'ERR_INVALID_CREDENTIAL');
    expect(e.platformCode).toBe(40102);
  });

  it('a 5xx is ERR_PLATFORM (retryable); HTTP 429 is ERR_RATE_LIMITED', async () => {
    emu.inject({ kind: 'json', status: 502, body: { error: 50000, msg: 'upstream' } });
    const e = await rejects(classic().validateToken('x'), 'ERR_PLATFORM');
    expect(e.retryable).toBe(true);
    emu.inject({ kind: 'json', status: 429, body: { error: 42900, msg: 'slow down' } });
    await rejects(classic().validateToken('x'), 'ERR_RATE_LIMITED');
  });

  it('a non-zero error with HTTP 200 on a data call is a failure', async () => {
    emu.inject({ kind: 'json', body: { error: 50001, msg: 'person service down', data: null } });
    const e = await rejects(classic().personInfo('x'), 'ERR_PLATFORM');
    expect(e.platformMessage).toBe('person service down');
  });

  it('goes through a custom transport with the timeout and platform set', async () => {
    const seen: Array<{ timeout?: number; platform?: string; method: string }> = [];
    const transport: Transport = (req) => {
      seen.push({ timeout: req.timeout, platform: req.platform, method: req.method });
      return coreRequest(req);
    };
    await classic({ transport, timeout: 1234 }).exchangeCode(emu.issueCode());
    expect(seen).toEqual([{ timeout: 1234, platform: 'hduhelp', method: 'GET' }]);
  });

  it('neo-only methods refuse on a classic client (and the other way round)', async () => {
    await rejects(classic().refreshAccessToken('r'), 'ERR_CONFIG');
    await rejects(classic().revoke('r'), 'ERR_CONFIG');
    await rejects(neo().validateToken('a'), 'ERR_CONFIG');
  });

  it('validates its options', () => {
    expect(() => new HduHelpClient({ clientID: 'a', clientSecret: '' })).toThrow(/"clientSecret"/);
    expect(() => new HduHelpClient({ clientID: 'a', clientSecret: 'b', paths: { token: 'x' } })).toThrow(/"paths.token"/);
  });
});

describe('HduHelpClient neo', () => {
  it('createPkcePair: S256 of the verifier', () => {
    const { verifier, challenge } = createPkcePair();
    expect(verifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(challenge).toBe(createHash('sha256').update(verifier).digest('base64url'));
  });

  it('exchange with PKCE, user-info, refresh (rotating), revoke', async () => {
    const pkce = createPkcePair();
    const code = emu.issueCode({ clientId: HDUHELP_NEO_APP_ID, userId: UNDERGRAD.userId, codeChallenge: pkce.challenge });
    const t1 = await neo().exchangeCode(code, undefined, pkce.verifier);
    expect(t1.credentials.userId).toBe(UNDERGRAD.userId);
    const me = await neo().personInfo(t1.credentials.accessToken);
    expect(me).toMatchObject({ id: UNDERGRAD.userId, staffId: UNDERGRAD.staffId, displayName: UNDERGRAD.staffName });

    emu.clearRequests();
    const t2 = await neo().refreshAccessToken(t1.credentials.refreshToken!);
    // a JSON body with exactly these fields (hduhelp-neo-sdk-go openapi.yaml, core/userauth.go Refresh)
    expect(emu.requests).toHaveLength(1);
    expect(emu.requests[0].method).toBe('POST');
    expect(emu.requests[0].path).toBe('/hduhelp-neo/open-apis/authen/refresh-access-token');
    expect(emu.requests[0].headers['content-type']).toMatch(/^application\/json\b/);
    expect(JSON.parse(emu.requests[0].rawBody)).toEqual({
      grant_type: 'refresh_token',
      app_id: HDUHELP_NEO_APP_ID,
      app_secret: HDUHELP_NEO_APP_SECRET,
      refresh_token: t1.credentials.refreshToken,
    });
    expect(t2.credentials.refreshToken).not.toBe(t1.credentials.refreshToken);
    expect(emu.isTokenActive(t1.credentials.accessToken)).toBe(false);
    await rejects(neo().refreshAccessToken(t1.credentials.refreshToken!), 'ERR_INVALID_CREDENTIAL'); // single use

    emu.clearRequests();
    await neo().revoke(t2.credentials.accessToken);
    // a JSON body {app_id, app_secret, token}; no token_type_hint when none is given (openapi.yaml)
    expect(emu.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /hduhelp-neo/open-apis/authen/revoke']);
    expect(emu.requests[0].headers['content-type']).toMatch(/^application\/json\b/);
    expect(JSON.parse(emu.requests[0].rawBody)).toEqual({
      app_id: HDUHELP_NEO_APP_ID,
      app_secret: HDUHELP_NEO_APP_SECRET,
      token: t2.credentials.accessToken,
    });
    expect(emu.isTokenActive(t2.credentials.accessToken)).toBe(false);
    await rejects(neo().personInfo(t2.credentials.accessToken), 'ERR_INVALID_CREDENTIAL');
  });

  it('revoke passes token_type_hint through; revoking a refresh token ends it and its access token', async () => {
    const t = await neo().exchangeCode(emu.issueCode({ clientId: HDUHELP_NEO_APP_ID }));
    emu.clearRequests();
    await neo().revoke(t.credentials.refreshToken!, 'refresh_token');
    expect(JSON.parse(emu.requests[0].rawBody)).toEqual({
      app_id: HDUHELP_NEO_APP_ID,
      app_secret: HDUHELP_NEO_APP_SECRET,
      token: t.credentials.refreshToken,
      token_type_hint: 'refresh_token',
    });
    expect(emu.isTokenActive(t.credentials.refreshToken!)).toBe(false);
    expect(emu.isTokenActive(t.credentials.accessToken)).toBe(false);
    await rejects(neo().refreshAccessToken(t.credentials.refreshToken!), 'ERR_INVALID_CREDENTIAL');

    const u = await neo().exchangeCode(emu.issueCode({ clientId: HDUHELP_NEO_APP_ID }));
    emu.clearRequests();
    await neo().revoke(u.credentials.accessToken, 'access_token');
    expect(JSON.parse(emu.requests[0].rawBody)).toMatchObject({
      token: u.credentials.accessToken,
      token_type_hint: 'access_token',
    });
    expect(emu.isTokenActive(u.credentials.accessToken)).toBe(false);
    // idempotent: revoking it again (or an unknown token) succeeds (openapi.yaml)
    await expect(neo().revoke(u.credentials.accessToken, 'access_token')).resolves.toBeUndefined();
    await expect(neo().revoke('never-issued')).resolves.toBeUndefined();
  });

  it('revoke refuses a token_type_hint outside "access_token" | "refresh_token" before any call', async () => {
    emu.clearRequests();
    const e = await rejects(neo().revoke('t', 'id_token' as unknown as 'access_token'), 'ERR_CONFIG');
    expect(e.message).toMatch(/tokenTypeHint/);
    expect(emu.requests).toHaveLength(0);
  });

  it('revoke with a wrong app secret → ERR_PLATFORM, the secret and the token in no error', async () => {
    const secret = 'neo-revoke-wrong-secret-5521';
    const tok = 'opaque-token-to-revoke-0099';
    const e = await rejects(neo({ clientSecret: secret }).revoke(tok), 'ERR_PLATFORM');
    expect(e.upstreamStatus).toBe(401);
    const everything = `${e.message}\n${e.stack}\n${JSON.stringify(e)}\n${String(e.cause)}\n${e.platformMessage}`;
    expect(everything).not.toContain(secret);
    expect(everything).not.toContain(tok);
  });

  it('the code exchange stays a form (core/userauth.go ExchangeCode)', async () => {
    const pkce = createPkcePair();
    emu.clearRequests();
    await neo().exchangeCode(
      emu.issueCode({ clientId: HDUHELP_NEO_APP_ID, codeChallenge: pkce.challenge }),
      undefined,
      pkce.verifier,
    );
    expect(emu.requests[0].headers['content-type']).toMatch(/^application\/x-www-form-urlencoded\b/);
    expect(Object.fromEntries(new URLSearchParams(emu.requests[0].rawBody))).toEqual({
      grant_type: 'authorization_code',
      app_id: HDUHELP_NEO_APP_ID,
      app_secret: HDUHELP_NEO_APP_SECRET,
      code: expect.any(String),
      code_verifier: pkce.verifier,
    });
  });

  it('a refresh token the platform quotes back in a JSON-body call stays redacted', async () => {
    const refresh = 'opaque-refresh-json-value-3310';
    emu.inject({ kind: 'json', status: 200, body: { code: 50001, msg: `backend failed on ${refresh}` } });
    const e = await rejects(neo().refreshAccessToken(refresh), 'ERR_INVALID_CREDENTIAL');
    expect(`${e.message}${e.stack}${JSON.stringify(e)}`).not.toContain(refresh);
  });

  it('a refresh token or PKCE verifier the platform quotes back is redacted', async () => {
    const refresh = 'opaque-refresh-token-value-7781';
    emu.inject({ kind: 'json', status: 400, body: { code: 20005, msg: `unknown ${refresh}`, data: null } });
    const e = await rejects(neo().refreshAccessToken(refresh), 'ERR_INVALID_CREDENTIAL');
    expect(e.platformMessage).toBe('unknown [REDACTED]');
    const pkce = createPkcePair();
    emu.inject({ kind: 'json', status: 400, body: { code: 20004, msg: `${pkce.verifier} does not match`, data: null } });
    const v = await rejects(neo().exchangeCode('c', undefined, pkce.verifier), 'ERR_INVALID_CREDENTIAL');
    expect(`${v.message}${v.stack}${JSON.stringify(v)}`).not.toContain(pkce.verifier);
  });

  it('a wrong PKCE verifier → ERR_INVALID_CREDENTIAL', async () => {
    const code = emu.issueCode({ clientId: HDUHELP_NEO_APP_ID, codeChallenge: createPkcePair().challenge });
    const e = await rejects(neo().exchangeCode(code, undefined, createPkcePair().verifier), 'ERR_INVALID_CREDENTIAL');
    expect(e.platformCode).toBe(20004);
  });

  it('a wrong app secret → ERR_PLATFORM without the secret', async () => {
    const e = await rejects(neo({ clientSecret: 'neo-wrong-secret-xyz' }).exchangeCode('c'), 'ERR_PLATFORM');
    expect(JSON.stringify(e) + e.message).not.toContain('neo-wrong-secret-xyz');
  });
});
