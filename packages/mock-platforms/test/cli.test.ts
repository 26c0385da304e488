/**
 * The registry and the `campus-mock` CLI: its options in-process, and its lifetime as a real
 * process (built from the sources into a temporary bundle, run from the repository root): every
 * signal a parent sends, the parent dying, stdin closing — each stops all the emulators and frees
 * their ports — and --app-url / CAMPUS_MOCK_APP_URL reaching the NCUOS callback and the
 * disabled-aid app link.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emulators, fixedPorts, platformEntry, platformNames, startAll, type Emulator } from '../src';
import { DEFAULT_APP_URL, main, parseCli, startChosen } from '../src/cli';
import { DISABLED_AID_USERS } from '../src/platforms/disabled-aid';
import { DEFAULT_APP_CODE, NCUOS_USERS } from '../src/platforms/ncuos';

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

describe('parseCli', () => {
  it('defaults: 127.0.0.1, every platform, the demo app at http://localhost:3000, fixed ports, watching the parent', () => {
    expect(parseCli([], {})).toEqual({
      host: '127.0.0.1',
      only: undefined,
      appURL: 'http://localhost:3000',
      freePorts: false,
      watchParent: true,
      list: false,
      help: false,
    });
    expect(DEFAULT_APP_URL).toBe('http://localhost:3000');
  });

  it('--app-url wins over CAMPUS_MOCK_APP_URL; a trailing slash is dropped, a path prefix kept', () => {
    const env = { CAMPUS_MOCK_APP_URL: 'http://127.0.0.1:9999/base/' };
    expect(parseCli([], env).appURL).toBe('http://127.0.0.1:9999/base');
    expect(parseCli(['--app-url', 'http://localhost:8080/'], env).appURL).toBe('http://localhost:8080');
    expect(parseCli(['--app-url=https://app.example.edu'], {}).appURL).toBe('https://app.example.edu');
  });

  it('refuses a bad app URL (naming where it came from) and unknown options', () => {
    expect(() => parseCli(['--app-url', 'localhost:8080'], {})).toThrow(/--app-url must be an (absolute )?http\(s\) URL/);
    expect(() => parseCli(['--app-url', 'ftp://x.example'], {})).toThrow(/--app-url must be an http\(s\) URL/);
    expect(() => parseCli(['--app-url', 'http://x.example/?a=1'], {})).toThrow(/--app-url must be the app's address only/);
    expect(() => parseCli([], { CAMPUS_MOCK_APP_URL: 'nope' })).toThrow(/^CAMPUS_MOCK_APP_URL must be/);
    expect(() => parseCli(['--port', '1'], {})).toThrow(/--port/);
  });
});

describe('the app URL reaches the emulators that send users to the app', () => {
  /** Where NCUOS' login page and the disabled-aid portal send a picked user. */
  async function sentBackTo(started: Emulator[]): Promise<{ ncuos: string; disabledAid: string }> {
    const url = (name: string) => started.find((e) => e.name === name)!.url;
    const ncuos = await fetch(`${url('ncuos')}/login/authorize?appCode=${DEFAULT_APP_CODE}&user=${NCUOS_USERS[0].id}`, {
      redirect: 'manual',
    });
    const portal = await fetch(`${url('disabled-aid')}/portal/open?user=${DISABLED_AID_USERS[0].useruuid}`, {
      redirect: 'manual',
    });
    expect([ncuos.status, portal.status]).toEqual([302, 302]);
    return { ncuos: ncuos.headers.get('location')!, disabledAid: portal.headers.get('location')! };
  }

  it.each([
    [[], {}, 'http://localhost:3000'],
    [[], { CAMPUS_MOCK_APP_URL: 'http://127.0.0.1:9999/base' }, 'http://127.0.0.1:9999/base'],
    [['--app-url', 'http://localhost:8080'], { CAMPUS_MOCK_APP_URL: 'http://127.0.0.1:9999' }, 'http://localhost:8080'],
  ])('argv %j, env %j → users go back to %s', async (argv, env, app) => {
    const started = await startChosen(parseCli([...argv, '--free-ports', '--only', 'ncuos,disabled-aid'], env));
    try {
      const back = await sentBackTo(started);
      expect(back.ncuos).toMatch(new RegExp(`^${escapeRe(app)}/auth/ncuos/callback\\?token=[\\w.-]+$`));
      expect(back.disabledAid).toMatch(new RegExp(`^${escapeRe(app)}/auth/disabled-aid/callback\\?stoken=[0-9a-f]{32}$`));
    } finally {
      await Promise.all(started.map((e) => e.close()));
    }
  });
});

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

// ---- the CLI as a process -----------------------------------------------------------------------

const REPO = join(__dirname, '../../..');
let dir: string;
/** The CLI built from src/ (what bin/campus-mock.mjs runs from dist/). */
let cli: string;
const children = new Set<ChildProcess>();

