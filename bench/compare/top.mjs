#!/usr/bin/env node
// Summarize a V8 CPU profile (`node --cpu-prof`, e.g. the app's from `bench:compare --cpu-prof`):
// self time by function, self time by package, and total (inclusive) time of the functions that
// match --focus. Times are shares of the sampled time that was not idle.
//
// Usage: node bench/compare/top.mjs <file.cpuprofile> [--top N] [--focus regexp]
import { readFileSync } from 'node:fs';

const [file, ...rest] = process.argv.slice(2);
if (!file) throw new Error('usage: top.mjs <file.cpuprofile> [--top N] [--focus regexp]');
const opt = (name, fallback) => {
  const i = rest.indexOf(name);
  return i === -1 ? fallback : rest[i + 1];
};
const top = Number(opt('--top', 40));
const focus = opt('--focus', undefined);

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
