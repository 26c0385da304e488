import { defineConfig } from 'tsup';

// The strategy and the emulator are imported by name and resolve to their built dist.
export default defineConfig({
  entry: { main: 'src/main.ts' },
  format: ['esm'],
  platform: 'node',
  target: 'node20',
  clean: true,
  sourcemap: true,
  dts: false,
  tsconfig: '../../tsconfig.build.json',
});
