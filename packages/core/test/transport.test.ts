import axios from 'axios';
import { startEmulator, type Emulator } from '@campus-passport/mock-platforms';
import { CampusAuthError, axiosTransport, undiciTransport as createTransport, isCampusAuthError, type Transport } from '../src';

const SECRET = 'cs-SUPER-SECRET-0001';
const TOKEN = 'tok-SUPER-SECRET-0002';

let emu: Emulator;
let other: Emulator;

beforeAll(async () => {
  other = await startEmulator({
    name: 'other',
    routes(app) {
      app.get('/landing', (_req, res) => void res.json({ landed: true }));
    },
  });
  emu = await startEmulator({
    name: 'transport',
    routes(app) {
      app.all('/echo', (req, res) => void res.json({ method: req.method, query: req.query, body: req.body ?? null }));
      app.get('/empty', (_req, res) => void res.status(204).end());
      app.get('/error-json', (_req, res) => void res.status(500).json({ code: 5, msg: 'boom' }));
      app.get(
        '/reflect-html',
        (req, res) =>
          void res
            .status(502)
            .type('html')
            .send(`<html>error for ${req.url} auth=${req.headers.authorization ?? ''}</html>`),
      );
      app.get('/slow-body', (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"partial":');
        // never ends
      });
      app.get('/same-origin-redirect', (_req, res) => void res.redirect(302, '/echo?moved=1'));
      app.post('/see-other', (_req, res) => void res.redirect(303, '/echo'));
      app.get('/cross-redirect', (_req, res) => void res.redirect(302, `${other.url}/landing`));
    },
  });
});
afterAll(async () => {
  await emu.close();
  await other.close();
});
afterEach(() => emu.clearFaults());

async function rejection(p: Promise<unknown>): Promise<CampusAuthError> {
  try {
    await p;
  } catch (e) {
    expect(isCampusAuthError(e)).toBe(true);
    return e as CampusAuthError;
  }
  throw new Error('expected a rejection');
}

function expectNoSecret(e: CampusAuthError) {
  const text = [e.message, e.stack, JSON.stringify(e), e.platformMessage, e.cause?.message, e.cause?.stack].join('\n');
  expect(text).not.toContain(SECRET);
  expect(text).not.toContain(TOKEN);
}

const transports: Array<[string, () => Transport]> = [
  ['undici', () => createTransport()],
  ['axios', () => axiosTransport(axios.create())],
];

