/**
 * neo's app-level tokens (`tenantAccessToken()`, `appAccessToken()`) and service API calls
 * (`openApi()`) against the emulator: cached and shared through the TokenStore, renewed early,
 * single-flight, renewed once when rejected; the right Bearer token and X-Staff-Id per auth kind;
 * errors typed, carrying the platform's request id, and free of secrets.
 */
import { CampusAuthError, MemoryTokenStore, type Transport, defaultTransport as coreRequest } from '@campus-passport/core';
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
import { HduHelpClient, requestIdOf } from '../src';

const started = {
  emu: useEmulator(() => startHduhelpEmulator({ tenantTokenTtl: 120_000 })),
  other: useEmulator(() => startHduhelpEmulator()),
};
let emu: HduHelpEmulator;
beforeAll(() => {
  emu = started.emu.current;
});

const [UNDERGRAD, GRAD] = HDUHELP_USERS;
const TENANT_PATH = '/hduhelp-neo/open-apis/auth/tenant-access-token/internal';
const PERSON = '/hduhelp-neo/academic/person/info';
const MAJOR = '/hduhelp-neo/academic/student-history/major-info';

type Options = Partial<ConstructorParameters<typeof HduHelpClient>[0]>;
const neo = (o: Options = {}, e: HduHelpEmulator = emu) =>
  new HduHelpClient({
    api: 'neo',
    clientID: HDUHELP_NEO_APP_ID,
    clientSecret: HDUHELP_NEO_APP_SECRET,
    baseURL: e.url,
    now: () => e.clock.now(),
    tokenStore: new MemoryTokenStore(),
    ...o,
  });
const hits = (path: string, e: HduHelpEmulator = emu) => e.requests.filter((r) => r.path === path);

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
const everything = (e: CampusAuthError) =>
  `${e.message}\n${e.stack}\n${JSON.stringify(e)}\n${String(e.cause)}\n${e.platformMessage}\n${JSON.stringify(e.details)}`;

async function userLogin(scope?: string): Promise<string> {
  const t = await neo().exchangeCode(emu.issueCode({ clientId: HDUHELP_NEO_APP_ID, userId: UNDERGRAD.userId, scope }));
  return t.credentials.accessToken;
}

