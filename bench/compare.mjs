#!/usr/bin/env node
// pnpm bench:compare — our strategies side by side with hand-written handlers (undici Pool,
// global fetch, axios), passport-oauth2 and a ceiling route, under load, in three processes:
//
//   compare/platform.mjs  the five emulators (built dist) + a bench-only /mint endpoint
//   compare/app.mjs       one Express + express-session + passport app with every variant
//   compare/load.mjs      autocannon, 16 connections, a fresh credential per login
//
// This process only orchestrates (it is idle while a round runs). Rounds are interleaved
// (A B C … A B C …); each round measures the app's CPU (process.cpuUsage in the app, around the
// round), logins/s, the requests the fake platform saw and every failed response. The table
// shows medians over rounds and, per variant, the median of its per-round ratios to the
// hand-written undici handler. See bench/README.md.
//
// Usage: node bench/compare.mjs [--quick] [--rounds N] [--seconds S] [--only flow,flow]
//          [--variants ours,undici,…] [--connections N] [--lead N] [--json file] [--cpu-prof [dir]]
//          [--trace-jit [file]]
//          [--core <dir>] [--package <name>=<dir>]   (other builds, for A/B runs)
//          [--baseline <checkout>]   (that checkout's built strategies as one more variant)
//        node bench/compare.mjs --soak [N]        (N logins through our strategies, memory)
import { fork } from 'node:child_process';
import { mkdirSync, openSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FLOWS, REFERENCE, callbackPath, needsCredential } from './compare/flows.mjs';

const { fetch } = globalThis;

const here = dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const flag = (name) => argv.includes(name);
function option(name, fallback) {
  const i = argv.indexOf(name);
  if (i === -1) return fallback;
  const v = argv[i + 1];
  return v === undefined || v.startsWith('--') ? true : v;
}

const quick = flag('--quick');
const soak = option('--soak', undefined);
const rounds = Number(option('--rounds', quick ? 5 : 10));
const seconds = Number(option('--seconds', quick ? 0.8 : 1.5));
const connections = Number(option('--connections', 16));
const onlyFlows = option('--only', undefined)?.split(',');
const onlyVariants = option('--variants', undefined)?.split(',');
const jsonOut = option('--json', undefined);
const cpuProf = option('--cpu-prof', undefined);
const traceJit = option('--trace-jit', undefined);
const coreDist = option('--core', undefined);
const baselineDir = option('--baseline', undefined);
const packageDists = argv.flatMap((a, i) => (argv[i - 1] === '--package' ? a.split(',') : []));
const warmLogins = quick ? 300 : 800;
// logins of a round's unmeasured lead-in (see round()): by default as many as the round measures
const leadOption = option('--lead', undefined);
const leadFixed = leadOption === undefined ? undefined : Number(leadOption);
if (!(rounds >= 1) || !(seconds > 0) || !(connections >= 1) || !(leadFixed === undefined || leadFixed >= 0))
  throw new Error('bench: bad --rounds / --seconds / --connections / --lead');

/** A flow by name, for --only. */
function flowNamed(name) {
  const flow = FLOWS.find((f) => f.name === name);
  if (!flow) throw new Error(`bench: unknown flow "${name}" in --only (known: ${FLOWS.map((f) => f.name).join(', ')})`);
  return flow;
}
// --only: those flows, in the order given (the app's history before a flow can matter)
const flows = (onlyFlows ? onlyFlows.map(flowNamed) : FLOWS).map((f) => ({
  ...f,
  // --baseline: an older build's strategies run as one more variant, next to ours, in every round
  variants: (baselineDir ? f.variants.flatMap((v) => (v === 'ours' ? ['ours', 'baseline'] : [v])) : f.variants).filter(
    (v) => !onlyVariants || onlyVariants.includes(v) || v === 'baseline',
  ),
}));
if (flows.length === 0) throw new Error(`bench: no flow in --only (known: ${FLOWS.map((f) => f.name).join(', ')})`);

// ---------------------------------------------------------------------------------------------
// The three processes, with a tiny request/answer protocol over IPC

