#!/usr/bin/env node
/**
 * `pnpm start` (from the repository root or this folder): build only what changed since its last
 * build — this app and the workspace packages it uses, see stale.mjs — then run the demo in this
 * process (no second Node process, so Ctrl+C / SIGTERM reach it directly).
 *
 *   --dry-run   print what would be built, build and start nothing
 *   --no-build  start what is built, whatever changed
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { staleBuilds } from './stale.mjs';

const app = join(dirname(fileURLToPath(import.meta.url)), '..');
const root = join(app, '..', '..');
const args = process.argv.slice(2);

if (!args.includes('--no-build')) {
  const stale = staleBuilds(app, root);
  if (args.includes('--dry-run')) {
    for (const s of stale) console.log(`${s.name}\t${s.why}`);
    if (stale.length === 0) console.log('campus-passport demo: everything is built and up to date');
    process.exit(0);
  }
  for (const s of stale) {
    console.log(`campus-passport demo: building ${s.name} (${s.why})…`);
    const r = spawnSync('pnpm', ['run', 'build'], { cwd: s.dir, stdio: 'inherit' });
    if (r.status !== 0) {
      console.error(`campus-passport demo: the build of ${s.name} failed${r.error ? ` (${r.error.message})` : ''}`);
      process.exit(1);
    }
  }
}

// as `node dist/main.js` from this folder would: .env is read from here
process.chdir(app);
const { runAsProgram } = await import(pathToFileURL(join(app, 'dist', 'main.js')).href);
runAsProgram();
