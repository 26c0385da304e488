#!/usr/bin/env node
// campus-mock (see src/cli.ts). In a checkout of the repository — src/ beside dist/ — this package
// is built first when it has no build or its sources are newer than the build, so running the bin
// from the repository root never serves stale emulators and needs no full `pnpm build`.
// CAMPUS_MOCK_NO_BUILD=1 skips that check. An installed package has no src/ and skips it too.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = join(pkg, 'dist', 'cli.js');

/** The newest modification time (ms) of the files under `path` (0 when there are none). */
function newest(path) {
  if (!existsSync(path)) return 0;
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  let max = 0;
  for (const d of readdirSync(path)) max = Math.max(max, newest(join(path, d)));
  return max;
}

function ensureBuilt() {
  if (process.env.CAMPUS_MOCK_NO_BUILD === '1' || !existsSync(join(pkg, 'src'))) return;
  const inputs = Math.max(newest(join(pkg, 'src')), newest(join(pkg, 'package.json')), newest(join(pkg, 'tsup.config.ts')));
  const output = existsSync(built) ? statSync(built).mtimeMs : 0;
  if (output >= inputs) return;
  console.error(`campus-mock: ${output ? 'sources changed since the last build' : 'not built yet'}; building it first…`);
  // the build's own output goes to stderr: stdout stays the emulators' list
  const r = spawnSync('pnpm', ['run', 'build'], { cwd: pkg, stdio: ['ignore', 2, 2] });
  if (r.status !== 0) {
    console.error(
      `campus-mock: the build failed${r.error ? ` (${r.error.message})` : ''}; run \`pnpm --filter @campus-passport/mock-platforms build\``,
    );
    process.exit(1);
  }
}

ensureBuilt();
const { main } = await import('../dist/cli.js');
main().catch((err) => {
  console.error(`campus-mock: ${err && err.message ? err.message : err}`);
  process.exit(1);
});