let nextId = 0;
function child(file, { execArgv = [], env = {}, stdout = 'inherit' } = {}) {
  const stdio = ['inherit', stdout, 'inherit', 'ipc'];
  const proc = fork(join(here, 'compare', file), [], { execArgv, env: { ...process.env, ...env }, stdio });
  const waiting = new Map();
  let ready;
  const readyP = new Promise((resolve, reject) => {
    ready = resolve;
    proc.once('exit', (code) => reject(new Error(`bench: ${file} exited (${code}) before it was ready`)));
  });
  proc.on('message', (msg) => {
    if (msg.type === 'ready') return ready(msg);
    const w = waiting.get(msg.id);
    if (w) {
      waiting.delete(msg.id);
      if (msg.error) w.reject(new Error(`${file}: ${msg.error}`));
      else w.resolve(msg);
    }
  });
  proc.on('exit', (code) => {
    for (const w of waiting.values()) w.reject(new Error(`bench: ${file} exited (${code})`));
    waiting.clear();
  });
  return {
    proc,
    ready: readyP,
    call(msg) {
      const id = ++nextId;
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        proc.send({ ...msg, id });
      });
    },
    exit() {
      return new Promise((resolve) => {
        if (proc.exitCode !== null) return resolve();
        proc.once('exit', () => resolve());
        proc.send({ type: 'exit' });
        setTimeout(() => proc.kill(), 10_000).unref();
      });
    },
  };
}

const started = Date.now();
const platform = child('platform.mjs');
const platformInfo = await platform.ready;
const appArgs = ['--expose-gc'];
/** Every measured round's window in the app's clock (written next to a CPU profile). */
const windows = [];
const profileDir = cpuProf ? resolve(cpuProf === true ? join(tmpdir(), 'campus-passport-bench-profiles') : cpuProf) : undefined;
if (profileDir) {
  mkdirSync(profileDir, { recursive: true });
  appArgs.push('--cpu-prof', '--cpu-prof-dir', profileDir);
  console.log(
    `bench: the app writes its CPU profile to ${profileDir} when it exits, and the rounds' windows to windows.json there`,
  );
}
const appEnv = { NODE_ENV: 'production', BENCH_PLATFORMS: JSON.stringify({ urls: platformInfo.urls, apps: platformInfo.apps }) };
// --trace-jit <file>: the app's optimizations and deoptimizations, with a mark at each phase of a
// round (compare/jit.mjs counts them per variant and phase)
let appStdout = 'inherit';
if (traceJit) {
  const file = resolve(traceJit === true ? join(tmpdir(), 'campus-passport-bench-jit.log') : traceJit);
  appArgs.push('--trace-opt', '--trace-deopt');
  appEnv.BENCH_TRACE_JIT = '1';
  appStdout = openSync(file, 'w');
  console.log(`bench: the app's JIT trace goes to ${file} (node bench/compare/jit.mjs ${file})`);
}
// other builds of some packages, for A/B runs (see compare/alias-hooks.mjs)
const aliases = {};
if (baselineDir) {
  appEnv.BENCH_BASELINE = resolve(baselineDir);
  console.log(`bench: baseline strategies from ${appEnv.BENCH_BASELINE}`);
}
if (coreDist) {
  aliases['@campus-passport/core'] = join(resolve(coreDist), 'index.js');
  aliases['@campus-passport/core/kit'] = join(resolve(coreDist), 'kit.js');
}
for (const p of packageDists) {
  const [name, dir] = p.split('=');
  if (!name || !dir) throw new Error(`bench: --package wants <name>=<dir>, not "${p}"`);
  aliases[name] = join(resolve(dir), 'index.js');
}
if (Object.keys(aliases).length) {
  appArgs.push('--import', join(here, 'compare', 'alias-loader.mjs'));
  appEnv.BENCH_ALIASES = JSON.stringify(aliases);
  for (const [name, file] of Object.entries(aliases)) console.log(`bench: ${name} from ${file}`);
}
const app = child('app.mjs', { execArgv: appArgs, env: appEnv, stdout: appStdout });
const load = child('load.mjs');
const [{ base }] = await Promise.all([app.ready, load.ready]);

async function shutdown() {
  await Promise.all([app.exit(), load.exit(), platform.exit()]);
}

// ---------------------------------------------------------------------------------------------
// One round of one variant

/** Answers that were not a login: non-2xx, errors, timeouts, wrong bodies, requests never answered. */
const failures = (r, amount) => r.non2xx + r.errors + r.timeouts + r.mismatches + Math.max(0, amount - r.ok - r.non2xx);

