import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const pkg = join(__dirname, '..');

// The built package as a user gets it: CJS + ESM + .d.ts, and isCampusAuthError across both builds.
describe('built package', () => {
  beforeAll(() => {
    if (!existsSync(join(pkg, 'dist/index.cjs'))) execFileSync('pnpm', ['run', 'build'], { cwd: pkg, stdio: 'ignore' });
  }, 120_000);

  it('ships CJS, ESM and type declarations', () => {
    for (const f of ['index.cjs', 'index.js', 'index.d.ts', 'index.d.cts']) expect(existsSync(join(pkg, 'dist', f))).toBe(true);
  });

  it('isCampusAuthError recognises errors across the CJS and ESM builds', () => {
    const script = `
      const cjs = require(${JSON.stringify(join(pkg, 'dist/index.cjs'))});
      import(${JSON.stringify(join(pkg, 'dist/index.js'))}).then((esm) => {
        const a = new cjs.CampusAuthError('ERR_STATE', 'x');
        const b = new esm.CampusAuthError('ERR_STATE', 'y');
        console.log(JSON.stringify([esm.isCampusAuthError(a), cjs.isCampusAuthError(b), a instanceof esm.CampusAuthError, cjs.isCampusAuthError(new Error('z'))]));
      });`;
    const out = execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    // instanceof fails across builds; the brand does not
    expect(JSON.parse(out)).toEqual([true, true, false, false]);
  });
});
