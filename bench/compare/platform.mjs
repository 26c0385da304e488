// The fake platform process of `pnpm bench:compare`: the five emulators of
// @campus-passport/mock-platforms (built dist, default app registrations) on free ports of
// 127.0.0.1, plus one bench-only HTTP endpoint that mints fresh credentials in bulk, the way the
// emulators' login pages would one at a time:
//
//   GET /mint?flow=<name>&n=<count>[&redirect=<callback URL>][&user=<index>]
//     → { items: ["code=…&state=…", …], names: ["张三", …] }
//
// `items` are the callback query strings (code + state, token or stoken), `names` the display
// name each one logs in as (seeded users take turns). Driven over IPC by compare.mjs:
// `begin` zeroes the request counters and the CPU clock, `end` reports how many requests each
// emulator saw and this process's CPU, then forgets what the round left behind (ZAFU's user
// tokens, disabled-aid's platform sessions) so that rounds do not grow the emulators.
import { CredentialStore } from '@campus-passport/mock-platforms';
import { createServer } from 'node:http';
import { DEFAULT_APP_ID, DISABLED_AID_USERS, startDisabledAidEmulator } from '@campus-passport/mock-platforms/disabled-aid';
import { HDUHELP_USERS, startHduhelpEmulator } from '@campus-passport/mock-platforms/hduhelp';
import { DEFAULT_APP_CODE, DEFAULT_APP_SECRET, startNcuosEmulator } from '@campus-passport/mock-platforms/ncuos';
import { ZAFU_DEFAULT_APP, ZAFU_USERS, startZafuEmulator } from '@campus-passport/mock-platforms/zafu';
import { ZIQIANG_APP, startZiqiangEmulator } from '@campus-passport/mock-platforms/ziqiang';
import { HDUHELP_CLIENT_ID, HDUHELP_CLIENT_SECRET } from '@campus-passport/mock-platforms/hduhelp';
import { FIXED_STATE } from './flows.mjs';

// The emulators' credential stores prune every expired entry on every mint (O(stored) per mint);
// with tens of thousands of live tokens that alone would make the fake platform the bottleneck
// and drift the rounds. Here a store prunes at most once a second — same memory bound over time,
// no per-login scan. (Bench-only; the emulator package is unchanged.)
const prune = CredentialStore.prototype.prune;
if (typeof prune === 'function') {
  const LAST = Symbol('bench.lastPrune');
  CredentialStore.prototype.prune = function amortizedPrune() {
    const t = Date.now();
    if (this[LAST] !== undefined && t - this[LAST] < 1000) return;
    this[LAST] = t;
    prune.call(this);
  };
}

const hduhelp = await startHduhelpEmulator();
const zafu = await startZafuEmulator();
const ziqiang = await startZiqiangEmulator();
const ncuos = await startNcuosEmulator({ rateLimit: 0 }); // the login page's 60/min per IP would stop the bench
const disabledAid = await startDisabledAidEmulator();
const emulators = { hduhelp, zafu, ziqiang, ncuos, 'disabled-aid': disabledAid };

const users = {
  hduhelp: HDUHELP_USERS.map((u) => ({ id: u.userId, name: u.staffName })),
  zafu: ZAFU_USERS.map((u) => ({ id: u.id, name: u.name })),
  ziqiang: ziqiang.users.filter((u) => u.certified && u.active !== false && !u.gone).map((u) => ({ id: u.id, name: u.name })),
  ncuos: ncuos.users.filter((u) => u.groups.length > 0 && !u.noIdentity).map((u) => ({ id: u.id, name: u.name })),
  'disabled-aid': DISABLED_AID_USERS.filter((u) => u.side === 'governance' && u.roleIds.length > 0).map((u) => ({
    id: u.useruuid,
    name: u.username,
  })),
};

/** disabled-aid platform sessions minted since the last `end` (ended then). */
let stokens = [];

