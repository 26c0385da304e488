#!/usr/bin/env node
// `pnpm test`: build every package, typecheck, lint, then run all Jest projects. Each check counts
// as one test in the closing line, so a type error or a broken build can never pass quietly.
// Extra arguments go to Jest (e.g. `pnpm test -- packages/core`).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const jestArgs = process.argv.slice(2).filter((a) => a !== '--');
const checks = [
  ['build', 'pnpm', ['run', 'build']],
  ['typecheck', 'pnpm', ['run', 'typecheck']],
  ['lint', 'pnpm', ['run', 'lint']],
];
let passed = 0;
let failed = 0;
for (const [name, cmd, args] of checks) {
  const started = Date.now();
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  const ok = r.status === 0;
  console.log(`check ${name}: ${ok ? 'ok' : 'FAILED'} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  if (ok) passed++;
  else failed++;
}

const summaryFile = join(mkdtempSync(join(tmpdir(), 'campus-test-')), 'summary.json');
const jest = spawnSync('pnpm', ['exec', 'jest', ...jestArgs], {
  stdio: 'inherit',
  env: { ...process.env, CAMPUS_SUMMARY_FILE: summaryFile },
});
if (existsSync(summaryFile)) {
  const s = JSON.parse(readFileSync(summaryFile, 'utf8'));
  passed += s.passed;
  failed += s.failed;
} else {
  failed++; // Jest itself did not run
}
if (jest.status !== 0 && failed === 0) failed++;
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
