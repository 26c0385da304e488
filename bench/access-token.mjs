#!/usr/bin/env node
// Requests per second of one API route behind NCUOS requireAccessToken(): verify 'local' (the
// default: the Ed25519 signature checked in the app against the cached server key) vs 'remote' (one
// signed POST /api/v1/app/token/access/verify per request) vs no auth at all.
//
//   pnpm --filter @campus-passport/ncuos build && node bench/access-token.mjs [--quick] [--rounds N] [--seconds S]
//
// Three child processes, so that none measures itself: `platform` (the NCUOS emulator, rateLimit 0),
// `app` (Express + GeniusAuthClient, three routes: /none, /local, /remote) and `load` (an undici Pool,
// 32 requests in flight, for S seconds). This process only drives them over IPC and mints fresh
// access tokens per round (signed verifies through the emulator, outside the measured window).
// The cases send one access token on every request (what a client does for the token's 5 minutes),
// except "local, new tokens", which cycles through more distinct tokens than the client remembers
// (VERIFIED_TOKEN_MEMO_SIZE), so that every request pays the Ed25519 check.
// After one unmeasured warm-up pass per case, the cases run interleaved — A B C D A B C D… — for
// N rounds (default 5 × 3 s; --quick 3 × 1 s); the table shows medians.
// Every round checks each answer is 200 and counts the platform calls the emulator received: local
// must make 0 verify calls, remote one per request. Not part of `pnpm test`.
import { fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const self = fileURLToPath(import.meta.url);
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const role = arg('--role');
const quick = process.argv.includes('--quick');
const ROUNDS = Number(arg('--rounds', quick ? 3 : 5));
const SECONDS = Number(arg('--seconds', quick ? 1 : 3));
const CONCURRENCY = 32;
const VERIFY_PATH = '/api/v1/app/token/access/verify';
const KEY_PATH = '/api/v1/app/keypair/server';
const CASES = [
  { name: 'no auth', path: '/none' },
  { name: "verify: 'local'", path: '/local' },
  { name: "verify: 'local', new tokens", path: '/local', manyTokens: true },
  { name: "verify: 'remote'", path: '/remote' },
];

/** Answer the parent's `{ id, op, ...args }` messages with `{ id, result | error }`; say when ready. */
function serve(handlers) {
  process.on('message', async ({ id, op, ...args }) => {
    try {
      process.send({ id, result: await handlers[op](args) });
    } catch (err) {
      process.send({ id, error: String(err?.stack ?? err) });
    }
  });
  process.send({ ready: true });
}

/** A child running this file in `role`, with `call(op, args)` → its answer. */
function child(name) {
  const proc = fork(self, ['--role', name], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const waiting = new Map();
  let seq = 0;
  let ready;
  const isReady = new Promise((resolve, reject) => {
    ready = resolve;
    proc.once('exit', (code) => reject(new Error(`${name} exited (${code}) before it was ready`)));
  });
  proc.on('message', ({ id, result, error, ready: hello }) => {
    if (hello) return ready();
    const w = waiting.get(id);
    waiting.delete(id);
    if (error) w.reject(new Error(`${name}: ${error}`));
    else w.resolve(result);
  });
  proc.on('exit', (code) => {
    for (const w of waiting.values()) w.reject(new Error(`${name} exited (${code})`));
  });
  return {
    proc,
    call: async (op, args = {}) => {
      await isReady;
      return new Promise((resolve, reject) => {
        const id = ++seq;
        waiting.set(id, { resolve, reject });
        proc.send({ id, op, ...args });
      });
    },
  };
}

const cpuNow = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

// ---- platform: the NCUOS emulator, counting the calls it receives
async function platform() {
  const { startNcuosEmulator } = await import('@campus-passport/mock-platforms/ncuos');
  const emu = await startNcuosEmulator({ rateLimit: 0 });
  const counts = { verify: 0, key: 0, other: 0 };
  const tally = () => {
    for (const r of emu.requests) {
      if (r.path === VERIFY_PATH) counts.verify++;
      else if (r.path === KEY_PATH) counts.key++;
      else counts.other++;
    }
    emu.clearRequests(); // the emulator records every request: keep memory flat
  };
  setInterval(tally, 200).unref();
  serve({
    url: () => emu.url,
    issueLoginToken: () => emu.issueLoginToken(8),
    counts: () => {
      tally();
      const out = { ...counts, cpu: cpuNow() };
      counts.verify = counts.key = counts.other = 0;
      return out;
    },
  });
}

// ---- app: Express with the three routes
async function app() {
  const { default: express } = await import('express');
  const { GeniusAuthClient, requireAccessToken } = await import('@campus-passport/ncuos');
  const { DEFAULT_APP_CODE, DEFAULT_APP_SECRET } = await import('@campus-passport/mock-platforms/ncuos');
  if (typeof GeniusAuthClient.prototype.verifyAccessTokenLocally !== 'function')
    throw new Error('the built @campus-passport/ncuos has no verifyAccessTokenLocally: run pnpm build first');
  let server;
  serve({
    start: async ({ platformURL }) => {
      const client = new GeniusAuthClient({ appCode: DEFAULT_APP_CODE, appSecret: DEFAULT_APP_SECRET, baseURL: platformURL });
      const web = express();
      web.disable('x-powered-by');
      web.set('etag', false);
      const answer = (req, res) => res.json({ ok: true, ncuos: req.ncuos ?? null });
      web.get('/none', answer);
      web.get('/local', requireAccessToken(client, { verify: 'local' }), answer);
      web.get('/remote', requireAccessToken(client, { verify: 'remote' }), answer);
      web.use((err, _req, res, _next) => res.status(err.status ?? 500).json({ code: err.code }));
      await new Promise((resolve) => (server = web.listen(0, '127.0.0.1', resolve)));
      return `http://127.0.0.1:${server.address().port}`;
    },
    cpu: () => cpuNow(),
  });
}

// ---- load: an undici Pool (undici resolved through @campus-passport/core, which depends on it)
async function load() {
  const requireFromCore = createRequire(fileURLToPath(import.meta.resolve('@campus-passport/core')));
  const { Pool } = requireFromCore('undici');
  serve({
    run: async ({ url, path, tokens, seconds, concurrency }) => {
      const pool = new Pool(url, { connections: concurrency, pipelining: 1 });
      const headers = tokens.map((t) => ({ authorization: `Bearer ${t}` }));
      let next = 0;
      let ok = 0;
      let bad = 0;
      let badStatus;
      const latencies = [];
      const t0 = performance.now();
      const deadline = t0 + seconds * 1000;
      const worker = async () => {
        while (performance.now() < deadline) {
          const s = performance.now();
          const res = await pool.request({ origin: url, path, method: 'GET', headers: headers[next++ % headers.length] });
          await res.body.text();
          latencies.push(performance.now() - s);
          if (res.statusCode === 200) ok++;
          else {
            bad++;
            badStatus = res.statusCode;
          }
        }
      };
      await Promise.all(Array.from({ length: concurrency }, worker));
      const elapsed = (performance.now() - t0) / 1000;
      await pool.close();
      latencies.sort((a, b) => a - b);
      const q = (p) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0;
      return { ok, bad, badStatus, rps: (ok + bad) / elapsed, p50: q(0.5), p99: q(0.99) };
    },
  });
}

// ---- the orchestrator
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

async function main() {
  const { GeniusAuthClient, VERIFIED_TOKEN_MEMO_SIZE } = await import('@campus-passport/ncuos');
  const { DEFAULT_APP_CODE, DEFAULT_APP_SECRET } = await import('@campus-passport/mock-platforms/ncuos');
  const kids = { platform: child('platform'), app: child('app'), load: child('load') };
  try {
    const platformURL = await kids.platform.call('url');
    const appURL = await kids.app.call('start', { platformURL });
    const issuer = new GeniusAuthClient({ appCode: DEFAULT_APP_CODE, appSecret: DEFAULT_APP_SECRET, baseURL: platformURL });
    const freshToken = async () => (await issuer.verifyLogin(await kids.platform.call('issueLoginToken'))).accessToken;
    /** More distinct tokens than the client remembers, minted 32 at a time. */
    const freshTokens = async () => {
      const out = [];
      const n = VERIFIED_TOKEN_MEMO_SIZE * 2;
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (out.length < n) out.push(await freshToken());
        }),
      );
      return out.slice(0, n);
    };

    console.log(
      `ncuos access-token bench — node ${process.version}, ${ROUNDS} rounds × ${SECONDS} s per case, ` +
        `${CONCURRENCY} in flight; platform, app and load generator in 3 processes`,
    );
    const results = new Map(CASES.map((c) => [c.name, []]));
    const one = async (c, tokens, seconds) => {
      await kids.platform.call('counts'); // reset
      const cpu0 = await kids.app.call('cpu');
      const r = await kids.load.call('run', { url: appURL, path: c.path, tokens, seconds, concurrency: CONCURRENCY });
      const cpu1 = await kids.app.call('cpu');
      const platformSaw = await kids.platform.call('counts');
      if (r.bad > 0) throw new Error(`${c.name}: ${r.bad} answers were not 200 (e.g. ${r.badStatus})`);
      const requests = r.ok;
      if (c.path === '/local' && platformSaw.verify !== 0) throw new Error(`local made ${platformSaw.verify} verify calls`);
      if (c.path === '/remote' && platformSaw.verify !== requests)
        throw new Error(`remote: ${platformSaw.verify} verify calls for ${requests} requests`);
      return { ...r, requests, appCpuPerReq: (cpu1 - cpu0) / requests, platformCalls: platformSaw };
    };

    const warm = { one: [await freshToken()], many: await freshTokens() };
    for (const c of CASES) await one(c, c.manyTokens ? warm.many : warm.one, Math.min(1, SECONDS)); // warm-up (JIT, sockets, the server key)
    let keyFetches = 0;
    for (let round = 1; round <= ROUNDS; round++) {
      const tokens = { one: [await freshToken()], many: await freshTokens() }; // access tokens live 5 minutes
      for (const c of CASES) {
        const r = await one(c, c.manyTokens ? tokens.many : tokens.one, SECONDS);
        keyFetches += r.platformCalls.key;
        results.get(c.name).push(r);
      }
      process.stdout.write(
        `round ${round}/${ROUNDS}: ${CASES.map((c) => results.get(c.name).at(-1).rps.toFixed(0)).join(' / ')} req/s\n`,
      );
    }

    const base = median(results.get(CASES[0].name).map((r) => r.rps));
    const rows = CASES.map((c) => {
      const rs = results.get(c.name);
      const rps = rs.map((r) => r.rps);
      const calls =
        rs.reduce((n, r) => n + r.platformCalls.verify + r.platformCalls.key, 0) / rs.reduce((n, r) => n + r.requests, 0);
      return {
        name: c.name,
        rps: median(rps),
        range: `${Math.min(...rps).toFixed(0)}–${Math.max(...rps).toFixed(0)}`,
        ratio: median(rps) / base,
        cpu: median(rs.map((r) => r.appCpuPerReq)),
        p50: median(rs.map((r) => r.p50)),
        p99: median(rs.map((r) => r.p99)),
        calls,
      };
    });
    const line = (cells) => `| ${cells.join(' | ')} |`;
    console.log('');
    console.log(
      line(['case', 'req/s (median)', 'min–max', '× no auth', 'app µs CPU/req', 'p50 ms', 'p99 ms', 'platform calls/req']),
    );
    console.log(line(['---', '---:', '---:', '---:', '---:', '---:', '---:', '---:']));
    for (const r of rows)
      console.log(
        line([
          r.name,
          r.rps.toFixed(0),
          r.range,
          r.ratio.toFixed(2),
          r.cpu.toFixed(0),
          r.p50.toFixed(1),
          r.p99.toFixed(1),
          r.calls.toFixed(r.calls === 0 ? 0 : 2),
        ]),
      );
    const [, local, localNew, remote] = rows;
    console.log(
      `\nlocal / remote: ${(local.rps / remote.rps).toFixed(2)}× the requests per second ` +
        `(${(localNew.rps / remote.rps).toFixed(2)}× with a new token on every request)`,
    );
    console.log(`server key fetches during the measured rounds: ${keyFetches} (the warm-up fetched it)`);
  } finally {
    for (const k of Object.values(kids)) k.proc.kill();
  }
}

const roles = { platform, app, load };
if (role) {
  roles[role]().catch((err) => {
    console.error(err);
    process.exit(1);
  });
} else {
  main().then(
    () => process.exit(0),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