async function round(flow, variant, amount, leadLogins = leadFixed ?? amount) {
  const path = callbackPath(flow.name, variant);
  const credential = needsCredential(variant) ? flow.name : undefined;
  await load.call({
    type: 'prepare',
    base,
    path,
    flow: credential,
    amount: leadLogins + amount,
    runs: leadLogins ? 2 : 1,
    connections,
    control: platformInfo.control,
  });
  // The garbage of the rounds before is collected first. That collection also throws away most
  // optimized code of the process (V8 drops code whose embedded objects died), and the JIT needs
  // about a thousand logins to optimize it again: without a lead-in, every round would measure a
  // re-warm — costlier for the variant with more JS — instead of its steady state. So a lead-in of
  // this variant's own logins (as many as the round measures, unless --lead) runs first; it also
  // reconnects the app to the platform. Neither is measured.
  await app.call({ type: 'collect', flow: flow.name, variant });
  const lead = leadLogins ? await load.call({ type: 'run', base, path, amount: leadLogins, connections }) : undefined;
  await platform.call({ type: 'begin' });
  const begun = await app.call({ type: 'begin' });
  const r = await load.call({ type: 'run', base, path, amount, connections });
  const a = await app.call({ type: 'end' });
  windows.push({ flow: flow.name, variant, from: begun.at, to: a.at, logins: r.ok });
  const p = await platform.call({ type: 'end' });
  const requests = Object.values(p.requests).reduce((x, y) => x + y, 0);
  const failed = failures(r, amount) + (lead ? failures(lead, leadLogins) : 0);
  if (a.failureSamples.length)
    console.error(`bench ${flow.name}/${variant}: ${a.failures} failures, e.g.\n${a.failureSamples[0]}`);
  return {
    ok: r.ok,
    rate: r.ok / (r.wallMs / 1000),
    appCpu: a.cpuUs / Math.max(1, r.ok),
    platformCpu: p.cpuUs / Math.max(1, r.ok),
    requests: requests / Math.max(1, r.ok),
    connections: a.sockets,
    byPlatform: p.requests,
    failed,
    p50: r.latency.p50,
    p99: r.latency.p99,
  };
}

/** One login per seeded user through `variant`, checked against the name it should log in as. */
async function check(flow, variant) {
  if (!needsCredential(variant)) return;
  const path = callbackPath(flow.name, variant);
  for (let user = 0; user < 2; user++) {
    const res = await fetch(
      `${platformInfo.control}/mint?flow=${flow.name}&n=1&user=${user}&redirect=${encodeURIComponent(base + path)}`,
    );
    const { items, names } = await res.json();
    const back = await fetch(`${base}${path}?${items[0]}`);
    const text = await back.text();
    let body;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    if (back.status !== 200 || body?.name !== names[0] || body?.provider !== flow.name)
      throw new Error(
        `bench ${flow.name}/${variant}: the check login answered ${back.status} ${text.slice(0, 300)} (expected ${names[0]})`,
      );
  }
}

// ---------------------------------------------------------------------------------------------
// Statistics and the table

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const fmt = (x, d = 0) => (Number.isFinite(x) ? x.toFixed(d) : '–');

function summarize(flow, results) {
  const rows = {};
  for (const v of flow.variants) {
    const rs = results[v];
    const ref = results[REFERENCE];
    rows[v] = {
      rate: median(rs.map((r) => r.rate)),
      appCpu: median(rs.map((r) => r.appCpu)),
      platformCpu: median(rs.map((r) => r.platformCpu)),
      requests: median(rs.map((r) => r.requests)),
      failed: rs.reduce((x, r) => x + r.failed, 0),
      logins: rs.reduce((x, r) => x + r.ok, 0),
      p99: median(rs.map((r) => r.p99)),
      rateRatio: ref ? median(rs.map((r, i) => r.rate / ref[i].rate)) : NaN,
      cpuRatio: ref ? median(rs.map((r, i) => r.appCpu / ref[i].appCpu)) : NaN,
    };
  }
  if (results.ours && results.baseline) {
    rows.ours.vsBaselineCpu = median(results.ours.map((r, i) => r.appCpu / results.baseline[i].appCpu));
    rows.ours.vsBaselineRate = median(results.ours.map((r, i) => r.rate / results.baseline[i].rate));
  }
  if (results.ours && results['passport-oauth2'])
    rows.ours.vsPassportOAuth2 = median(results.ours.map((r, i) => r.rate / results['passport-oauth2'][i].rate));
  return rows;
}

