#!/usr/bin/env node
// Side by side, the results of several `bench:compare --json <file>` runs (e.g. before and after a
// change, run alternately): per flow and variant, each run's ratios to the hand-written undici
// handler (CPU per login and logins/s) and their median over the runs of each label.
//
// Usage: node bench/compare/summary.mjs <label>=<file.json>[,<file.json>…] …
//   e.g. node bench/compare/summary.mjs before=a1.json,a2.json after=b1.json,b2.json
import { readFileSync } from 'node:fs';

const groups = process.argv.slice(2).map((arg) => {
  const [label, files] = arg.includes('=') ? arg.split('=') : [arg, arg];
  return { label, runs: files.split(',').map((f) => JSON.parse(readFileSync(f, 'utf8'))) };
});
if (groups.length === 0) throw new Error('usage: summary.mjs <label>=<file.json>[,<file.json>…] …');

const median = (xs) => {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const fmt = (x) => (Number.isFinite(x) ? x.toFixed(2) : '  – ');

const flows = [...new Set(groups.flatMap((g) => g.runs.flatMap((r) => Object.keys(r.flows ?? {}))))];
for (const flow of flows) {
  const variants = [...new Set(groups.flatMap((g) => g.runs.flatMap((r) => Object.keys(r.flows?.[flow]?.rows ?? {}))))];
  console.log(`\n${flow}`);
  console.log(`  ${'variant'.padEnd(18)} ${groups.map((g) => `${g.label}: CPU× / rate×`.padStart(26)).join(' ')}`);
  for (const v of variants) {
    const cells = groups.map((g) => {
      const rows = g.runs.map((r) => r.flows?.[flow]?.rows?.[v]).filter(Boolean);
      const cpu = median(rows.map((r) => r.cpuRatio));
      const rate = median(rows.map((r) => r.rateRatio));
      return `${fmt(cpu)} / ${fmt(rate)} (${rows.length})`.padStart(26);
    });
    console.log(`  ${v.padEnd(18)} ${cells.join(' ')}`);
  }
  const vs = groups.map((g) => median(g.runs.map((r) => r.flows?.[flow]?.rows?.ours?.vsPassportOAuth2)));
  if (vs.some(Number.isFinite))
    console.log(`  ${'ours/passport-oauth2'.padEnd(18)} ${vs.map((x) => `rate× ${fmt(x)}`.padStart(26)).join(' ')}`);
}
console.log("\n(each cell: the median over the runs of the run's median per-round ratio; (n) = runs)");