describe.each(transports)('transport over %s', (_name, make) => {
  const t = make();

  it('encodes the query (arrays, unicode) and parses JSON', async () => {
    const res = await t<{ query: Record<string, unknown> }>({
      method: 'GET',
      url: `${emu.url}/echo?fixed=1`,
      query: { a: 'x y', list: ['1', '2'], zh: '杭电', skip: undefined },
    });
    expect(res.status).toBe(200);
    expect(res.body.query).toEqual({ fixed: '1', a: 'x y', list: ['1', '2'], zh: '杭电' });
  });

  it('sends JSON and form bodies with their content types', async () => {
    const j = await t<{ body: unknown }>({ method: 'POST', url: `${emu.url}/echo`, json: { code: 'abc', n: 1 } });
    expect(j.body.body).toEqual({ code: 'abc', n: 1 });
    const f = await t<{ body: unknown }>({ method: 'POST', url: `${emu.url}/echo`, form: { stoken: 'st', list: ['a', 'b'] } });
    expect(f.body.body).toEqual({ stoken: 'st', list: ['a', 'b'] });
    const last = emu.requests[emu.requests.length - 1];
    expect(last.headers['content-type']).toContain('application/x-www-form-urlencoded');
  });

  it('returns an empty body as undefined and a JSON 5xx as a response', async () => {
    expect((await t({ method: 'GET', url: `${emu.url}/empty` })).body).toBeUndefined();
    const res = await t({ method: 'GET', url: `${emu.url}/error-json` });
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ code: 5, msg: 'boom' });
  });

  it('a non-JSON body is ERR_BAD_RESPONSE with the status and a redacted excerpt', async () => {
    const e = await rejection(
      t({
        method: 'GET',
        url: `${emu.url}/reflect-html`,
        query: { client_secret: SECRET, client_id: 'id' },
        headers: { authorization: `token ${TOKEN}` },
        platform: 'hduhelp',
      }),
    );
    expect(e.code).toBe('ERR_BAD_RESPONSE');
    expect(e.upstreamStatus).toBe(502);
    expect(e.message).toContain('502');
    expect(e.message).toContain('error for');
    expect(e.platform).toBe('hduhelp');
    expectNoSecret(e);
  });

  it.each([
    ['HTML', { kind: 'html' } as const],
    ['malformed JSON', { kind: 'malformed-json' } as const],
  ])('%s → ERR_BAD_RESPONSE', async (_n, fault) => {
    emu.inject(fault);
    const e = await rejection(t({ method: 'POST', url: `${emu.url}/echo`, json: { app_secret: SECRET } }));
    expect(e.code).toBe('ERR_BAD_RESPONSE');
    expectNoSecret(e);
  });

  it('an oversized body is ERR_BAD_RESPONSE', async () => {
    emu.inject({ kind: 'huge', bytes: 64 * 1024 });
    const e = await rejection(t({ method: 'GET', url: `${emu.url}/echo`, maxBodySize: 16 * 1024 }));
    expect(e.code).toBe('ERR_BAD_RESPONSE');
    expect(e.message).toMatch(/larger than/);
  });

  it('a stalled platform times out within timeout + 200 ms', async () => {
    emu.inject({ kind: 'stall' });
    const started = Date.now();
    const e = await rejection(
      t({ method: 'GET', url: `${emu.url}/echo`, query: { client_secret: SECRET }, timeout: 300, platform: 'zafu' }),
    );
    const took = Date.now() - started;
    expect(e.code).toBe('ERR_TIMEOUT');
    expect(took).toBeGreaterThanOrEqual(290);
    expect(took).toBeLessThan(500);
    expectNoSecret(e);
  });

  it('the timeout also covers a body that never finishes', async () => {
    const started = Date.now();
    const e = await rejection(t({ method: 'GET', url: `${emu.url}/slow-body`, timeout: 300 }));
    expect(e.code).toBe('ERR_TIMEOUT');
    expect(Date.now() - started).toBeLessThan(500);
  });

  it('latency under the timeout is fine', async () => {
    emu.inject({ kind: 'latency', ms: 50 });
    const res = await t({ method: 'GET', url: `${emu.url}/echo`, timeout: 1000 });
    expect(res.status).toBe(200);
  });

  it('a reset connection is ERR_NETWORK, secrets redacted', async () => {
    emu.inject({ kind: 'reset' });
    const e = await rejection(
      t({
        method: 'POST',
        url: `${emu.url}/echo`,
        form: { client_secret: SECRET },
        headers: { authorization: `Bearer ${TOKEN}` },
      }),
    );
    expect(e.code).toBe('ERR_NETWORK');
    expectNoSecret(e);
  });

  it('a refused connection is ERR_NETWORK', async () => {
    const closed = await startEmulator({ name: 'gone', routes() {} });
    const url = closed.url;
    await closed.close();
    const e = await rejection(t({ method: 'GET', url: `${url}/x`, query: { access_token: TOKEN } }));
    expect(e.code).toBe('ERR_NETWORK');
    expectNoSecret(e);
  });

  it('follows same-origin redirects (303 turns POST into GET)', async () => {
    const r = await t<{ query: unknown }>({ method: 'GET', url: `${emu.url}/same-origin-redirect` });
    expect(r.body.query).toEqual({ moved: '1' });
    const s = await t<{ method: string }>({ method: 'POST', url: `${emu.url}/see-other`, json: { a: 1 } });
    expect(s.body.method).toBe('GET');
  });

  it('never follows a redirect to another host', async () => {
    other.clearRequests();
    const e = await rejection(t({ method: 'GET', url: `${emu.url}/cross-redirect`, query: { client_secret: SECRET } }));
    expect(e.code).toBe('ERR_BAD_RESPONSE');
    expect(e.message).toMatch(/another host/);
    expect(other.requests).toHaveLength(0);
    expectNoSecret(e);
  });

  it('an invalid URL is ERR_CONFIG', async () => {
    const e = await rejection(t({ method: 'GET', url: 'not a url' }));
    expect(['ERR_CONFIG', 'ERR_NETWORK']).toContain(e.code);
  });
});
