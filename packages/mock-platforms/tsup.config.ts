import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    cli: 'src/cli.ts',
    'testing/index': 'src/testing/index.ts',
    'platforms/hduhelp': 'src/platforms/hduhelp/index.ts',
    'platforms/ziqiang': 'src/platforms/ziqiang/index.ts',
    'platforms/ncuos': 'src/platforms/ncuos/index.ts',
    'platforms/disabled-aid': 'src/platforms/disabled-aid/index.ts',
    'platforms/zafu': 'src/platforms/zafu/index.ts',
  },
  format: ['cjs', 'esm'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
  tsconfig: '../../tsconfig.build.json',
  external: ['@jest/globals', 'supertest', 'passport', 'express-session'],
});
