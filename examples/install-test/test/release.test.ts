// `pnpm release --dry-run` as the release would run it, minus the build (`pnpm test` has just built;
// a rebuild would empty dist/ under the tests running beside this one): every publishable package
// packed, publint and attw clean on each tarball, `npm publish --dry-run` per tarball, nothing
// published. The package check on a broken tarball fails, naming what is wrong. The changesets
// config and the changelogs agree with the workspace.
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emulators } from '@campus-passport/mock-platforms';

const root = join(__dirname, '../../..');
const script = join(root, 'scripts/release.mjs');

interface WorkspacePackage {
  name: string;
  version?: string;
  path: string;
  private?: boolean;
}
const workspace = (
  JSON.parse(
    spawnSync('pnpm', ['-r', 'ls', '--json', '--depth', '-1'], { cwd: root, encoding: 'utf8' }).stdout,
  ) as WorkspacePackage[]
).filter((p) => p.path !== root);
const publishable = workspace.filter((p) => !p.private);

function release(args: string[], timeout = 240_000): Promise<{ code: number | null; output: string }> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(npm_|pnpm_|node_env$)/i.test(k)));
  return new Promise((resolve) => {
    execFile(process.execPath, [script, ...args], { cwd: root, env, timeout, maxBuffer: 64 << 20 }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, output: `${stdout}${stderr}` }),
    );
  });
}

beforeAll(() => {
  if (publishable.some((p) => !existsSync(join(p.path, 'dist'))))
    spawnSync('pnpm', ['-r', '--filter', './packages/**', 'run', 'build'], { cwd: root, stdio: 'ignore', timeout: 300_000 });
}, 300_000);

describe('pnpm release --dry-run', () => {
  let result: { code: number | null; output: string };
  beforeAll(async () => {
    const started = Date.now();
    result = await release(['--dry-run', '--no-build']);
    console.log(`release --dry-run --no-build: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }, 300_000);

  it('exits 0 and publishes nothing', () => {
    expect([result.code, result.output.slice(-3000)]).toEqual([0, expect.any(String)]);
    expect(result.output).toContain('nothing was published');
  });

  it.each(publishable.map((p) => [p.name, p] as const))(
    '%s: packed, publint and attw clean, npm publish --dry-run',
    (name, p) => {
      expect(result.output).toContain(`── ${name}@${p.version}: publint ok, attw ok`);
      // what the tarball holds: the changelog ships, and the CJS types
      const files = result.output.split('\n').find((l) => l.startsWith(`release --dry-run: ${name}@${p.version} files: `)) ?? '';
      expect(files.split(' ')).toEqual(
        expect.arrayContaining(['CHANGELOG.md', 'README.md', 'dist/index.d.cts', 'dist/index.cjs']),
      );
      // a version not on the registry yet goes through npm's own dry run (public access, as publishConfig
      // asks); one already there is skipped, as changeset publish skips it
      const tarball = `${name.replace('@', '').replace('/', '-')}-${p.version}.tgz`;
      const section = result.output.split('release --dry-run: npm publish --dry-run ').find((s) => s.startsWith(tarball));
      if (section === undefined) expect(result.output).toContain(`${name}@${p.version} is on the registry already`);
      else {
        expect(section).toMatch(/public access \(dry-run\)/);
        expect(section).toContain(`+ ${name}@${p.version}`);
      }
    },
  );

  it("checks every emulator subpath of mock-platforms' ./* export, under node10 too", () => {
    const line = result.output.split('\n').find((l) => l.startsWith('── @campus-passport/mock-platforms@')) ?? '';
    for (const e of emulators) expect(line).toContain(`./${e.name}`);
    // attw's table has a row per subpath, each OK in all four resolution modes (node10 first)
    for (const e of emulators)
      expect(result.output).toMatch(
        new RegExp(`"@campus-passport/mock-platforms/${e.name}"\\s*│\\s*OK\\s*│\\s*OK \\(CJS\\)\\s*│\\s*OK \\(ESM\\)\\s*│\\s*OK`),
      );
  });
});

describe('the package check (publint + attw) on a broken tarball', () => {
  let tmp: string;
  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), 'campus-broken-'));
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('fails, naming publint (a missing main), attw (ESM types for require) and a pattern export with no file', async () => {
    const pkg = join(tmp, 'package');
    mkdirSync(join(pkg, 'dist'), { recursive: true });
    const manifest = {
      name: '@campus-passport/broken',
      version: '0.0.0',
      type: 'module',
      main: './dist/missing.cjs',
      types: './dist/index.d.ts',
      exports: {
        '.': { types: './dist/index.d.ts', import: './dist/index.js', require: './dist/index.cjs' },
        './*': { types: './dist/sub/*.d.ts', default: './dist/sub/*.js' },
      },
    };
    writeFileSync(join(pkg, 'package.json'), JSON.stringify(manifest));
    writeFileSync(join(pkg, 'dist/index.js'), 'export const x = 1;\n');
    writeFileSync(join(pkg, 'dist/index.cjs'), 'exports.x = 1;\n');
    writeFileSync(join(pkg, 'dist/index.d.ts'), 'export declare const x: number;\n');
    const tarball = join(tmp, 'broken.tgz');
    expect(spawnSync('tar', ['-czf', tarball, '-C', tmp, 'package']).status).toBe(0);

    const { code, output } = await release(['check', tarball], 60_000);
    expect(code).toBe(1);
    expect(output).toContain('@campus-passport/broken: publint');
    expect(output).toContain('@campus-passport/broken: attw');
    expect(output).toContain('@campus-passport/broken: ./* serves no file');
    expect(output).toMatch(/missing\.cjs/); // publint names the file
  }, 90_000);
});

describe('changesets', () => {
  const config = JSON.parse(readFileSync(join(root, '.changeset/config.json'), 'utf8')) as {
    ignore: string[];
    access: string;
    privatePackages: { version: boolean; tag: boolean };
  };
  const glob = (pattern: string) => new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);

  it('publishes publicly, never versions a private package, ignores no publishable one', () => {
    expect(config.access).toBe('public');
    expect(config.privatePackages).toEqual({ version: false, tag: false });
    for (const pattern of config.ignore) {
      const matched = workspace.filter((p) => glob(pattern).test(p.name));
      // changesets refuses a config whose ignore entry names no package
      expect([pattern, matched.length > 0]).toEqual([pattern, true]);
      for (const p of matched) expect([p.name, p.private]).toEqual([p.name, true]);
    }
  });

  it("every publishable package's changelog starts at its version (or a pending changeset names it)", () => {
    const pending = readdirSync(join(root, '.changeset'))
      .filter((f) => f.endsWith('.md') && f !== 'README.md')
      .map((f) => readFileSync(join(root, '.changeset', f), 'utf8'))
      .join('\n');
    for (const p of publishable) {
      const file = join(p.path, 'CHANGELOG.md');
      if (pending.includes(`"${p.name}"`) || pending.includes(`'${p.name}'`)) continue;
      const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
      expect([p.name, text.split('\n')[0]]).toEqual([p.name, `# ${p.name}`]);
      expect([p.name, /^## (\S+)/m.exec(text)?.[1]]).toEqual([p.name, p.version]);
      const files = (JSON.parse(readFileSync(join(p.path, 'package.json'), 'utf8')) as { files: string[] }).files;
      expect([p.name, files]).toEqual([p.name, expect.arrayContaining(['CHANGELOG.md'])]);
    }
  });
});
