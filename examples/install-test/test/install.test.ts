// The published packages as a new user gets them, outside the workspace: every publishable package is
// packed (`pnpm pack`, as `pnpm release` publishes it), the tarballs are installed with plain npm into
// four fresh apps — CommonJS and ES modules, each on Express 4 + passport 0.6 and on Express 5 +
// passport 0.7 — and each app signs in with HDU Helper against the emulator it starts from
// @campus-passport/mock-platforms/hduhelp. Two of the apps then add TypeScript and their own @types
// and type-check a typed app (../apps/check.ts) against the published .d.ts files.
//
// Speed: one npm cache shared by all apps and kept between runs (os.tmpdir()/campus-passport-npm-cache,
// or CAMPUS_NPM_CACHE), `--prefer-offline`; the Express 4 and Express 5 apps install side by side, the
// second app of each pair once the first has filled the cache. Every npm / tsc / app step is
// time-boxed. The packages must be built (`pnpm test` builds first; a missing dist/ is built here).
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emulators } from '@campus-passport/mock-platforms';
import { HDUHELP_USERS } from '@campus-passport/mock-platforms/hduhelp';
import request from 'supertest';
import { chooseUser } from '@campus-passport/mock-platforms/testing';

const root = join(__dirname, '../../..');
const apps = join(__dirname, '../apps');
const STEP_TIMEOUT = 120_000;
const cache = process.env.CAMPUS_NPM_CACHE ?? join(tmpdir(), 'campus-passport-npm-cache');
const typescriptVersion = (
  JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> }
).devDependencies.typescript;

interface Packed {
  name: string;
  version: string;
  dir: string;
  tarball: string;
}
interface AppSpec {
  id: string;
  module: 'commonjs' | 'module';
  express: 4 | 5;
  deps: string[];
  /** add TypeScript and these @types, then type-check ../apps/check.ts */
  types?: string[];
  /** install after this app's runtime install (it fills the cache) */
  after?: string;
}
const APPS: AppSpec[] = [
  {
    id: 'cjs-express4',
    module: 'commonjs',
    express: 4,
    deps: ['express@4', 'passport@0.6', 'express-session@1'],
    types: [
      '@types/express@4',
      '@types/express-session@1',
      '@types/passport@1',
      '@types/passport-strategy@0.2',
      '@types/node@20',
    ],
  },
  { id: 'cjs-express5', module: 'commonjs', express: 5, deps: ['express@5', 'passport@0.7', 'express-session@1'] },
  {
    id: 'esm-express4',
    module: 'module',
    express: 4,
    deps: ['express@4', 'passport@0.6', 'express-session@1'],
    after: 'cjs-express4',
  },
  {
    id: 'esm-express5',
    module: 'module',
    express: 5,
    deps: ['express@5', 'passport@0.7', 'express-session@1'],
    types: [
      '@types/express@5',
      '@types/express-session@1',
      '@types/passport@1',
      '@types/passport-strategy@0.2',
      '@types/node@20',
    ],
    after: 'cjs-express5',
  },
];

/** The environment of a user's shell: none of pnpm's, npm's or Jest's variables. */
function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(npm_|pnpm_|jest_|node_env$)/i.test(k)) env[k] = v;
  return { ...env, npm_config_update_notifier: 'false', ...extra };
}

/** Run a command with a time limit; rejects with the tail of its output. */
function exec(cmd: string, args: string[], cwd: string, timeout = STEP_TIMEOUT): Promise<string> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { cwd, env: userEnv(), timeout, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      const secs = ((Date.now() - started) / 1000).toFixed(1);
      if (!err) return resolve(`${stdout}${stderr}`);
      const why = err.killed ? `timed out after ${timeout / 1000} s` : `failed (${err.code})`;
      reject(
        new Error(
          `${cmd} ${args.slice(0, 3).join(' ')} … in ${cwd} ${why} after ${secs} s:\n${`${stdout}${stderr}`.slice(-4000)}`,
        ),
      );
    });
  });
}

const npmInstall = (dir: string, specs: string[]) =>
  exec('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=warn', '--cache', cache, ...specs], dir);

let tmp: string;
let packed: Packed[];
const installs = new Map<string, Promise<void>>();
const typed = new Map<string, Promise<string>>();
const timings: string[] = [];
const running = new Set<ChildProcess>();

