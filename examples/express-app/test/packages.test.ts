// Every publishable package, built as a user gets it: CJS and ESM entry points load in a plain Node
// process (outside Jest's module mapping), ship .d.ts, and export what the README promises.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { emulators } from '@campus-passport/mock-platforms';

const root = join(__dirname, '../../..');
/** What each strategy package must export beyond `Strategy` (a new platform: just `Strategy` until listed). */
const STRATEGY_EXPORTS: Record<string, string[]> = {
  hduhelp: ['HduHelpStrategy', 'HduHelpClient'],
  ziqiang: ['ZiqiangStrategy', 'ZiqiangClient'],
  ncuos: ['NcuosStrategy', 'GeniusAuthClient'],
  'disabled-aid': ['DisabledAidStrategy', 'DisabledAidClient', 'stripStoken'],
  zafu: ['ZafuStrategy', 'ZafuOpenPlatform'],
};
// every strategy package of the platform registry, between core and the emulators
const packages: Array<[dir: string, exportsExpected: string[]]> = [
  ['packages/core', ['CampusAuthError', 'isCampusAuthError', 'defaultTransport', 'SessionStateStore', 'RedisTokenStore']],
  ...emulators.map((e): [string, string[]] => [`packages/strategy-${e.name}`, ['Strategy', ...(STRATEGY_EXPORTS[e.name] ?? [])]]),
  ['packages/mock-platforms', ['startEmulator', 'emulators', 'startAll']],
];

beforeAll(() => {
  if (packages.some(([dir]) => !existsSync(join(root, dir, 'dist/index.cjs'))))
    execFileSync('pnpm', ['-r', '--filter', './packages/**', 'run', 'build'], { cwd: root, stdio: 'ignore' });
}, 300_000);

describe.each(packages)('%s (built)', (dir, expected) => {
  const pkgDir = join(root, dir);
  const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as {
    name: string;
    exports: Record<string, { import: { types: string; default: string }; require: { types: string; default: string } }>;
  };

  it('ships every file its exports map names', () => {
    for (const [subpath, entry] of Object.entries(pkg.exports)) {
      if (typeof entry === 'string') continue;
      // a pattern export ("./*": the emulators) stands for one file set per registered platform
      const stems = subpath.includes('*') ? emulators.map((e) => e.name) : [''];
      for (const stem of stems)
        for (const f of [entry.import.types, entry.import.default, entry.require.types, entry.require.default])
          expect([subpath, stem, existsSync(join(pkgDir, f.replace('*', stem)))]).toEqual([subpath, stem, true]);
    }
  });

  it('loads by package name through require() and import() with the promised exports', () => {
    const script = `
      const cjs = require(${JSON.stringify(pkg.name)});
      import(${JSON.stringify(pkg.name)}).then((esm) => {
        const names = ${JSON.stringify(expected)};
        console.log(JSON.stringify(names.map((n) => [n, typeof cjs[n], typeof esm[n]])));
      });`;
    // run from the package itself: Node resolves its own name through its exports map, as a user's app would
    const out = execFileSync(process.execPath, ['-e', script], { cwd: pkgDir, encoding: 'utf8' });
    for (const [name, c, e] of JSON.parse(out) as Array<[string, string, string]>) {
      expect([name, c]).toEqual([name, expect.stringMatching(/function|object/)]);
      expect([name, e]).toEqual([name, expect.stringMatching(/function|object/)]);
    }
  });
});

describe("@campus-passport/core/kit (built): the strategy authors' face", () => {
  it('loads through require() and import() with the building blocks', () => {
    const names = ['PlatformClient', 'CampusStrategy', 'AppTokenManager', 'OptionChecks', 'startAuthorization', 'readParam'];
    const script = `
      const cjs = require('@campus-passport/core/kit');
      import('@campus-passport/core/kit').then((esm) => {
        console.log(JSON.stringify(${JSON.stringify(names)}.map((n) => [n, typeof cjs[n], typeof esm[n]])));
      });`;
    const out = execFileSync(process.execPath, ['-e', script], { cwd: join(root, 'packages/core'), encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual(names.map((n) => [n, 'function', 'function']));
  });

  it("the root export stays the apps' face: about 25 names, no author pieces", () => {
    const script = `import('@campus-passport/core').then((m) => console.log(JSON.stringify(Object.keys(m))))`;
    const keys = JSON.parse(
      execFileSync(process.execPath, ['-e', script], { cwd: join(root, 'packages/core'), encoding: 'utf8' }),
    ) as string[];
    expect(keys).not.toContain('CampusStrategy');
    expect(keys).not.toContain('AppTokenManager');
    expect(keys.length).toBeLessThanOrEqual(12); // values only; the rest of the ~25 names are types
  });
});

describe('every emulator of the registry, built (@campus-passport/mock-platforms/<name>)', () => {
  it('loads through require() and import() with its start function', () => {
    const names = emulators.map((e) => e.name);
    const script = `
      const names = ${JSON.stringify(names)};
      Promise.all(names.map((n) => import('@campus-passport/mock-platforms/' + n))).then((esm) => {
        console.log(JSON.stringify(names.map((n, i) => {
          const cjs = require('@campus-passport/mock-platforms/' + n);
          const starts = (m) => Object.keys(m).filter((k) => /^start\\w+Emulator$/.test(k) && typeof m[k] === 'function');
          return [n, starts(cjs).length, starts(esm[i]).length];
        })));
      });`;
    const out = execFileSync(process.execPath, ['-e', script], { cwd: join(root, 'packages/mock-platforms'), encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual(names.map((n) => [n, 1, 1]));
  });
});