interface EsbuildLike {
  build(options: Record<string, unknown>): Promise<unknown>;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'campus-mock-cli-'));
  cli = join(dir, 'campus-mock.cjs');
  // esbuild is tsup's (the workspace's build tool): resolved through it
  const esbuild = createRequire(require.resolve('tsup'))('esbuild') as EsbuildLike;
  await esbuild.build({
    stdin: {
      contents: `import { main } from './cli';
main().catch((err) => { console.error('campus-mock: ' + (err && err.message ? err.message : err)); process.exit(1); });`,
      resolveDir: join(__dirname, '../src'),
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    outfile: cli,
    logLevel: 'silent',
  });
}, 60_000);

afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Resolves when `text()` contains `needle` (polled), rejects after `ms`. */
async function waitFor(text: () => string, needle: string | RegExp, ms = 15_000): Promise<string> {
  const until = Date.now() + ms;
  for (;;) {
    const t = text();
    if (typeof needle === 'string' ? t.includes(needle) : needle.test(t)) return t;
    if (Date.now() > until) throw new Error(`timed out waiting for ${String(needle)} in:\n${t}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The emulators' URLs, from the CLI's listing. */
function listedURLs(out: string): Map<string, string> {
  const urls = new Map<string, string>();
  for (const m of out.matchAll(/^(\S+) +(http:\/\/127\.0\.0\.1:\d+) {2}/gm)) urls.set(m[1], m[2]);
  return urls;
}

/** true when nothing accepts connections on the port any more. */
function refused(url: string): Promise<boolean> {
  const { port } = new URL(url);
  return new Promise((resolve) => {
    const s = connect(Number(port), '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED'));
  });
}

async function expectServing(urls: Map<string, string>): Promise<void> {
  expect([...urls.keys()]).toEqual(platformNames());
  for (const [name, url] of urls) {
    const res = await fetch(`${url}${platformEntry(name).loginPath}`);
    expect([name, res.status]).toEqual([name, 200]);
  }
}

async function expectAllFree(urls: Map<string, string>): Promise<void> {
  for (const [name, url] of urls) expect([name, await refused(url)]).toEqual([name, true]);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Spawn the CLI from the repository root; its output collected. */
function run(args: string[], stdin: 'pipe' | 'ignore' = 'pipe', env: NodeJS.ProcessEnv = {}) {
  const child = spawn(process.execPath, [cli, ...args], {
    cwd: REPO,
    stdio: [stdin, 'pipe', 'pipe'],
    env: { ...process.env, CAMPUS_MOCK_APP_URL: '', ...env },
  });
  children.add(child);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      children.delete(child);
      resolve({ code, signal });
    }),
  );
  return { child, output: () => out, exited };
}

describe('campus-mock as a process (run from the repository root)', () => {
  jest.setTimeout(30_000);

  it.each(['SIGINT', 'SIGTERM', 'SIGHUP'] as const)('%s stops all the emulators, then the ports are free', async (signal) => {
    const p = run(['--free-ports']);
    const out = await waitFor(p.output, 'all emulators running');
    const urls = listedURLs(out);
    await expectServing(urls);
    p.child.kill(signal);
    expect(await p.exited).toEqual({ code: 0, signal: null });
    expect(p.output()).toContain(`campus-mock: ${signal}; stopping the emulators`);
    await expectAllFree(urls);
  });

  it.each(['SIGKILL', 'SIGTERM'] as const)(
    'its parent dying (%s, not passed on) stops it: the parent pid changes, it closes everything and exits',
    async (signal) => {
      const log = join(dir, `parent-${signal}.log`);
      // a parent like npx / pnpm that does not pass the signal on: it just goes away
      const parent = spawn(
        process.execPath,
        [
          '-e',
          `const fs = require('fs'); const out = fs.openSync(process.argv[2], 'w');
           const c = require('child_process').spawn(process.execPath, [process.argv[1], '--free-ports'], { stdio: ['ignore', out, out] });
           process.on('SIGTERM', () => process.exit(0));
           console.log(c.pid); setInterval(() => {}, 1000);`,
          cli,
          log,
        ],
        { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, CAMPUS_MOCK_APP_URL: '' } },
      );
      children.add(parent);
      let pidText = '';
      parent.stdout!.on('data', (d: Buffer) => (pidText += d.toString()));
      const childPid = Number(await waitFor(() => pidText, /^\d+\n/));
      try {
        const out = await waitFor(() => (existsSync(log) ? readFileSync(log, 'utf8') : ''), 'all emulators running');
        const urls = listedURLs(out);
        await expectServing(urls);
        parent.kill(signal);
        await waitFor(() => (isAlive(childPid) ? '' : 'gone'), 'gone', 10_000);
        expect(readFileSync(log, 'utf8')).toContain(
          `campus-mock: the parent process (pid ${parent.pid}) exited; stopping the emulators`,
        );
        await expectAllFree(urls);
      } finally {
        if (isAlive(childPid)) process.kill(childPid, 'SIGKILL');
        children.delete(parent);
      }
    },
  );

  it.each(['SIGINT', 'SIGTERM', 'SIGHUP'] as const)(
    'started by pnpm (`pnpm exec`), %s to pnpm alone stops all the emulators',
    async (signal) => {
      // no dependency check before exec: run from the scaffold test's copy of the repository (its
      // node_modules a symlink to this one's), pnpm would otherwise re-install through that link
      const pnpm = spawn('pnpm', ['--config.verify-deps-before-run=false', 'exec', 'node', cli, '--free-ports'], {
        cwd: REPO,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, CAMPUS_MOCK_APP_URL: '' },
      });
      children.add(pnpm);
      let out = '';
      pnpm.stdout!.on('data', (d: Buffer) => (out += d.toString()));
      pnpm.stderr!.on('data', (d: Buffer) => (out += d.toString()));
      // the pipe closes once every process holding it (pnpm and the CLI) is gone
      const closed = new Promise<void>((resolve) => pnpm.once('close', () => resolve()));
      await waitFor(() => out, 'all emulators running');
      const urls = listedURLs(out);
      await expectServing(urls);
      pnpm.kill(signal);
      await closed;
      children.delete(pnpm);
      expect(out).toMatch(/campus-mock: (SIG\w+|the parent process \(pid \d+\) exited); stopping the emulators/);
      await expectAllFree(urls);
    },
  );

  it('stdin closing (stdin a pipe from the parent) stops all the emulators', async () => {
    const p = run(['--free-ports']);
    const urls = listedURLs(await waitFor(p.output, 'all emulators running'));
    await expectServing(urls);
    p.child.stdin!.end();
    expect(await p.exited).toEqual({ code: 0, signal: null });
    expect(p.output()).toContain('campus-mock: stdin closed; stopping the emulators');
    await expectAllFree(urls);
  });

  it('--no-watch-parent: stdin closing does not stop it, SIGTERM still does', async () => {
    const p = run(['--free-ports', '--only', 'zafu', '--no-watch-parent']);
    const urls = listedURLs(await waitFor(p.output, 'all emulators running'));
    expect([...urls.keys()]).toEqual(['zafu']);
    p.child.stdin!.end();
    await new Promise((r) => setTimeout(r, 600));
    expect((await fetch(`${urls.get('zafu')}${platformEntry('zafu').loginPath}`)).status).toBe(200);
    p.child.kill('SIGTERM');
    expect(await p.exited).toEqual({ code: 0, signal: null });
    await expectAllFree(urls);
  });

  it('--app-url reaches the NCUOS callback and the disabled-aid app link; the listing says where users go', async () => {
    const p = run(['--free-ports', '--only', 'ncuos,disabled-aid', '--app-url', 'http://localhost:8080'], 'ignore');
    const out = await waitFor(p.output, 'all emulators running');
    expect(out).toContain(
      'users go back to http://localhost:8080/auth/ncuos/callback and http://localhost:8080/auth/disabled-aid/callback',
    );
    const urls = listedURLs(out);
    const ncuos = await fetch(`${urls.get('ncuos')}/login/authorize?appCode=${DEFAULT_APP_CODE}&user=${NCUOS_USERS[0].id}`, {
      redirect: 'manual',
    });
    expect(ncuos.headers.get('location')).toMatch(/^http:\/\/localhost:8080\/auth\/ncuos\/callback\?token=/);
    const portal = await fetch(`${urls.get('disabled-aid')}/portal`).then((r) => r.text());
    expect(portal).toContain('http://localhost:8080/auth/disabled-aid/callback');
    const open = await fetch(`${urls.get('disabled-aid')}/portal/open?user=${DISABLED_AID_USERS[0].useruuid}`, {
      redirect: 'manual',
    });
    expect(open.headers.get('location')).toMatch(/^http:\/\/localhost:8080\/auth\/disabled-aid\/callback\?stoken=/);
    p.child.kill('SIGINT');
    expect(await p.exited).toEqual({ code: 0, signal: null });
    await expectAllFree(urls);
  });

  it('a bad option stops it before anything starts, with a message naming the option', async () => {
    const p = run(['--app-url', 'nope'], 'ignore');
    expect(await p.exited).toEqual({ code: 1, signal: null });
    expect(p.output()).toMatch(/^campus-mock: --app-url must be an absolute http\(s\) URL/);
  });
});

describe('bin/campus-mock.mjs from the repository root', () => {
  it('--list prints every platform (the built package, as `pnpm mock` runs it)', () => {
    const bin = join(REPO, 'packages/mock-platforms/bin/campus-mock.mjs');
    // CAMPUS_MOCK_NO_BUILD: run what is built (the others in this checkout edit sources meanwhile);
    // when nothing is built yet, the bin builds it first — its own fast path
    const env = {
      ...process.env,
      CAMPUS_MOCK_NO_BUILD: existsSync(join(REPO, 'packages/mock-platforms/dist/cli.js')) ? '1' : '',
    };
    const r = spawnSync(process.execPath, [bin, '--list'], { cwd: REPO, env, encoding: 'utf8', timeout: 120_000 });
    expect(r.status).toBe(0);
    expect(r.stdout.trim().split('\n').slice(0, 5)).toEqual(Object.entries(FIXED_PORTS).map(([n, port]) => `${n}\t${port}`));
  });
});