describe('tenantAccessToken / appAccessToken', () => {
  it('POST JSON {app_id, app_secret} to the neo paths; cached: 20 concurrent callers → 1 fetch', async () => {
    const client = neo();
    const tokens = await Promise.all(Array.from({ length: 20 }, () => client.tenantAccessToken()));
    expect(new Set(tokens).size).toBe(1);
    expect(hits(TENANT_PATH)).toHaveLength(1);
    const [req] = hits(TENANT_PATH);
    expect(req.method).toBe('POST');
    expect(req.headers['content-type']).toMatch(/^application\/json\b/);
    expect(JSON.parse(req.rawBody)).toEqual({ app_id: HDUHELP_NEO_APP_ID, app_secret: HDUHELP_NEO_APP_SECRET });
    expect(await client.tenantAccessToken()).toBe(tokens[0]);
    expect(hits(TENANT_PATH)).toHaveLength(1);
    // the app token is another token, under its own key
    const app = await client.appAccessToken();
    expect(app).not.toBe(tokens[0]);
    expect(hits('/hduhelp-neo/open-apis/auth/app-access-token/internal')).toHaveLength(1);
    expect(await client.appAccessToken()).toBe(app);
  });

  it('shared through the store: clients on one store (and by default, the process store) fetch once', async () => {
    const store = new MemoryTokenStore();
    const [a, b] = await Promise.all([
      neo({ tokenStore: store }).tenantAccessToken(),
      neo({ tokenStore: store }).tenantAccessToken(),
    ]);
    expect(a).toBe(b);
    expect(hits(TENANT_PATH)).toHaveLength(1);
    emu.clearRequests();
    const p1 = await neo({ tokenStore: undefined }).tenantAccessToken();
    expect(await neo({ tokenStore: undefined }).tenantAccessToken()).toBe(p1);
    expect(hits(TENANT_PATH)).toHaveLength(1);
  });

  it('the key holds baseURL and app id: another platform origin gets its own token from one store', async () => {
    const store = new MemoryTokenStore();
    const other = started.other.current;
    const a = await neo({ tokenStore: store }).tenantAccessToken();
    const b = await neo({ tokenStore: store }, other).tenantAccessToken();
    expect(a).not.toBe(b);
    expect(other.isTokenActive(b)).toBe(true);
    expect(other.isTokenActive(a)).toBe(false);
  });

  it('renewed 60 s before its expiry (expire 120 s): not at 59 s, yes at 61 s', async () => {
    const client = neo();
    const first = await client.tenantAccessToken();
    emu.clock.advance(59_000);
    expect(await client.tenantAccessToken()).toBe(first);
    emu.clock.advance(2_000);
    const second = await client.tenantAccessToken();
    expect(second).not.toBe(first);
    expect(hits(TENANT_PATH)).toHaveLength(2);
  });

  it('a failing renewal serves the still-valid token; past its expiry the failure is the answer', async () => {
    const client = neo();
    const first = await client.tenantAccessToken();
    emu.clock.advance(90_000);
    emu.inject({ kind: 'json', status: 503, body: { code: 50300, msg: 'busy' } }, { path: TENANT_PATH, times: Infinity });
    expect(await client.tenantAccessToken()).toBe(first);
    emu.clock.advance(31_000);
    const e = await rejects(client.tenantAccessToken(), 'ERR_PLATFORM');
    expect(e.retryable).toBe(true);
  });

  it('a wrong app secret → ERR_PLATFORM naming the options, with the request id and without the secret', async () => {
    const secret = 'tenant-wrong-secret-value-3391';
    const e = await rejects(neo({ clientSecret: secret }).tenantAccessToken(), 'ERR_PLATFORM');
    expect(e.message).toMatch(/clientID \/ clientSecret/);
    expect(e.upstreamStatus).toBe(401);
    expect(e.requestId).toBe(emu.lastRequestId);
    expect(JSON.parse(JSON.stringify(e))).toMatchObject({ requestId: emu.lastRequestId }); // a logged error keeps it
    expect(everything(e)).not.toContain(secret);
  });

  it('bounded by the client timeout: a stalled token endpoint → ERR_TIMEOUT', async () => {
    emu.inject({ kind: 'stall' }, { path: TENANT_PATH });
    const t0 = Date.now();
    await rejects(neo({ timeout: 200 }).tenantAccessToken(), 'ERR_TIMEOUT');
    expect(Date.now() - t0).toBeLessThan(1_000);
  });

  it('only on a neo client', () => {
    const classic = new HduHelpClient({ clientID: HDUHELP_CLIENT_ID, clientSecret: HDUHELP_CLIENT_SECRET, baseURL: emu.url });
    expect(() => classic.tenantAccessToken()).toThrow(/neo/);
  });
});

