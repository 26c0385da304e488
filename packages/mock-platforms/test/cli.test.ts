import { emulators, fixedPorts, platformEntry, platformNames, startAll, type Emulator } from '../src';
import { main } from '../src/cli';

/** The five original platforms' fixed ports: a contract (the demo and the docs name them). */
const FIXED_PORTS: Record<string, number> = {
  hduhelp: 4101,
  ziqiang: 4102,
  ncuos: 4103,
  'disabled-aid': 4104,
  zafu: 4105,
};

/** The five original emulators' login / portal pages, as their sources serve them. */
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
  it('lists the five platforms first with their fixed ports, in order; every port and name once', () => {
    expect(emulators.slice(0, 5).map((e) => [e.name, e.port])).toEqual(Object.entries(FIXED_PORTS));
    expect(fixedPorts()).toMatchObject(FIXED_PORTS);
    expect(new Set(emulators.map((e) => e.port)).size).toBe(emulators.length);
    expect(new Set(platformNames()).size).toBe(emulators.length);
    for (const e of emulators) expect(typeof e.start).toBe('function');
  });

  it("names each of the five's login page as its source serves it", () => {
    for (const [name, path] of Object.entries(LOGIN_PAGES)) expect([name, platformEntry(name).loginPath]).toEqual([name, path]);
    expect(() => platformEntry('nope')).toThrow(/unknown platform "nope" \(known: hduhelp, ziqiang, /);
  });
});

describe('startAll({ freePorts: true })', () => {
  let started: Emulator[] = [];

  afterAll(async () => {
    await Promise.all(started.map((e) => e.close()));
  });

  it('starts every registered emulator on 127.0.0.1, each serving its login page as HTML, then closes them', async () => {
    started = await startAll({ freePorts: true });
    expect(started.map((e) => e.name)).toEqual(platformNames());

    for (const e of started) {
      expect(e.url).toBe(`http://127.0.0.1:${e.port}`);
      expect(e.port).toBeGreaterThan(0);
      expect(e.port).not.toBe(platformEntry(e.name).port);
    }
    expect(new Set(started.map((e) => e.port)).size).toBe(emulators.length);

    for (const e of started) {
      const res = await fetch(`${e.url}${platformEntry(e.name).loginPath}`);
      const body = await res.text();
      expect({ name: e.name, status: res.status }).toEqual({ name: e.name, status: 200 });
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(body).toMatch(/^<!doctype html>/i);
      expect(body).toContain('data-user=');
      expect(body).toContain(`data-user="${platformEntry(e.name).testUser.value}"`);
    }

    const closing = started;
    started = [];
    await Promise.all(closing.map((e) => e.close()));
    for (const e of closing) await expect(fetch(`${e.url}/`)).rejects.toThrow();
  });
});

describe('campus-mock CLI', () => {
  it('--list prints every name and port without starting anything', async () => {
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    await main(['--list']);
    const lines = log.mock.calls.map((c) => c.join(' '));
    expect(lines).toEqual(emulators.map((e) => `${e.name}\t${e.port}`));
    expect(lines.slice(0, 5)).toEqual(Object.entries(FIXED_PORTS).map(([name, port]) => `${name}\t${port}`));
  });

  it('--only refuses an unknown platform, naming the known ones, before starting anything', async () => {
    await expect(main(['--only', 'hduhelp,nope'])).rejects.toThrow(/unknown platform "nope" \(known: hduhelp/);
    await expect(main(['--only', ''])).rejects.toThrow(/--only needs/);
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

describe('startAll({ only })', () => {
  it('starts only the named emulators, in registry order', async () => {
    const some = await startAll({ freePorts: true, only: ['zafu', 'hduhelp'] });
    try {
      expect(some.map((e) => e.name)).toEqual(['hduhelp', 'zafu']);
    } finally {
      await Promise.all(some.map((e) => e.close()));
    }
    await expect(startAll({ only: ['nope'] })).rejects.toThrow(/unknown platform "nope"/);
  });
});