async function prepare(app: AppSpec): Promise<void> {
  if (app.after) await installs.get(app.after)!.catch(() => undefined);
  const dir = join(tmp, app.id);
  mkdirSync(dir);
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: `install-test-${app.id}`, version: '1.0.0', private: true, type: app.module }),
  );
  copyFileSync(join(apps, app.module === 'module' ? 'app.mjs' : 'app.cjs'), join(dir, 'app.js'));
  const started = Date.now();
  await npmInstall(dir, [...packed.map((p) => p.tarball), ...app.deps]);
  timings.push(`${app.id}: npm install ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

async function typecheck(app: AppSpec): Promise<string> {
  await installs.get(app.id);
  const dir = join(tmp, app.id);
  // what the app's runtime install brought, before the app adds its own @types
  const before = existsSync(join(dir, 'node_modules/@types'));
  let started = Date.now();
  await npmInstall(dir, ['--save-dev', `typescript@${typescriptVersion}`, ...app.types!]);
  timings.push(`${app.id}: npm install typescript + @types ${((Date.now() - started) / 1000).toFixed(1)} s`);
  copyFileSync(join(apps, 'check.ts'), join(dir, 'check.ts'));
  const compilerOptions = {
    module: 'node16',
    moduleResolution: 'node16',
    target: 'es2022',
    strict: true,
    skipLibCheck: false,
    noEmit: true,
  };
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { ...compilerOptions, types: ['node'] }, files: ['check.ts'] }),
  );
  started = Date.now();
  const out = await exec(process.execPath, [join(dir, 'node_modules/typescript/bin/tsc'), '-p', '.'], dir);
  timings.push(`${app.id}: tsc ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return JSON.stringify({ before, out });
}

beforeAll(() => {
  const publishable = ['core', 'mock-platforms', ...emulators.map((e) => `strategy-${e.name}`)];
  if (publishable.some((d) => !existsSync(join(root, 'packages', d, 'dist/index.cjs'))))
    return exec('pnpm', ['-r', '--filter', './packages/**', 'run', 'build'], root, 300_000).then(() => undefined);
}, 300_000);

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'campus-install-'));
  mkdirSync(cache, { recursive: true });
  const out = await exec(process.execPath, [join(root, 'scripts/release.mjs'), 'pack', join(tmp, 'tarballs')], root);
  packed = JSON.parse(out.slice(out.indexOf('['))) as Packed[];
  // start every install now; each test awaits its own app
  for (const app of APPS) {
    const p = prepare(app);
    p.catch(() => undefined);
    installs.set(app.id, p);
  }
  for (const app of APPS.filter((a) => a.types)) {
    const p = typecheck(app);
    p.catch(() => undefined);
    typed.set(app.id, p);
  }
}, 60_000);

afterAll(async () => {
  for (const child of running) child.kill('SIGKILL');
  await Promise.allSettled([...installs.values(), ...typed.values()]);
  if (tmp) rmSync(tmp, { recursive: true, force: true });
  if (timings.length) console.log(`install test timings:\n  ${timings.join('\n  ')}`);
}, STEP_TIMEOUT);

afterEach(() => {
  for (const child of running) child.kill('SIGTERM');
});

interface Running {
  url: string;
  emulator: string;
  versions: Record<string, string>;
  loaded: Record<string, Record<string, string>>;
}

/** Start `node app.js` in the app's folder; resolves with the JSON line it prints once it listens. */
function startApp(dir: string, modules: string[]): Promise<Running> {
  const child = spawn(process.execPath, ['app.js'], {
    cwd: dir,
    env: userEnv({ APP_MODULES: JSON.stringify(modules) }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  child.on('exit', () => running.delete(child));
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`app did not start in 30 s:\n${out}${err}`)), 30_000);
    child.stderr!.on('data', (d) => (err += d));
    child.stdout!.on('data', (d) => {
      out += d;
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line && out.includes('\n')) {
        clearTimeout(timer);
        resolve(JSON.parse(line) as Running);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`app exited (${code}) before it listened:\n${out}${err}`));
    });
  });
}

const pathOf = (url: string) => `${new URL(url).pathname}${new URL(url).search}`;

