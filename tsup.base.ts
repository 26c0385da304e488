/**
 * The one tsup setup of the workspace: every publishable package builds CJS + ESM with type
 * declarations for Node 20; the examples build one ESM bundle. Each package's tsup.config.ts
 * names only its entries.
 */
import { defineConfig, type Options } from 'tsup';

const common: Options = { target: 'node20', clean: true, sourcemap: true, tsconfig: '../../tsconfig.build.json' };

/** A publishable package: CJS + ESM + .d.ts / .d.cts. */
export function packageBuild(entry: Options['entry'] = ['src/index.ts'], extra: Options = {}) {
  return defineConfig({ ...common, entry, format: ['cjs', 'esm'], dts: true, ...extra });
}

/** An example app: one ESM bundle; the workspace packages resolve to their built dist. */
export function appBuild(entry: Options['entry'] = { main: 'src/main.ts' }) {
  return defineConfig({ ...common, entry, format: ['esm'], platform: 'node', dts: false });
}