const LABEL = {
  ours: 'ours (strategy package)',
  baseline: 'ours, baseline build',
  undici: 'hand-written, undici Pool',
  fetch: 'hand-written, global fetch',
  axios: 'hand-written, axios',
  'passport-oauth2': 'passport-oauth2',
  ceiling: 'ceiling (req.login() only)',
  'passport-ceiling': 'ceiling through passport',
};

function printTable(flow, rows) {
  console.log(`\n${flow.title}`);
  console.log(
    `  ${'variant'.padEnd(28)} ${'logins/s'.padStart(9)} ${'×undici'.padStart(8)} ${'app µs/login'.padStart(13)} ${'×undici'.padStart(8)}` +
      ` ${'platform µs'.padStart(11)} ${'req/login'.padStart(10)} ${'p99 ms'.padStart(7)} ${'failed'.padStart(7)}`,
  );
  for (const v of flow.variants) {
    const r = rows[v];
    console.log(
      `  ${(LABEL[v] ?? v).padEnd(28)} ${fmt(r.rate).padStart(9)} ${fmt(r.rateRatio, 2).padStart(8)} ${fmt(r.appCpu).padStart(13)} ` +
        `${fmt(r.cpuRatio, 2).padStart(8)} ${fmt(r.platformCpu).padStart(11)} ${fmt(r.requests, 2).padStart(10)} ${fmt(r.p99, 1).padStart(7)} ${String(r.failed).padStart(7)}`,
    );
  }
  if (rows.ours?.vsPassportOAuth2 !== undefined)
    console.log(`  ours / passport-oauth2 logins/s: ${fmt(rows.ours.vsPassportOAuth2, 2)} (median of per-round ratios)`);
}

function printTargets(all) {
  console.log('\nTargets (ours; medians of per-round ratios to the hand-written undici handler)');
  for (const flow of flows) {
    const r = all[flow.name]?.rows?.ours;
    if (!r || !Number.isFinite(r.cpuRatio)) continue;
    const marks = [
      `CPU/login ×${fmt(r.cpuRatio, 3)} ${r.cpuRatio <= 1.1 ? 'ok' : 'MISSED'} (≤ 1.10)`,
      `logins/s ×${fmt(r.rateRatio, 3)} ${r.rateRatio >= 0.9 ? 'ok' : 'MISSED'} (≥ 0.90)`,
      `req/login ${fmt(r.requests, 2)} ${Math.abs(r.requests - flow.minimumCalls) < 0.01 ? 'ok' : 'MISSED'} (= ${flow.minimumCalls})`,
      `failed ${r.failed} ${r.failed === 0 ? 'ok' : 'MISSED'}`,
    ];
    if (r.vsPassportOAuth2 !== undefined)
      marks.push(`vs passport-oauth2 ×${fmt(r.vsPassportOAuth2, 3)} ${r.vsPassportOAuth2 > 1 ? 'ok' : 'MISSED'} (> 1)`);
    console.log(`  ${flow.name.padEnd(13)} ${marks.join(' · ')}`);
    if (r.vsBaselineCpu !== undefined)
      console.log(
        `  ${''.padEnd(13)} vs the baseline build: CPU/login ×${fmt(r.vsBaselineCpu, 3)} · logins/s ×${fmt(r.vsBaselineRate, 3)}`,
      );
  }
}

// ---------------------------------------------------------------------------------------------
// The comparison

