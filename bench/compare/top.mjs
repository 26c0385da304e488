#!/usr/bin/env node
// Summarize a V8 CPU profile (`node --cpu-prof`, e.g. the app's from `bench:compare --cpu-prof`):
// self time by function, self time by package, and total (inclusive) time of the functions that
// match --focus. Times are shares of the sampled time that was not idle.
//
// With --windows (the windows.json `bench:compare --cpu-prof` writes next to the profile): only the
// measured rounds, split by flow and variant, in µs of self time per login — side by side, by package
// and by function, so two variants of one flow compare in the same process and the same rounds.
//
// Usage: node bench/compare/top.mjs <file.cpuprofile> [--top N] [--focus regexp] [--windows windows.json]
import { readFileSync } from 'node:fs';

const [file, ...rest] = process.argv.slice(2);
if (!file) throw new Error('usage: top.mjs <file.cpuprofile> [--top N] [--focus regexp]');
const opt = (name, fallback) => {
  const i = rest.indexOf(name);
  return i === -1 ? fallback : rest[i + 1];
};
const top = Number(opt('--top', 40));
const focus = opt('--focus', undefined);
const windowsFile = opt('--windows', undefined);

const profile = JSON.parse(readFileSync(file, 'utf8'));
const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

// sample counts per node, weighted by the time deltas
const self = new Map();
for (let i = 0; i < profile.samples.length; i++) {
  const id = profile.samples[i];
  self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
}

const IDLE = new Set(['(idle)', '(program)']);
let busy = 0;
for (const [id, t] of self) if (!IDLE.has(nodes.get(id).callFrame.functionName)) busy += t;

/** Which package a frame belongs to. */
function packageOf(url) {
  if (!url) return '(native / v8)';
  if (url.startsWith('node:')) return 'node:' + url.slice(5).split('/')[0];
  const ws = /packages\/([^/]+)\/dist/.exec(url);
  if (ws) return `@campus-passport/${ws[1].replace(/^strategy-/, '')}`;
  const mods = url.split('node_modules/');
  if (mods.length > 1) {
    const tail = mods.at(-1).split('/');
    return tail[0].startsWith('@') ? `${tail[0]}/${tail[1]}` : tail[0];
  }
  if (url.includes('/bench/')) return 'bench (app.mjs)';
  return url;
}
const label = (cf) => `${cf.functionName || '(anonymous)'} ${packageOf(cf.url)}${cf.url ? `:${cf.lineNumber + 1}` : ''}`;

const byFunction = new Map();
const byPackage = new Map();
for (const [id, t] of self) {
  const cf = nodes.get(id).callFrame;
  if (IDLE.has(cf.functionName)) continue;
  const key = label(cf);
  byFunction.set(key, (byFunction.get(key) ?? 0) + t);
  const pkg = cf.functionName === '(garbage collector)' ? '(gc)' : packageOf(cf.url);
  byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + t);
}
const pct = (t) => `${((100 * t) / busy).toFixed(1).padStart(5)} %`;
const print = (title, map, n) => {
  console.log(`\n${title}`);
  for (const [k, t] of [...map].sort((a, b) => b[1] - a[1]).slice(0, n)) console.log(`  ${pct(t)}  ${k}`);
};
if (windowsFile) {
  splitByWindows(JSON.parse(readFileSync(windowsFile, 'utf8')));
  process.exit(0);
}
console.log(`${file}: ${(busy / 1000).toFixed(0)} ms busy of ${((profile.endTime - profile.startTime) / 1000).toFixed(0)} ms`);
print('self time by package', byPackage, 30);
print('self time by function', byFunction, top);

if (focus) {
  // inclusive time: a sample counts once for every distinct matching frame on its stack
  const re = new RegExp(focus);
  const total = new Map();
  for (const [id, t] of self) {
    if (IDLE.has(nodes.get(id).callFrame.functionName)) continue;
    const seen = new Set();
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
      const key = label(nodes.get(cur).callFrame);
      if (re.test(key) && !seen.has(key)) {
        seen.add(key);
        total.set(key, (total.get(key) ?? 0) + t);
      }
    }
  }
  print(`total (inclusive) time of frames matching /${focus}/`, total, top);
}

/** Self time per login inside each flow's variants' round windows, by package and by function. */
function splitByWindows(windows) {
  const wins = [...windows].sort((a, b) => a.from - b.from);
  // per flow / variant: package → µs, function → µs, and the logins of its windows
  const acc = new Map();
  for (const w of wins) {
    const key = `${w.flow}\t${w.variant}`;
    if (!acc.has(key)) acc.set(key, { flow: w.flow, variant: w.variant, logins: 0, pkg: new Map(), fn: new Map() });
    acc.get(key).logins += w.logins;
  }
  let t = profile.startTime;
  let wi = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i] ?? 0;
    while (wi < wins.length && wins[wi].to < t) wi++;
    const w = wins[wi];
    if (!w || t < w.from) continue;
    const cf = nodes.get(profile.samples[i]).callFrame;
    if (IDLE.has(cf.functionName)) continue;
    const a = acc.get(`${w.flow}\t${w.variant}`);
    const dt = profile.timeDeltas[i] ?? 0;
    const pkg = cf.functionName === '(garbage collector)' ? '(gc)' : packageOf(cf.url);
    a.pkg.set(pkg, (a.pkg.get(pkg) ?? 0) + dt);
    const fn = label(cf);
    a.fn.set(fn, (a.fn.get(fn) ?? 0) + dt);
  }
  const flows = [...new Set(wins.map((w) => w.flow))];
  for (const flow of flows) {
    const vs = [...acc.values()].filter((a) => a.flow === flow);
    const table = (title, pick, n) => {
      const keys = new Set(vs.flatMap((v) => [...pick(v).keys()]));
      const rows = [...keys].map((k) => [k, ...vs.map((v) => (pick(v).get(k) ?? 0) / Math.max(1, v.logins))]);
      rows.sort((x, y) => Math.max(...y.slice(1)) - Math.max(...x.slice(1)));
      console.log(`\n${flow}: ${title}, µs of self time per login`);
      console.log(`  ${vs.map((v) => v.variant.slice(0, 9).padStart(9)).join(' ')}`);
      const totals = vs.map((_, i) => rows.reduce((sum, r) => sum + r[i + 1], 0));
      console.log(`  ${totals.map((x) => x.toFixed(1).padStart(9)).join(' ')}  (all)`);
      for (const r of rows.slice(0, n))
        console.log(
          `  ${r
            .slice(1)
            .map((x) => x.toFixed(1).padStart(9))
            .join(' ')}  ${r[0]}`,
        );
    };
    table('by package', (v) => v.pkg, 30);
    table('by function', (v) => v.fn, top);
  }
}