describe.each(APPS)('$id: the tarballs installed with npm', (app) => {
  const dir = () => join(tmp, app.id);

  it(
    'installs next to the app’s own express and passport: one copy of each, no @types at run time',
    async () => {
      await installs.get(app.id);
      const nm = join(dir(), 'node_modules');
      const version = (p: string) =>
        (JSON.parse(readFileSync(join(nm, p, 'package.json'), 'utf8')) as { version: string }).version;
      expect(version('express')).toMatch(app.express === 4 ? /^4\./ : /^5\./);
      expect(version('passport')).toMatch(app.express === 4 ? /^0\.6\./ : /^0\.7\./);
      for (const p of packed) expect([p.name, version(p.name)]).toEqual([p.name, p.version]);
      // the strategies use the app's one core (the tarball's), the emulators the app's passport
      for (const p of packed)
        expect([p.name, existsSync(join(nm, p.name, 'node_modules/@campus-passport'))]).toEqual([p.name, false]);
      expect(existsSync(join(nm, '@campus-passport/mock-platforms/node_modules/passport'))).toBe(false);
      // type-only packages are the app's choice, not pulled in by ours
      if (!app.types) expect(existsSync(join(nm, '@types'))).toBe(false);
    },
    STEP_TIMEOUT + 30_000,
  );

  it(
    'loads every package by name and signs in through the HDU Helper emulator',
    async () => {
      await installs.get(app.id);
      const modules = [
        ...packed.map((p) => p.name),
        '@campus-passport/core/kit',
        ...emulators.map((e) => `@campus-passport/mock-platforms/${e.name}`),
      ];
      const started = Date.now();
      const info = await startApp(dir(), modules);
      expect(info.versions.express).toMatch(app.express === 4 ? /^4\./ : /^5\./);
      expect(info.versions.passport).toMatch(app.express === 4 ? /^0\.6\./ : /^0\.7\./);
      for (const e of emulators) {
        expect([e.name, info.loaded[`@campus-passport/${e.name}`]?.Strategy]).toEqual([e.name, 'function']);
        const starts = Object.entries(info.loaded[`@campus-passport/mock-platforms/${e.name}`] ?? {}).filter(
          ([k, t]) => /^start\w+Emulator$/.test(k) && t === 'function',
        );
        expect([e.name, starts.length]).toEqual([e.name, 1]);
      }
      expect(info.loaded['@campus-passport/core']).toMatchObject({ CampusAuthError: 'function', isCampusAuthError: 'function' });
      expect(info.loaded['@campus-passport/core/kit']).toMatchObject({ CampusStrategy: 'function', PlatformClient: 'function' });
      expect(info.loaded['@campus-passport/mock-platforms']).toMatchObject({ startEmulator: 'function', emulators: 'object' });

      const user = HDUHELP_USERS[1];
      const agent = request.agent(info.url);
      const login = await agent.get('/login').expect(302);
      expect(new URL(login.headers.location).origin).toBe(info.emulator);
      const back = await chooseUser(login.headers.location, user.userId);
      expect(back.startsWith(`${info.url}/callback?`)).toBe(true);
      const callback = await agent.get(pathOf(back)).expect(302);
      expect(callback.headers.location).toBe('/me');
      const me = await agent.get('/me').expect(200);
      expect(me.body).toEqual({ user: { provider: 'hduhelp', id: user.userId, name: user.staffName } });

      // a forged state is passport's failure, not a login
      const other = request.agent(info.url);
      await other.get('/login').expect(302);
      const forged = await other.get('/callback?code=abcdefghijklmnop&state=forged-state-0123456789').expect(302);
      expect(forged.headers.location).toBe('/failed');
      expect((await other.get('/me').expect(200)).body).toEqual({ user: null });
      timings.push(`${app.id}: start + login ${((Date.now() - started) / 1000).toFixed(1)} s`);
    },
    STEP_TIMEOUT + 60_000,
  );

  if (app.types)
    it(
      `type-checks a typed app against the published .d.ts with ${app.types[0]} (${app.module === 'module' ? 'ESM' : 'CJS'}, skipLibCheck off)`,
      async () => {
        const { before, out } = JSON.parse(await typed.get(app.id)!) as { before: boolean; out: string };
        expect(before).toBe(false); // nothing of ours brought @types along
        expect(out.trim()).toBe('');
      },
      3 * STEP_TIMEOUT,
    );
});