async function compare() {
  console.log(
    `bench:compare — ${rounds} interleaved rounds of ~${seconds} s per variant, ${connections} connections, ` +
      `a fresh credential per login; app ${base}`,
  );
  const all = {};
  for (const flow of flows) {
    for (const v of flow.variants) await check(flow, v);
    // warm-up (JIT, keep-alive sockets, app tokens): one round per variant (with its lead-in), not
    // counted. Its rate — the reference handler's — sets how many logins make one round, and every
    // variant of the flow does that many: whatever a round costs once weighs alike in every
    // variant's CPU per login
    const rates = {};
    for (const v of flow.variants) {
      const w = await round(flow, v, warmLogins);
      windows.pop(); // a warm-up round is no measured window
      rates[v] = w.rate;
    }
    const rate = rates[REFERENCE] ?? median(Object.values(rates));
    const amount = Math.min(40_000, Math.max(200, Math.round(rate * seconds)));
    const amounts = Object.fromEntries(flow.variants.map((v) => [v, amount]));
    const results = Object.fromEntries(flow.variants.map((v) => [v, []]));
    // each round starts one variant later (A B C, B C A, C A B, …): no variant always runs in the
    // same place of the round (what the round before left is collected and re-warmed, see round())
    const vs = flow.variants;
    for (let r = 0; r < rounds; r++)
      for (let i = 0; i < vs.length; i++) {
        const v = vs[(i + r) % vs.length];
        results[v].push(await round(flow, v, amounts[v]));
      }
    const rows = summarize(flow, results);
    printTable(flow, rows);
    all[flow.name] = { rows, rounds: results, amounts };
  }
  printTargets(all);
  console.log(`\nbench:compare took ${((Date.now() - started) / 1000).toFixed(0)} s`);
  if (jsonOut) {
    writeFileSync(jsonOut, JSON.stringify({ when: new Date().toISOString(), rounds, seconds, connections, flows: all }, null, 1));
    console.log(`bench: results written to ${jsonOut}`);
  }
  return Object.values(all).every((f) => Object.values(f.rows).every((r) => r.failed === 0));
}

// ---------------------------------------------------------------------------------------------
// Soak: N logins through our strategies (the flows in turn, 5000 at a time); the app's RSS and
// heap (after a forced GC) at the start, each quarter (the middle among them) and the end

async function soakRun(total) {
  const mb = (b) => `${(b / 1024 / 1024).toFixed(1)} MiB`;
  console.log(
    `bench:compare --soak — ${total} logins through our strategies (${flows.map((f) => f.name).join(', ')}), ${connections} connections`,
  );
  for (const flow of flows) {
    await check(flow, 'ours');
    await round(flow, 'ours', warmLogins);
  }
  const snapshots = [{ at: 0, ...(await app.call({ type: 'mem' })) }];
  let done = 0;
  let failed = 0;
  let turn = 0;
  // the middle, and each quarter: enough points to tell a plateau from a climb
  const marks = [0.25, 0.5, 0.75].map((f) => Math.round(total * f));
  while (done < total) {
    const flow = flows[turn++ % flows.length];
    const n = Math.min(5000, total - done);
    // (memory, not CPU: no lead-in)
    const r = await round(flow, 'ours', n, 0);
    done += r.ok;
    failed += r.failed;
    if (r.ok === 0) throw new Error(`bench: soak round of ${flow.name} logged nobody in`);
    while (marks.length && done >= marks[0] && done < total) {
      marks.shift();
      snapshots.push({ at: done, ...(await app.call({ type: 'mem' })) });
    }
  }
  snapshots.push({ at: done, ...(await app.call({ type: 'mem' })) });
  console.log(
    `  ${'after logins'.padEnd(14)} ${'rss'.padStart(10)} ${'heapUsed'.padStart(10)} ${'heapTotal'.padStart(10)} ${'external'.padStart(10)}`,
  );
  for (const s of snapshots)
    console.log(
      `  ${String(s.at).padEnd(14)} ${mb(s.rss).padStart(10)} ${mb(s.heapUsed).padStart(10)} ${mb(s.heapTotal).padStart(10)} ${mb(s.external).padStart(10)}`,
    );
  const first = snapshots[0];
  const last = snapshots.at(-1);
  console.log(
    `  end − start: rss ${mb(last.rss - first.rss)}, heapUsed ${mb(last.heapUsed - first.heapUsed)}; failed ${failed}; ` +
      `${((Date.now() - started) / 1000).toFixed(0)} s`,
  );
  if (jsonOut)
    writeFileSync(jsonOut, JSON.stringify({ when: new Date().toISOString(), total: done, failed, snapshots }, null, 1));
  return failed === 0;
}

let ok;
try {
  ok = soak !== undefined ? await soakRun(soak === true ? 100_000 : Number(soak)) : await compare();
} finally {
  await shutdown();
  if (profileDir) writeFileSync(join(profileDir, 'windows.json'), JSON.stringify(windows, null, 1));
}
if (!ok) {
  console.error('bench: some logins failed (see above)');
  process.exitCode = 1;
}
