import { emulators, startAll, type Emulator } from '../src';
import { main } from '../src/cli';

const FIXED_PORTS: Record<string, number> = {
  hduhelp: 4101,
  ziqiang: 4102,
  ncuos: 4103,
  'disabled-aid': 4104,
  zafu: 4105,
};

/** Each emulator's login / portal page, as its source serves it. */
const LOGIN_PAGES: Record<string, string> = {
  hduhelp: '/oauth/authorize?response_type=code&client_id=campus-passport-demo&redirect_uri=http%3A%2F%2F127.0.0.1%3A3000%2Fcb',
  ziqiang: '/login?app-name=zq_demo',
  ncuos: '/?appCode=campus-passport-demo',
  'disabled-aid': '/',
  zafu: '/oauth/authorize?response_type=code&client_id=zafu-demo-client&redirect_uri=http%3A%2F%2F127.0.0.1%3A3000%2Fcb',
};

afterEach(() => {
  jest.restoreAllMocks();
});

describe('registry', () => {
  it('lists exactly the five platforms with their fixed ports, in order', () => {
    expect(emulators.map((e) => [e.name, e.port])).toEqual(Object.entries(FIXED_PORTS));
    for (const e of emulators) expect(typeof e.start).toBe('function');
  });
});

describe('startAll({ freePorts: true })', () => {
  let started: Emulator[] = [];

  afterAll(async () => {
    await Promise.all(started.map((e) => e.close()));
  });

  it('starts all five on 127.0.0.1, each serving its login page as HTML, then closes them', async () => {
    started = await startAll({ freePorts: true });
    expect(started.map((e) => e.name)).toEqual(Object.keys(FIXED_PORTS));

    for (const e of started) {
      expect(e.url).toBe(`http://127.0.0.1:${e.port}`);
      expect(e.port).toBeGreaterThan(0);
      expect(e.port).not.toBe(FIXED_PORTS[e.name]);
    }
    expect(new Set(started.map((e) => e.port)).size).toBe(5);

    for (const e of started) {
      const res = await fetch(`${e.url}${LOGIN_PAGES[e.name]}`);
      const body = await res.text();
      expect({ name: e.name, status: res.status }).toEqual({ name: e.name, status: 200 });
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(body).toMatch(/^<!doctype html>/i);
      expect(body).toContain('data-user=');
    }

    const closing = started;
    started = [];
    await Promise.all(closing.map((e) => e.close()));
    for (const e of closing) await expect(fetch(`${e.url}/`)).rejects.toThrow();
  });
});

describe('campus-mock CLI', () => {
  it('--list prints the five names and ports without starting anything', async () => {
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    await main(['--list']);
    const lines = log.mock.calls.map((c) => c.join(' '));
    expect(lines).toEqual(Object.entries(FIXED_PORTS).map(([name, port]) => `${name}\t${port}`));
  });

  it('--help and -h print the usage', async () => {
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    await main(['--help']);
    await main(['-h']);
    expect(log).toHaveBeenCalledTimes(2);
    for (const [text] of log.mock.calls) {
      expect(text).toMatch(/^usage: campus-mock/);
      expect(text).toContain('--list');
    }
  });
});