/** One fresh callback query string for `flow`, logging in as `user`. */
function mintOne(flow, user, redirect) {
  switch (flow) {
    case 'hduhelp': {
      const code = hduhelp.issueCode({ userId: user.id, state: FIXED_STATE, redirectUri: redirect });
      return `code=${code}&state=${FIXED_STATE}`;
    }
    case 'zafu': {
      const back = new URL(
        zafu.authorize({ userId: user.id, clientId: ZAFU_DEFAULT_APP.clientId, redirectUri: redirect, state: FIXED_STATE }),
      );
      return back.search.slice(1);
    }
    case 'ziqiang':
      return `code=${ziqiang.issueCode(user.id)}&state=${FIXED_STATE}`;
    case 'ncuos':
      return `token=${encodeURIComponent(ncuos.issueLoginToken(user.id))}`;
    case 'disabled-aid': {
      const stoken = disabledAid.issueStoken(user.id);
      stokens.push(stoken);
      return `stoken=${stoken}`;
    }
    default:
      throw new Error(`no flow "${flow}"`);
  }
}

let turn = 0;
const control = createServer((req, res) => {
  const url = new URL(req.url, 'http://x');
  if (url.pathname !== '/mint') return void res.writeHead(404).end();
  const flow = url.searchParams.get('flow');
  const n = Number(url.searchParams.get('n') ?? 1);
  const redirect = url.searchParams.get('redirect') ?? 'http://127.0.0.1/callback';
  const pinned = url.searchParams.get('user');
  const list = users[flow];
  if (!list || !Number.isInteger(n) || n < 1 || n > 200_000) return void res.writeHead(400).end();
  const items = new Array(n);
  const names = new Array(n);
  try {
    for (let i = 0; i < n; i++) {
      const user = list[pinned !== null ? Number(pinned) % list.length : turn++ % list.length];
      items[i] = mintOne(flow, user, redirect);
      names[i] = user.name;
    }
  } catch (err) {
    return void res.writeHead(500, { 'content-type': 'text/plain' }).end(String(err?.stack ?? err));
  }
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ items, names }));
});
await new Promise((resolve) => control.listen(0, '127.0.0.1', resolve));

// Requests each emulator saw: the emulators record every request; move the records into counters
// often, so the record list stays short.
const counts = Object.fromEntries(Object.keys(emulators).map((k) => [k, 0]));
function flush() {
  for (const [name, emu] of Object.entries(emulators)) {
    counts[name] += emu.requests.length;
    emu.clearRequests();
  }
}
const flusher = setInterval(flush, 250);

let cpu0 = process.cpuUsage();
// the orchestrator is gone (it stopped, or crashed before it could say so): so is this process
process.on('disconnect', () => process.exit(0));
process.on('message', async (msg) => {
  if (msg.type === 'begin') {
    flush();
    for (const k of Object.keys(counts)) counts[k] = 0;
    cpu0 = process.cpuUsage();
    process.send({ id: msg.id });
  } else if (msg.type === 'end') {
    flush();
    const cpu = process.cpuUsage(cpu0);
    const requests = { ...counts };
    // forget what the round left: ZAFU's user and refresh tokens (which never expire there), the
    // platform sessions behind the stokens handed out
    zafu.reset();
    for (const s of stokens) disabledAid.endSession(s);
    stokens = [];
    process.send({ id: msg.id, requests, cpuUs: cpu.user + cpu.system, rss: process.memoryUsage().rss });
  } else if (msg.type === 'exit') {
    clearInterval(flusher);
    control.close();
    await Promise.all(Object.values(emulators).map((e) => e.close()));
    process.exit(0);
  }
});

process.send({
  type: 'ready',
  control: `http://127.0.0.1:${control.address().port}`,
  urls: Object.fromEntries(Object.entries(emulators).map(([k, e]) => [k, e.url])),
  apps: {
    hduhelp: { clientID: HDUHELP_CLIENT_ID, clientSecret: HDUHELP_CLIENT_SECRET },
    zafu: { clientID: ZAFU_DEFAULT_APP.clientId, clientSecret: ZAFU_DEFAULT_APP.clientSecret },
    ziqiang: { appKey: ZIQIANG_APP.appKey, appSecret: ZIQIANG_APP.appSecret },
    ncuos: { appCode: DEFAULT_APP_CODE, appSecret: DEFAULT_APP_SECRET },
    'disabled-aid': { appID: DEFAULT_APP_ID },
  },
});
