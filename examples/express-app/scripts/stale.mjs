/**
 * Which builds are out of date, for `pnpm start`: the demo app and every workspace package it
 * depends on (transitively, through `workspace:` dependencies), dependencies first. A package is
 * stale when it has no build, or when one of its inputs — `src/**`, `package.json`,
 * `tsup.config.ts` and the workspace's shared build files — is newer than the oldest file of its
 * `dist/` (tsup cleans `dist/` on every build, so the oldest file is the last build's start).
 */
import { existsSync, readFileSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** The workspace's build files every package's build reads. */
export const SHARED_INPUTS = ['tsup.base.ts', 'tsconfig.build.json', 'tsconfig.base.json'];

/** Every file under `path` (itself, when it is a file); node_modules left out. */
function files(path, out = []) {
  if (!existsSync(path)) return out;
  const s = statSync(path);
  if (!s.isDirectory()) {
    out.push({ file: path, mtime: s.mtimeMs });
    return out;
  }
  for (const name of readdirSync(path)) if (name !== 'node_modules') files(join(path, name), out);
  return out;
}

/** The newest input of the package in `dir` (undefined when it has none). */
export function newestInput(dir, shared = []) {
  const inputs = [...files(join(dir, 'src')), ...files(join(dir, 'package.json')), ...files(join(dir, 'tsup.config.ts'))];
  for (const f of shared) files(f, inputs);
  return inputs.reduce((a, b) => (!a || b.mtime > a.mtime ? b : a), undefined);
}

/** The oldest file of the package's dist/ (undefined when there is no build). */
export function oldestOutput(dir) {
  return files(join(dir, 'dist')).reduce((a, b) => (!a || b.mtime < a.mtime ? b : a), undefined);
}

/** The app and the workspace packages it depends on, dependencies first, each once. */
export function buildOrder(appDir) {
  const seen = new Set();
  const order = [];
  const visit = (dir) => {
    if (seen.has(dir)) return;
    seen.add(dir);
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    for (const [name, range] of Object.entries(pkg.dependencies ?? {}))
      if (String(range).startsWith('workspace:')) visit(realpathSync(join(dir, 'node_modules', name)));
    order.push({ name: pkg.name, dir, buildable: typeof pkg.scripts?.build === 'string' });
  };
  visit(realpathSync(appDir));
  return order;
}

/**
 * The builds to run before starting the app, in order: `{ name, dir, why }` for each stale one.
 * `root` is the workspace root (for the shared build files).
 */
export function staleBuilds(appDir, root) {
  const shared = SHARED_INPUTS.map((f) => join(root, f));
  const stale = [];
  for (const p of buildOrder(appDir)) {
    if (!p.buildable) continue;
    const output = oldestOutput(p.dir);
    const input = newestInput(p.dir, shared);
    if (!output) stale.push({ name: p.name, dir: p.dir, why: 'not built yet' });
    else if (input && input.mtime > output.mtime)
      stale.push({ name: p.name, dir: p.dir, why: `${relative(root, input.file)} changed since the last build` });
  }
  return stale;
}
