/**
 * `pnpm start` (scripts/start.mjs): it builds only what is stale — the app and the workspace
 * packages it depends on, each when it has no build or an input newer than its build (checked on a
 * throw-away workspace) — and then serves the demo in its own process within seconds.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import request from 'supertest';
import { TEST_SECRET } from './support/demo';

const APP = join(__dirname, '..');
const ROOT = join(APP, '../..');
const STALE = join(APP, 'scripts/stale.mjs');

interface Stale {
  name: string;
  why: string;
}

/** staleBuilds(app, root) run by Node itself (the script is an ES module). */
function staleBuilds(app: string, root: string): Stale[] {
  const script = `import(${JSON.stringify(STALE)}).then((m) => console.log(JSON.stringify(m.staleBuilds(process.argv[1], process.argv[2]).map(({ name, why }) => ({ name, why })))))`;
  return JSON.parse(execFileSync(process.execPath, ['-e', script, app, root], { encoding: 'utf8' })) as Stale[];
}

describe('staleBuilds (a throw-away workspace: app → lib → base, all workspace: dependencies)', () => {
  let root: string;
  const T0 = new Date('2026-01-01T00:00:00Z');
  const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

  function file(path: string, minutes: number, text = '') {
    const full = join(root, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, text);
    utimesSync(full, at(minutes), at(minutes));
  }
  function pkg(dir: string, name: string, deps: Record<string, string>, minutes = 0) {
    file(`${dir}/package.json`, minutes, JSON.stringify({ name, scripts: { build: 'tsup' }, dependencies: deps }));
    for (const dep of Object.keys(deps).filter((d) => deps[d].startsWith('workspace:'))) {
      mkdirSync(join(root, dir, 'node_modules'), { recursive: true });
      symlinkSync(join(root, dep), join(root, dir, 'node_modules', dep));
    }
  }

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'demo-start-'));
    for (const f of ['tsup.base.ts', 'tsconfig.build.json', 'tsconfig.base.json']) file(f, 0);
    pkg('base', 'base', {});
    pkg('lib', 'lib', { base: 'workspace:^' });
    pkg('app', 'app', { lib: 'workspace:^', base: 'workspace:^', express: '^5.0.0' });
    for (const dir of ['base', 'lib', 'app']) {
      file(`${dir}/src/index.ts`, 1);
      file(`${dir}/tsup.config.ts`, 1);
      file(`${dir}/dist/index.js`, 10); // built after every input
      file(`${dir}/dist/index.d.ts`, 11);
    }
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('nothing newer than the builds: nothing to build', () => {
    expect(staleBuilds(join(root, 'app'), root)).toEqual([]);
  });

  it('a source newer than its build: that package only, naming the file', () => {
    file('lib/src/deep/more.ts', 20);
    expect(staleBuilds(join(root, 'app'), root)).toEqual([
      { name: 'lib', why: 'lib/src/deep/more.ts changed since the last build' },
    ]);
  });

  it("an input written during the last build (newer than the build's oldest file) counts", () => {
    file('base/package.json', 10.5, JSON.stringify({ name: 'base', scripts: { build: 'tsup' } }));
    expect(staleBuilds(join(root, 'app'), root).map((s) => s.name)).toEqual(['base']);
  });

  it('no build at all: "not built yet"; dependencies come first', () => {
    rmSync(join(root, 'app/dist'), { recursive: true });
    file('base/tsup.config.ts', 30);
    expect(staleBuilds(join(root, 'app'), root)).toEqual([
      { name: 'base', why: 'base/tsup.config.ts changed since the last build' },
      { name: 'app', why: 'not built yet' },
    ]);
  });

  it("the workspace's shared build files count for every package", () => {
    file('tsup.base.ts', 40);
    expect(staleBuilds(join(root, 'app'), root).map((s) => s.name)).toEqual(['base', 'lib', 'app']);
  });
});

describe('scripts/start.mjs in this repository', () => {
  jest.setTimeout(300_000);

  beforeAll(() => {
    // what `--no-build` below starts must exist: build only what is missing (not what is stale —
    // the others working in this checkout change sources meanwhile)
    const deps = [
      'core',
      'mock-platforms',
      ...['hduhelp', 'ziqiang', 'ncuos', 'disabled-aid', 'zafu'].map((n) => `strategy-${n}`),
    ];
    if (deps.some((d) => !existsSync(join(ROOT, 'packages', d, 'dist/index.js'))))
      execFileSync('pnpm', ['-r', '--filter', './packages/**', 'run', 'build'], { cwd: ROOT, stdio: 'ignore' });
    const main = join(APP, 'dist/main.js');
    if (!existsSync(main) || !readFileSync(main, 'utf8').includes('runAsProgram'))
      execFileSync('pnpm', ['run', 'build'], { cwd: APP, stdio: 'ignore' });
  });

  it('--dry-run: the staleness check of the real workspace takes well under a second', () => {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [join(APP, 'scripts/start.mjs'), '--dry-run'], { cwd: ROOT, encoding: 'utf8' });
    const ms = performance.now() - t0;
    expect(r.status).toBe(0);
    for (const line of r.stdout.trim().split('\n'))
      expect(line).toMatch(
        /^(@campus-passport\/[\w-]+\t(not built yet|\S+ changed since the last build)|campus-passport demo: everything is built and up to date)$/,
      );
    expect(ms).toBeLessThan(2000);
  });

  it('serves the demo from the repository root within 5 s when nothing needs building, and stops on SIGTERM', async () => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [join(APP, 'scripts/start.mjs'), '--no-build'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, PORT: '0', EMULATOR_PORTS: 'free', SESSION_SECRET: TEST_SECRET, LOG_LEVEL: 'warn' },
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      let url: string | undefined;
      while (!url) {
        url = /campus-passport demo: open (http:\/\/localhost:\d+)/.exec(out)?.[1];
        if (!url && performance.now() - t0 > 20_000) throw new Error(`no banner:\n${out}`);
        await new Promise((r) => setTimeout(r, 25));
      }
      const health = await request(url.replace('localhost', '127.0.0.1')).get('/healthz').expect(200);
      const ms = performance.now() - t0;
      expect(Object.values(health.body.platforms)).toEqual(['emulator', 'emulator', 'emulator', 'emulator', 'emulator']);
      expect(ms).toBeLessThan(5000);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });
});
