// Every publishable package, built as a user gets it: CJS and ESM entry points load in a plain Node
// process (outside Jest's module mapping), ship .d.ts, and export what the README promises.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '../../..');
const packages: Array<[dir: string, exportsExpected: string[]]> = [
  [
    'packages/core',
    ['CampusAuthError', 'isCampusAuthError', 'request', 'AppTokenManager', 'SessionStateStore', 'CampusStrategy'],
  ],
  ['packages/strategy-hduhelp', ['Strategy', 'HduHelpStrategy', 'HduHelpClient']],
  ['packages/strategy-ziqiang', ['Strategy', 'ZiqiangStrategy', 'ZiqiangClient']],
  ['packages/strategy-ncuos', ['Strategy', 'NcuosStrategy', 'GeniusAuthClient']],
  ['packages/strategy-disabled-aid', ['Strategy', 'DisabledAidStrategy', 'DisabledAidClient', 'stripStoken']],
  ['packages/strategy-zafu', ['Strategy', 'ZafuStrategy', 'ZafuOpenPlatform']],
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
    for (const entry of Object.values(pkg.exports)) {
      if (typeof entry === 'string') continue;
      for (const f of [entry.import.types, entry.import.default, entry.require.types, entry.require.default])
        expect(existsSync(join(pkgDir, f))).toBe(true);
    }
  });

  it('loads by package name through require() and import() with the promised exports', () => {
    const script = `
      const cjs = require(${JSON.stringify(pkg.name)});
      import(${JSON.stringify(pkg.name)}).then((esm) => {
        const names = ${JSON.stringify(expected)};
        console.log(JSON.stringify(names.map((n) => [n, typeof cjs[n], typeof esm[n]])));
      });`;
    // run from the demo app, which depends on every package, so names resolve as in a user's app
    const out = execFileSync(process.execPath, ['-e', script], { cwd: join(root, 'examples/express-app'), encoding: 'utf8' });
    for (const [name, c, e] of JSON.parse(out) as Array<[string, string, string]>) {
      expect([name, c]).toEqual([name, expect.stringMatching(/function|object/)]);
      expect([name, e]).toEqual([name, expect.stringMatching(/function|object/)]);
    }
  });
});
