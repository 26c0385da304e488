/** @jest-config-loader-options {"transpileOnly": true} */
import type { Config } from 'jest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

// One Jest project per workspace package. Workspace imports resolve to the package sources, so
// tests never need a build (the packaging test builds on its own).
const root = __dirname;
const dirs = ['packages', 'examples'].flatMap((group) =>
  existsSync(join(root, group)) ? readdirSync(join(root, group)).map((d) => join(root, group, d)) : [],
);
const packages = dirs
  .filter((d) => existsSync(join(d, 'package.json')))
  .map((d) => ({ dir: d, name: JSON.parse(readFileSync(join(d, 'package.json'), 'utf8')).name as string }));

const moduleNameMapper: Record<string, string> = {};
for (const p of packages) {
  const esc = p.name.replace(/[/\\^$*+?.()|[\]{}-]/g, '\\$&');
  moduleNameMapper[`^${esc}/testing$`] = join(p.dir, 'src/testing/index.ts');
  moduleNameMapper[`^${esc}/kit$`] = join(p.dir, 'src/kit.ts');
  moduleNameMapper[`^${esc}$`] = join(p.dir, 'src/index.ts');
}
// each platform's emulator: @campus-passport/mock-platforms/<platform>
moduleNameMapper['^@campus-passport/mock-platforms/(.+)$'] = join(root, 'packages/mock-platforms/src/platforms/$1/index.ts');

const tsconfigJest = (dir: string) =>
  existsSync(join(dir, 'tsconfig.jest.json')) ? join(dir, 'tsconfig.jest.json') : join(root, 'tsconfig.jest.json');

const config: Config = {
  reporters: ['default', join(root, 'scripts/summary-reporter.cjs')],
  projects: packages
    .filter((p) => existsSync(join(p.dir, 'test')))
    .map((p) => ({
      displayName: p.name.replace('@campus-passport/', ''),
      rootDir: p.dir,
      testEnvironment: 'node',
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      moduleNameMapper,
      transform: {
        // a package's own tsconfig.jest.json (e.g. examples/nestjs: decorators) or the root one
        '^.+\\.ts$': ['ts-jest', { tsconfig: tsconfigJest(p.dir) }],
      },
    })),
};

export default config;
