import { defineConfig } from 'tsup';

// One CommonJS bundle (Nest 11 is CommonJS); decorators from tsconfig.build.json. esbuild emits no
// decorator metadata, so the providers name their dependencies with @Inject(token).
export default defineConfig({
  entry: { main: 'src/main.ts' },
  format: ['cjs'],
  platform: 'node',
  target: 'node20',
  clean: true,
  sourcemap: true,
  tsconfig: 'tsconfig.build.json',
});
