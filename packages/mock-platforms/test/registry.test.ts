/**
 * The platform registry is the one list of platforms: every emulator folder is registered, every
 * registered platform has its strategy package, and the wildcard wiring (package exports, tsup
 * entries, tsconfig paths) reaches each of them without naming any.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { emulators, platformNames } from '../src';

const root = join(__dirname, '../../..');
const pkgDir = join(__dirname, '..');
const folders = readdirSync(join(pkgDir, 'src/platforms'), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name);

describe('platform registry', () => {
  it('registers every emulator folder (src/platforms/<name>/index.ts), and nothing else', () => {
    expect([...platformNames()].sort()).toEqual([...folders].sort());
    for (const name of folders) expect(existsSync(join(pkgDir, 'src/platforms', name, 'index.ts'))).toBe(true);
  });

  it.each(emulators.map((e) => [e.name, e] as const))('%s: its strategy package, titles, port and test user', (name, e) => {
    expect(name).toMatch(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/);
    expect(e.packageName).toBe(`@campus-passport/${name}`);
    const pkg = JSON.parse(readFileSync(join(root, 'packages', `strategy-${name}`, 'package.json'), 'utf8')) as { name: string };
    expect(pkg.name).toBe(e.packageName);
    expect(e.title.zh).toMatch(/[\u4e00-\u9fff]/);
    expect(e.title.en).toMatch(/^[\x20-\x7e]+$/);
    expect(e.port).toBeGreaterThanOrEqual(1024);
    expect(e.port).toBeLessThan(65536);
    expect(e.loginPath.startsWith('/')).toBe(true);
    expect(e.testUser.value).toMatch(/\S/);
  });

  it('the package exports one "./*" pattern for the emulators, with typesVersions for node10 resolution', () => {
    const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as {
      exports: Record<string, unknown>;
      typesVersions: Record<string, Record<string, string[]>>;
    };
    expect(Object.keys(pkg.exports).sort()).toEqual(['.', './*', './package.json', './testing']);
    expect(pkg.exports['./*']).toEqual({
      import: { types: './dist/platforms/*.d.ts', default: './dist/platforms/*.js' },
      require: { types: './dist/platforms/*.d.cts', default: './dist/platforms/*.cjs' },
    });
    expect(pkg.typesVersions['*']['*']).toEqual(['./dist/platforms/*.d.cts']);
    // the root `types` must not be caught by the "*" pattern
    expect(pkg.typesVersions['*']['dist/*']).toEqual(['./dist/*']);
  });

  it('tsup builds one entry per emulator folder, read from src/platforms (no list to edit)', () => {
    const config = readFileSync(join(pkgDir, 'tsup.config.ts'), 'utf8');
    expect(config).toContain("readdirSync('src/platforms'");
    for (const name of folders) expect(config).not.toContain(`'platforms/${name}'`);
  });

  it('tsconfig paths send every workspace name to its sources, the most specific pattern winning', () => {
    const file = join(root, 'tsconfig.json');
    const parsed = ts.parseJsonConfigFileContent(ts.readConfigFile(file, ts.sys.readFile).config, ts.sys, root);
    const from = join(root, 'examples/express-app/src/main.ts');
    const resolve = (name: string) => {
      const hit = ts.resolveModuleName(name, from, parsed.options, ts.sys).resolvedModule?.resolvedFileName;
      return hit ? hit.slice(root.length + 1) : undefined;
    };
    expect(resolve('@campus-passport/core')).toBe('packages/core/src/index.ts');
    expect(resolve('@campus-passport/core/kit')).toBe('packages/core/src/kit.ts');
    expect(resolve('@campus-passport/mock-platforms')).toBe('packages/mock-platforms/src/index.ts');
    expect(resolve('@campus-passport/mock-platforms/testing')).toBe('packages/mock-platforms/src/testing/index.ts');
    for (const name of platformNames()) {
      expect(resolve(`@campus-passport/${name}`)).toBe(`packages/strategy-${name}/src/index.ts`);
      expect(resolve(`@campus-passport/mock-platforms/${name}`)).toBe(`packages/mock-platforms/src/platforms/${name}/index.ts`);
    }
  });
});
