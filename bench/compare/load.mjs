// The load-generator process of `pnpm bench:compare`: autocannon against the app. For a round it
// first (`prepare`) takes a fresh credential per login from the fake platform's /mint endpoint, in
// bulk and before any clock starts, then (`run`, once for the round's lead-in and once for its
// measured part) sends `amount` logins over `connections` keep-alive connections, each request's
// path carrying the next credential not yet used (autocannon's `setupRequest`). Answers only
// `{ wallMs, ok, non2xx, errors, timeouts, mismatches, latency }` over IPC.
import autocannon from 'autocannon';

const { fetch } = globalThis;

/** Credentials for `n` logins of `flow`, each redirected (where the platform binds it) to `redirect`. */
async function mint(control, flow, n, redirect) {
  const res = await fetch(`${control}/mint?flow=${encodeURIComponent(flow)}&n=${n}&redirect=${encodeURIComponent(redirect)}`);
  if (res.status !== 200) throw new Error(`mint ${flow}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()).items;
}

/** Credentials minted for the next round (`prepare`), used in turn by its `run`s. */
let prepared;
/** The next credential of `prepared` no request has carried yet. */
let next = 0;

async function prepare({ base, path, flow, amount, runs = 1, connections, control }) {
  // a few spare credentials per run: autocannon may start a request or two past `amount` before it stops
  prepared = flow ? await mint(control, flow, amount + runs * 2 * connections, `${base}${path}`) : undefined;
  next = 0;
  return {};
}

async function run({ base, path, amount, connections }) {
  const items = prepared;
  const request = items
    ? {
        method: 'GET',
        setupRequest(req) {
          req.path = `${path}?${items[next++]}`;
          return req;
        },
      }
    : { method: 'GET', path };
  const t0 = process.hrtime.bigint();
  const result = await autocannon({
    url: base,
    connections,
    amount,
    // autocannon notices that `amount` is reached only at its next sample: every 10 ms, not 1 s
    sampleInt: 10,
    timeout: 30,
    requests: [request],
    // every variant answers the logged-in user as {"provider":…,"id":…,"name":…}
    verifyBody: (body) => body.startsWith('{"provider":'),
  });
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  return {
    wallMs,
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    mismatches: result.mismatches,
    latency: { p50: result.latency.p50, p99: result.latency.p99 },
  };
}

// the orchestrator is gone (it stopped, or crashed before it could say so): so is this process
process.on('disconnect', () => process.exit(0));
process.on('message', async (msg) => {
  if (msg.type === 'prepare' || msg.type === 'run') {
    try {
      process.send({ id: msg.id, ...(await (msg.type === 'prepare' ? prepare(msg) : run(msg))) });
    } catch (err) {
      process.send({ id: msg.id, error: String(err?.stack ?? err) });
    }
  } else if (msg.type === 'exit') process.exit(0);
});
process.send({ type: 'ready' });
