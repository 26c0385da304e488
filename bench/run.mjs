#!/usr/bin/env node
// pnpm bench — measured against the local emulators over real HTTP on 127.0.0.1.
// Reports wall time, CPU time per call (user+system of this process) and heap growth.
// Usage: pnpm bench [--quick] [--only name,name]
import axios from 'axios';
import { axiosTransport, undiciTransport as createTransport } from '@campus-passport/core';
import { AppTokenManager } from '@campus-passport/core/kit';
import { startEmulator } from '@campus-passport/mock-platforms';
import { loginBenches } from './logins.mjs';

const quick = process.argv.includes('--quick');
const onlyArg = process.argv.indexOf('--only');
const only = onlyArg > 0 ? new Set(process.argv[onlyArg + 1].split(',')) : undefined;
const N = quick ? 500 : 5000;
const CONCURRENCY = 32;

export async function measure(name, calls, fn) {
  if (only && !only.has(name)) return;
  // warm up
  await runPool(Math.min(200, calls), fn);
  globalThis.gc?.();
  const heap0 = process.memoryUsage().heapUsed;
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  await runPool(calls, fn);
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const cpu = process.cpuUsage(cpu0);
  globalThis.gc?.();
  const heapMb = (process.memoryUsage().heapUsed - heap0) / 1024 / 1024;
  const cpuUs = (cpu.user + cpu.system) / calls;
  console.log(
    `${name.padEnd(36)} ${String(calls).padStart(6)} calls  ${(calls / (wallMs / 1000)).toFixed(0).padStart(7)} /s  ` +
      `${cpuUs.toFixed(0).padStart(5)} µs CPU/call (client+emulator)  heap ${heapMb >= 0 ? '+' : ''}${heapMb.toFixed(1)} MiB`,
  );
}

async function runPool(calls, fn) {
  let next = 0;
  const worker = async () => {
    while (next < calls) {
      const i = next++;
      await fn(i);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

async function main() {
  console.log(`campus-passport bench — node ${process.version}, ${N} calls per case, concurrency ${CONCURRENCY}`);
  console.log('CPU time includes the in-process emulator answering the call.\n');
  const emu = await startEmulator({
    name: 'bench',
    routes(app) {
      app.post('/token', (req, res) => res.json({ code: 0, data: { access_token: 'x'.repeat(32), body: req.body } }));
    },
  });
  try {
    const undici = createTransport();
    const viaAxios = axiosTransport(axios.create());
    const call = (t) => () => t({ method: 'POST', url: `${emu.url}/token`, json: { client_secret: 's', code: 'c' } });
    await measure('transport: undici POST JSON', N, call(undici));
    await measure('transport: axios POST JSON', N, call(viaAxios));

    let fetches = 0;
    const tokens = new AppTokenManager({
      key: 'bench',
      fetch: async () => {
        fetches++;
        return { accessToken: 'a', expiresAt: Date.now() + 3600_000 };
      },
    });
    await measure('AppTokenManager.get (cached)', N * 20, () => tokens.get());
    const ranTokens = !only || only.has('AppTokenManager.get (cached)');
    if (ranTokens && fetches !== 1) throw new Error(`expected 1 token fetch, saw ${fetches}`);

    await loginBenches({ measure, calls: quick ? 200 : 1000 });
  } finally {
    await emu.close();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