describe('openApi', () => {
  it('auth "tenant": Bearer <tenant token> and X-Staff-Id; the envelope data and the request id come back', async () => {
    const client = neo();
    const res = await client.openApi<{ staffId: string; staffName: string }>({
      path: PERSON,
      auth: 'tenant',
      staffId: GRAD.staffId,
    });
    expect(res.data).toMatchObject({ staffId: GRAD.staffId, staffName: GRAD.staffName });
    expect(res.status).toBe(200);
    expect(res.requestId).toBe(emu.lastRequestId);
    const [req] = hits(PERSON);
    expect(req.method).toBe('GET');
    expect(req.headers.authorization).toBe(`Bearer ${await client.tenantAccessToken()}`);
    expect(req.headers['x-staff-id']).toBe(GRAD.staffId);
  });

  it('auth "app": Bearer <app token>', async () => {
    const client = neo();
    await client.openApi({ path: PERSON, auth: 'app', staffId: UNDERGRAD.staffId });
    expect(hits(PERSON)[0].headers.authorization).toBe(`Bearer ${await client.appAccessToken()}`);
    expect(hits(TENANT_PATH)).toHaveLength(0);
  });

  it('auth "user": Bearer <the user token>, no X-Staff-Id, no app-level token fetched', async () => {
    const uat = await userLogin('academic:studenthistory:read');
    emu.clearRequests();
    const me = await neo().openApi<{ staffId: string }>({ path: PERSON, auth: 'user', accessToken: uat });
    expect(me.data.staffId).toBe(UNDERGRAD.staffId);
    const history = await neo().openApi<Array<{ studentId: string }>>({
      path: MAJOR,
      auth: 'user',
      accessToken: uat,
      query: { student_id: GRAD.staffId },
    });
    expect(history.data.map((i) => i.studentId)).toEqual([GRAD.staffId, GRAD.staffId]);
    expect(hits(MAJOR)[0].query).toEqual({ student_id: GRAD.staffId });
    for (const r of emu.requests) expect(r.headers).not.toHaveProperty('x-staff-id');
    expect(emu.requests.map((r) => r.headers.authorization)).toEqual([`Bearer ${uat}`, `Bearer ${uat}`]);
  });

  it('the retry after a renewal redacts the first token too, when the platform quotes it', async () => {
    const client = neo();
    const first = await client.tenantAccessToken();
    emu.inject({ kind: 'json', status: 401, body: { code: 20006, msg: 'expired' } }, { path: PERSON });
    emu.inject({ kind: 'json', status: 400, body: { code: 20007, msg: `the old one ${first} was replaced` } }, { path: PERSON });
    const e = await rejects(client.openApi({ path: PERSON, auth: 'tenant', staffId: GRAD.staffId }), 'ERR_PLATFORM');
    expect(e.platformCode).toBe(20007);
    expect(everything(e)).not.toContain(first);
    expect(e.platformMessage).toBe('the old one [REDACTED] was replaced');
  });

  it('a tenant token the platform rejects is renewed once and the call retried', async () => {
    // the client's own clock: the emulator expires the token while the client still trusts it
    const client = neo({ now: Date.now });
    const first = await client.tenantAccessToken();
    emu.clock.advance(121_000);
    const res = await client.openApi({ path: PERSON, auth: 'tenant', staffId: GRAD.staffId });
    expect(res.status).toBe(200);
    expect(hits(TENANT_PATH)).toHaveLength(2);
    expect(hits(PERSON).map((r) => r.headers.authorization)).toEqual([
      `Bearer ${first}`,
      `Bearer ${await client.tenantAccessToken()}`,
    ]);
  });

  it('rejected again after the renewal → the error, after exactly one retry; the token is in no error', async () => {
    const client = neo();
    const tat = await client.tenantAccessToken();
    emu.inject(
      { kind: 'json', status: 401, body: { code: 20006, msg: `token ${tat} is not valid` } },
      { path: PERSON, times: 2 },
    );
    const e = await rejects(client.openApi({ path: PERSON, auth: 'tenant', staffId: GRAD.staffId }), 'ERR_PLATFORM');
    expect(e.appTokenRejected).toBe(true);
    expect(hits(PERSON)).toHaveLength(2);
    expect(hits(TENANT_PATH)).toHaveLength(2);
    expect(everything(e)).not.toContain(tat);
    expect(everything(e)).not.toContain(HDUHELP_NEO_APP_SECRET);
  });

  it('a caller-given tenant token is used as is (not renewed)', async () => {
    const e = await rejects(
      neo().openApi({ path: PERSON, auth: 'tenant', accessToken: 'my-own-tenant-token', staffId: GRAD.staffId }),
      'ERR_PLATFORM',
    );
    expect(e.appTokenRejected).toBe(true);
    expect(hits(TENANT_PATH)).toHaveLength(0);
    expect(hits(PERSON)[0].headers.authorization).toBe('Bearer my-own-tenant-token');
    expect(everything(e)).not.toContain('my-own-tenant-token');
  });

  it('errors are typed and carry the request id: missing X-Staff-Id, a permission refused, a dead user token', async () => {
    const client = neo();
    const noStaff = await rejects(client.openApi({ path: PERSON, auth: 'tenant' }), 'ERR_PLATFORM');
    expect([noStaff.upstreamStatus, noStaff.platformCode, noStaff.appTokenRejected]).toEqual([400, 20007, false]);
    expect(noStaff.requestId).toBe(emu.lastRequestId);
    expect(noStaff.details).toBeUndefined(); // one place: the field

    const denied = await rejects(client.openApi({ path: MAJOR, auth: 'tenant', staffId: GRAD.staffId }), 'ERR_PLATFORM');
    expect([denied.upstreamStatus, denied.platformCode]).toEqual([403, 20009]);
    expect(denied.message).toMatch(/permission/);
    expect(denied.requestId).toBe(emu.lastRequestId);

    const uat = await userLogin();
    emu.clock.advance(2 * 60 * 60_000 + 1);
    const dead = await rejects(client.openApi({ path: PERSON, auth: 'user', accessToken: uat }), 'ERR_INVALID_CREDENTIAL');
    expect(dead.requestId).toBe(emu.lastRequestId);
    expect(everything(dead)).not.toContain(uat);
  });

  it('the request id is read as core/response.go does: X-Request-Id, else X-Tt-Logid, else Request-Id', async () => {
    expect(requestIdOf({ 'x-request-id': 'a', 'x-tt-logid': 'b' })).toBe('a');
    expect(requestIdOf({ 'X-Tt-Logid': 'b', 'request-id': 'c' })).toBe('b');
    expect(requestIdOf({ 'Request-Id': 'c' })).toBe('c');
    expect(requestIdOf({})).toBeUndefined();
    // through a transport (a gateway) that only sets X-Tt-Logid
    const logid: Transport = async <T>(req: Parameters<Transport>[0]) => {
      const res = await coreRequest<T>(req);
      const { 'x-request-id': _dropped, ...headers } = res.headers;
      return { ...res, headers: { ...headers, 'x-tt-logid': 'logid-4242' } };
    };
    const e = await rejects(neo({ transport: logid }).openApi({ path: PERSON, auth: 'tenant' }), 'ERR_PLATFORM');
    expect(e.requestId).toBe('logid-4242');
  });

  it('a non-JSON or 5xx answer still carries the request id', async () => {
    const html: Transport = async <T>(req: Parameters<Transport>[0]) => ({
      status: 502,
      headers: { 'content-type': 'text/html', 'x-request-id': 'rid-gateway-1' },
      body: '<html>Bad Gateway</html>' as T,
      text: '<html>Bad Gateway</html>',
      url: req.url,
    });
    const e = await rejects(
      neo({ transport: html }).openApi({ path: PERSON, auth: 'user', accessToken: 'u-token-x' }),
      'ERR_BAD_RESPONSE',
    );
    expect(e.retryable).toBe(true);
    expect(e.requestId).toBe('rid-gateway-1');
    const json5xx: Transport = async <T>(req: Parameters<Transport>[0]) => ({
      status: 503,
      headers: { 'content-type': 'application/json', 'x-request-id': 'rid-gateway-2' },
      body: '' as T,
      text: '{"code":50300,"msg":"busy"}',
      url: req.url,
    });
    const f = await rejects(
      neo({ transport: json5xx }).openApi({ path: PERSON, auth: 'user', accessToken: 'u-token-x' }),
      'ERR_PLATFORM',
    );
    expect([f.retryable, f.platformCode, f.requestId]).toEqual([true, 50300, 'rid-gateway-2']);
  });

  it('a body goes as JSON with the method given (a 404 without the envelope is ERR_BAD_RESPONSE)', async () => {
    const e = await rejects(
      neo().openApi({
        method: 'POST',
        path: '/hduhelp-neo/not-emulated',
        auth: 'user',
        accessToken: 'u-token-y',
        json: { a: 1 },
      }),
      'ERR_BAD_RESPONSE',
    );
    expect(e.upstreamStatus).toBe(404);
    const [req] = hits('/hduhelp-neo/not-emulated');
    expect(req.method).toBe('POST');
    expect(req.headers['content-type']).toMatch(/^application\/json\b/);
    expect(req.body).toEqual({ a: 1 });
  });

  it('validates the request before any call', async () => {
    const client = neo();
    await rejects(client.openApi({ path: PERSON, auth: 'user' }), 'ERR_CONFIG');
    await rejects(client.openApi({ path: 'academic/person/info', auth: 'tenant' }), 'ERR_CONFIG');
    await rejects(client.openApi({ path: '//evil.example/x', auth: 'tenant' }), 'ERR_CONFIG');
    await rejects(client.openApi({ path: PERSON, auth: 'pat' as 'user', accessToken: 'x' }), 'ERR_CONFIG');
    await rejects(client.openApi({ method: 'HEAD' as 'GET', path: PERSON, auth: 'tenant' }), 'ERR_CONFIG');
    await rejects(client.openApi({ path: PERSON } as unknown as Parameters<HduHelpClient['openApi']>[0]), 'ERR_CONFIG');
    const classic = new HduHelpClient({ clientID: HDUHELP_CLIENT_ID, clientSecret: HDUHELP_CLIENT_SECRET, baseURL: emu.url });
    await rejects(classic.openApi({ path: PERSON, auth: 'tenant' }), 'ERR_CONFIG');
    expect(emu.requests).toHaveLength(0);
  });
});
