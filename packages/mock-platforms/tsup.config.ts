import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { packageBuild } from '../../tsup.base';

// One entry per emulator folder (src/platforms/<name>/index.ts → dist/platforms/<name>.*), which
// the package's "./*" export serves as @campus-passport/mock-platforms/<name>: a new platform needs
// no edit here.
const platforms = readdirSync('src/platforms', { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join('src/platforms', d.name, 'index.ts')))
  .map((d) => d.name)
  .sort();

export default packageBuild(
  {
    index: 'src/index.ts',
    cli: 'src/cli.ts',
    'testing/index': 'src/testing/index.ts',
    ...Object.fromEntries(platforms.map((name) => [`platforms/${name}`, `src/platforms/${name}/index.ts`])),
  },
  { external: ['@jest/globals', 'supertest', 'passport', 'express-session'] },
);
