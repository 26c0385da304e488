import { createClock, escapeHtml, startEmulator, type Emulator } from '../src';

let emu: Emulator;
let clockSeen: () => number;

beforeAll(async () => {
  emu = await startEmulator({
    name: 'harness',
    routes(app, ctx) {
      clockSeen = () => ctx.clock.now();
      app.all('/echo', (req, res) => void res.json({ body: req.body ?? null, url: ctx.url }));
      app.get('/now', (_req, res) => void res.json({ now: ctx.clock.now() }));
    },
  });
});
afterAll(() => emu.close());
afterEach(() => {
  emu.clearFaults();
  emu.clearRequests();
});

async function get(path: string, init: { method?: 'GET' | 'POST'; body?: string; headers?: Record<string, string> } = {}) {
  const res = await fetch(`${emu.url}${path}`, { method: init.method ?? 'GET', body: init.body, headers: init.headers });
  return { status: res.status, type: String(res.headers.get('content-type') ?? ''), text: await res.text() };
}

describe('startEmulator', () => {
  it('listens on 127.0.0.1 on a free port and knows its own URL', async () => {
    expect(emu.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(emu.port).toBeGreaterThan(0);
    expect(JSON.parse((await get('/echo')).text).url).toBe(emu.url);
  });

  it('records method, path, query, headers and parsed JSON / form bodies', async () => {
    await get('/echo?a=1&a=2&b=x', {
      method: 'POST',
      body: '{"k":"v"}',
      headers: { 'content-type': 'application/json', 'x-t': 'y' },
    });
    await get('/echo', {
      method: 'POST',
      body: 'stoken=s1&r=1&r=2',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(emu.requests).toHaveLength(2);
    expect(emu.requests[0]).toMatchObject({ method: 'POST', path: '/echo', query: { a: ['1', '2'], b: 'x' }, body: { k: 'v' } });
    expect(emu.requests[0].headers['x-t']).toBe('y');
    expect(emu.requests[1].body).toEqual({ stoken: 's1', r: ['1', '2'] });
    expect(emu.requests[1].rawBody).toBe('stoken=s1&r=1&r=2');
  });

  it('injects a fault once by default, then answers normally', async () => {
    emu.inject({ kind: 'status', status: 503, body: { down: true } });
    expect((await get('/echo')).status).toBe(503);
    expect((await get('/echo')).status).toBe(200);
  });

  it('injects until cleared, filtered by path and method', async () => {
    emu.inject({ kind: 'html', status: 502 }, { times: Infinity, path: '/now', method: 'GET' });
    const a = await get('/now');
    const b = await get('/now');
    expect([a.status, b.status]).toEqual([502, 502]);
    expect(a.type).toContain('text/html');
    expect((await get('/echo')).status).toBe(200);
    emu.clearFaults();
    expect((await get('/now')).status).toBe(200);
  });

  it('serves malformed JSON, wrong-shaped JSON and huge bodies on demand', async () => {
    emu.inject({ kind: 'malformed-json' });
    const m = await get('/echo');
    expect(() => JSON.parse(m.text)).toThrow();
    emu.inject({ kind: 'json', status: 200, body: [1, 2] });
    expect(JSON.parse((await get('/echo')).text)).toEqual([1, 2]);
    emu.inject({ kind: 'huge', bytes: 100_000 });
    expect((await get('/echo')).text.length).toBeGreaterThan(100_000);
  });

  it('adds latency, then answers', async () => {
    emu.inject({ kind: 'latency', ms: 30 });
    expect((await get('/echo')).status).toBe(200);
  });

  it('resets the connection', async () => {
    emu.inject({ kind: 'reset' });
    await expect(get('/echo')).rejects.toThrow();
  });

  it('stalls until closed, and close() ends stalled requests', async () => {
    const stalled = await startEmulator({ name: 'stall', routes() {} });
    stalled.inject({ kind: 'stall' });
    const pending = fetch(`${stalled.url}/x`).then(
      () => 'answered',
      () => 'closed',
    );
    let settled = false;
    void pending.then(() => (settled = true));
    await new Promise((r) => setTimeout(r, 100));
    expect(settled).toBe(false);
    await stalled.close();
    expect(await pending).toBe('closed');
  });

  it('answers unknown paths with 404 JSON', async () => {
    const r = await get('/nope');
    expect(r.status).toBe(404);
    expect(JSON.parse(r.text)).toMatchObject({ error: 'not_found' });
  });

  it('has a controllable clock shared with the routes', async () => {
    const before = JSON.parse((await get('/now')).text).now as number;
    emu.clock.advance(3_600_000);
    const after = JSON.parse((await get('/now')).text).now as number;
    expect(after - before).toBeGreaterThanOrEqual(3_600_000);
    expect(clockSeen()).toBeGreaterThanOrEqual(after);
    emu.clock.set(0);
    expect(emu.clock.now()).toBeLessThan(1000);
    emu.clock.reset();
    expect(Math.abs(emu.clock.now() - Date.now())).toBeLessThan(1000);
  });
});

describe('helpers', () => {
  it('createClock is independent per instance', () => {
    const a = createClock();
    const b = createClock();
    a.advance(1000);
    expect(a.now() - b.now()).toBeGreaterThanOrEqual(999);
  });

  it('escapeHtml escapes markup', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
});
