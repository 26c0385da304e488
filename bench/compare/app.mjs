// The app process of `pnpm bench:compare`: one Express app — express-session (MemoryStore) +
// passport, as a real app mounts them — with every variant of every flow on its own route
// (flows.mjs). Every variant ends the same way: `req.login(user)` (session regenerate + save),
// then the session is destroyed (so the MemoryStore does not grow) and the user is answered as
// JSON `{provider, id, name}`. Any error answers 500 and is counted.
//
// Driven over IPC by compare.mjs: `collect` forces a GC before a round's lead-in; `begin` / `end`
// measure this process's CPU (process.cpuUsage) around the round's measured part; `mem` reports
// RSS and heap after a forced GC (run with --expose-gc).
import { createHash } from 'node:crypto';
import { writeSync } from 'node:fs';
import { subscribe } from 'node:diagnostics_channel';
import { Agent as HttpAgent, createServer } from 'node:http';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import axios from 'axios';
import express from 'express';
import session from 'express-session';
import passport from 'passport';
import OAuth2Strategy from 'passport-oauth2';
import { Pool } from 'undici';
import { DisabledAidStrategy } from '@campus-passport/disabled-aid';
import { HduHelpStrategy } from '@campus-passport/hduhelp';
import { NcuosStrategy } from '@campus-passport/ncuos';
import { ZafuStrategy } from '@campus-passport/zafu';
import { ZiqiangStrategy } from '@campus-passport/ziqiang';
import { FIXED_STATE, FLOWS, callbackPath } from './flows.mjs';

const { fetch, AbortSignal } = globalThis;
const { urls, apps } = JSON.parse(process.env.BENCH_PLATFORMS);
const TIMEOUT = 10_000;

// ---------------------------------------------------------------------------------------------
// The app

const auth = new passport.Passport();
auth.serializeUser((user, done) => done(null, user));
auth.deserializeUser((user, done) => done(null, user));

const app = express();
app.use(session({ name: 'bench.sid', secret: 'bench-session-secret', resave: false, saveUninitialized: false }));
app.use(auth.initialize());
app.use(auth.session());

let failures = 0;
const failureSamples = [];

/** The end of every login: the user is in req.user; destroy the session, answer the user. */
function answerUser(req, res, next) {
  const user = req.user;
  req.session.destroy((err) => (err ? next(err) : res.json(user)));
}

/** A hand-written handler's end: req.login(), then the same answer. */
function logIn(req, res, next, user) {
  req.login(user, (err) => (err ? next(err) : answerUser(req, res, next)));
}

/** The verify every strategy of ours gets (the same user shape every variant builds). */
const verify = async (_credentials, profile) => ({
  provider: profile.provider,
  id: String(profile.id),
  name: profile.displayName,
});

/** Our strategies' state store: issues and accepts only FIXED_STATE (see flows.mjs). */
const fixedStateStore = {
  issue: async () => FIXED_STATE,
  consume: async (_req, state) =>
    state === FIXED_STATE ? { ok: true, data: {} } : { ok: false, reason: 'unknown', message: 'not the bench state' },
};

/** A callback's state check in the hand-written handlers. */
function stateOk(req, res) {
  if (req.query.state === FIXED_STATE) return true;
  res.status(403).json({ error: 'state' });
  return false;
}

/** A hand-written route: run `login(req)` for the user, then req.login(). */
function handwritten(path, login) {
  app.get(path, async (req, res, next) => {
    let user;
    try {
      user = await login(req, res);
    } catch (err) {
      return next(err);
    }
    if (user) logIn(req, res, next, user);
  });
}

/** One of our strategies on its route. */
function ours(path, name, strategy) {
  auth.use(name, strategy);
  app.get(path, auth.authenticate(name, { failWithError: true }), answerUser);
}

/**
 * Our strategy of each flow, as the app mounts it, from a set of strategy classes — this build's,
 * or a baseline build's (`--baseline`): the same options either way.
 */
const OURS = {
  hduhelp: (S, path) =>
    new S.HduHelpStrategy({ ...apps.hduhelp, baseURL: urls.hduhelp, callbackURL: path, stateStore: fixedStateStore }, verify),
  zafu: (S, path) =>
    new S.ZafuStrategy({ ...apps.zafu, baseURL: urls.zafu, callbackURL: path, stateStore: fixedStateStore }, verify),
  ziqiang: (S, path) =>
    new S.ZiqiangStrategy({ ...apps.ziqiang, baseURL: urls.ziqiang, callbackURL: path, stateStore: fixedStateStore }, verify),
  ncuos: (S) => new S.NcuosStrategy({ ...apps.ncuos, baseURL: urls.ncuos }, verify),
  'disabled-aid': (S) =>
    new S.DisabledAidStrategy(
      { baseURL: urls['disabled-aid'], appID: apps['disabled-aid'].appID, fetchRoles: true, fetchPermissions: true },
      verify,
    ),
};
const THIS_BUILD = { HduHelpStrategy, ZafuStrategy, ZiqiangStrategy, NcuosStrategy, DisabledAidStrategy };

/** The strategy classes of a baseline checkout (`--baseline <dir>`: its packages built). */
async function baselineClasses(dir) {
  const load = (pkg) => import(pathToFileURL(join(dir, 'packages', pkg, 'dist', 'index.js')).href);
  const [h, z, q, n, d] = await Promise.all(
    ['strategy-hduhelp', 'strategy-zafu', 'strategy-ziqiang', 'strategy-ncuos', 'strategy-disabled-aid'].map(load),
  );
  return {
    HduHelpStrategy: h.HduHelpStrategy,
    ZafuStrategy: z.ZafuStrategy,
    ZiqiangStrategy: q.ZiqiangStrategy,
    NcuosStrategy: n.NcuosStrategy,
    DisabledAidStrategy: d.DisabledAidStrategy,
  };
}
const BASELINE = process.env.BENCH_BASELINE ? await baselineClasses(process.env.BENCH_BASELINE) : undefined;

// ---------------------------------------------------------------------------------------------
// The HTTP clients of the hand-written handlers: each a minimal `call(method, path, options)` →
// { status, body } (JSON), as a person writing the handler by hand would do it.

/** undici Pool (keep-alive, per-connection header/body timeouts). */
function undiciClient(origin) {
  const pool = new Pool(origin, { connections: 128, headersTimeout: TIMEOUT, bodyTimeout: TIMEOUT, keepAliveTimeout: 10_000 });
  return async (method, path, { headers, body } = {}) => {
    const res = await pool.request({ method, path, headers, body });
    return { status: res.statusCode, body: await res.body.json() };
  };
}

/** Global fetch (undici inside Node), with a timeout signal per call. */
function fetchClient(origin) {
  return async (method, path, { headers, body } = {}) => {
    const res = await fetch(origin + path, { method, headers, body, signal: AbortSignal.timeout(TIMEOUT) });
    return { status: res.status, body: await res.json() };
  };
}

/** axios with a keep-alive agent. */
function axiosClient(origin) {
  const instance = axios.create({
    baseURL: origin,
    timeout: TIMEOUT,
    httpAgent: new HttpAgent({ keepAlive: true, maxSockets: 128 }),
    validateStatus: () => true,
  });
  return async (method, path, { headers, body } = {}) => {
    const res = await instance.request({ method, url: path, headers, data: body });
    return { status: res.status, body: res.data };
  };
}

const CLIENTS = { undici: undiciClient, fetch: fetchClient, axios: axiosClient };
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const JSON_TYPE = { 'content-type': 'application/json' };

function expect(ok, what, res) {
  if (!ok) throw new Error(`${what}: HTTP ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
}

// ---------------------------------------------------------------------------------------------
// HDU Helper classic: GET /oauth/token (the secret in the query) → GET /salmon_base/person/info

function hduHandler(call) {
  const { clientID, clientSecret } = apps.hduhelp;
  return async (req, res) => {
    const { code } = req.query;
    if (typeof code !== 'string' || !stateOk(req, res)) return undefined;
    const query = new URLSearchParams({
      client_id: clientID,
      client_secret: clientSecret,
      grant_type: 'authorization_code',
      code,
      state: req.query.state,
    });
    const token = await call('GET', `/oauth/token?${query}`);
    expect(token.status === 200 && token.body?.error === 0, 'hduhelp token', token);
    const { access_token: accessToken, user_id: userId } = token.body.data;
    const person = await call('GET', '/salmon_base/person/info', { headers: { authorization: `token ${accessToken}` } });
    expect(person.status === 200 && person.body?.error === 0, 'hduhelp person', person);
    return { provider: 'hduhelp', id: String(userId ?? person.body.data.staffId), name: person.body.data.staffName };
  };
}

// passport-oauth2 cannot do classic HDU: its token call is always a POST (the platform serves
// only GET /oauth/token, with the secret in the query) and it reads `access_token` from the top
// level (HDU wraps it in {error, msg, data}). No passport-oauth2 variant for hduhelp.

// ---------------------------------------------------------------------------------------------
// ZAFU: POST /oauth/token (form, client_secret in the body) → GET /oauth/userinfo (Bearer)

const ZAFU_CALLBACK = (variant) => callbackPath('zafu', variant);

function zafuHandler(call, variant) {
  const { clientID, clientSecret } = apps.zafu;
  return async (req, res) => {
    const { code } = req.query;
    if (typeof code !== 'string' || !stateOk(req, res)) return undefined;
    const redirectUri = `${req.protocol}://${req.headers.host}${ZAFU_CALLBACK(variant)}`;
    const form = new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirectUri,
      client_id: clientID,
      client_secret: clientSecret,
    });
    const token = await call('POST', '/oauth/token', { headers: FORM, body: form.toString() });
    expect(token.status === 200 && token.body?.access_token, 'zafu token', token);
    const info = await call('GET', '/oauth/userinfo', { headers: { authorization: `Bearer ${token.body.access_token}` } });
    expect(info.status === 200 && info.body?.id !== undefined, 'zafu userinfo', info);
    return { provider: 'zafu', id: String(info.body.id), name: info.body.name };
  };
}

// passport-oauth2 as its users mount it: token call by node-oauth, userProfile over its `get`
{
  const strategy = new OAuth2Strategy(
    {
      authorizationURL: `${urls.zafu}/oauth/authorize`,
      tokenURL: `${urls.zafu}/oauth/token`,
      clientID: apps.zafu.clientID,
      clientSecret: apps.zafu.clientSecret,
      callbackURL: ZAFU_CALLBACK('passport-oauth2'),
      // the same fixed state as every variant (passport-oauth2's store interface)
      store: {
        store: (_req, _verifier, _state, _meta, cb) => cb(null, FIXED_STATE),
        verify: (_req, state, cb) => cb(null, state === FIXED_STATE, state === FIXED_STATE ? undefined : { message: 'state' }),
      },
    },
    (_accessToken, _refreshToken, profile, done) =>
      done(null, { provider: profile.provider, id: String(profile.id), name: profile.displayName }),
  );
  strategy._oauth2.useAuthorizationHeaderforGET(true);
  strategy.userProfile = function userProfile(accessToken, done) {
    this._oauth2.get(`${urls.zafu}/oauth/userinfo`, accessToken, (err, body) => {
      if (err) return done(new Error(`zafu userinfo: ${err.statusCode}`));
      let json;
      try {
        json = JSON.parse(body);
      } catch (e) {
        return done(e);
      }
      done(null, { provider: 'zafu', id: String(json.id), displayName: json.name, _raw: body, _json: json });
    });
  };
  auth.use('zafu-passport-oauth2', strategy);
  app.get(ZAFU_CALLBACK('passport-oauth2'), auth.authenticate('zafu-passport-oauth2', { failWithError: true }), answerUser);
}

// ---------------------------------------------------------------------------------------------
// Ziqiang: POST /sso/union-id/ {code} → GET /users/{union_id}/?detail=true, with the app token
// (POST /auth/apps/) fetched once and kept until it expires

function ziqiangHandler(call) {
  let appToken; // { access, exp }
  let pending;
  const token = async () => {
    if (appToken && appToken.exp - 60_000 > Date.now()) return appToken.access;
    pending ??= call('POST', '/auth/apps/', {
      headers: JSON_TYPE,
      body: JSON.stringify({ app_key: apps.ziqiang.appKey, app_secret: apps.ziqiang.appSecret }),
    }).finally(() => (pending = undefined));
    const res = await pending;
    expect(res.status === 200 && res.body?.code === '00000', 'ziqiang app login', res);
    appToken = { access: res.body.data.access, exp: Date.parse(res.body.data.expire_time) };
    return appToken.access;
  };
  return async (req, res) => {
    const { code } = req.query;
    if (typeof code !== 'string' || !stateOk(req, res)) return undefined;
    const authorization = `Bearer ${await token()}`;
    const union = await call('POST', '/sso/union-id/', {
      headers: { ...JSON_TYPE, authorization },
      body: JSON.stringify({ code }),
    });
    expect(union.status === 200 && union.body?.code === '00000', 'ziqiang union id', union);
    const unionId = union.body.data.union_id;
    const user = await call('GET', `/users/${unionId}/?detail=true`, { headers: { authorization } });
    expect(user.status === 200 && user.body?.code === '00000' && user.body.data.is_certified, 'ziqiang user', user);
    return { provider: 'ziqiang', id: unionId, name: user.body.data.name };
  };
}

// ---------------------------------------------------------------------------------------------
// NCUOS: one signed POST /api/v1/public/login/verify (refresh_token mode, the strategy's default)

/** GeniusAuth's signature: fields + appSecret, keys sorted, k=v joined with &, SHA-256 hex. */
function ncuosSign(fields) {
  const all = { ...fields, appSecret: apps.ncuos.appSecret };
  const base = Object.keys(all)
    .sort()
    .map((k) => `${k}=${all[k]}`)
    .join('&');
  return createHash('sha256').update(base).digest('hex');
}

function ncuosHandler(call) {
  return async (req) => {
    const { token } = req.query;
    if (typeof token !== 'string') throw new Error('ncuos: no token');
    const fields = { token, grantType: 'refresh_token', appCode: apps.ncuos.appCode, timeStamp: Math.floor(Date.now() / 1000) };
    const body = JSON.stringify({ ...fields, signature: ncuosSign(fields) });
    const res = await call('POST', '/api/v1/public/login/verify', { headers: JSON_TYPE, body });
    expect(res.status === 200 && res.body?.code === 0, 'ncuos verify', res);
    return { provider: 'ncuos', id: String(res.body.data.userID), name: res.body.data.name };
  };
}

// ---------------------------------------------------------------------------------------------
// disabled-aid: POST userbytoken {stoken} → roleset + permits {aid, uid, uac} in parallel

function disabledAidHandler(call) {
  const aid = apps['disabled-aid'].appID;
  return async (req) => {
    const { stoken } = req.query;
    if (typeof stoken !== 'string') throw new Error('disabled-aid: no stoken');
    const user = await call('POST', '/acis/udsa/userbytoken', {
      headers: FORM,
      body: new URLSearchParams({ stoken }).toString(),
    });
    expect(user.status === 200 && user.body?.success === true, 'disabled-aid user', user);
    const { useruuid, username, areacode } = user.body.data;
    const form = new URLSearchParams({ aid, uid: useruuid, uac: areacode ?? '' }).toString();
    const [roles, permits] = await Promise.all([
      call('POST', '/acis/udsa/roleset', { headers: FORM, body: form }),
      call('POST', '/acis/udsa/permits', { headers: FORM, body: form }),
    ]);
    expect(roles.status === 200 && roles.body?.success === true, 'disabled-aid roleset', roles);
    expect(permits.status === 200 && permits.body?.success === true, 'disabled-aid permits', permits);
    return { provider: 'disabled-aid', id: useruuid, name: username };
  };
}

// ---------------------------------------------------------------------------------------------
// The hand-written variants and the ceiling of every flow

const HANDLERS = {
  hduhelp: hduHandler,
  zafu: zafuHandler,
  ziqiang: ziqiangHandler,
  ncuos: ncuosHandler,
  'disabled-aid': disabledAidHandler,
};

for (const flow of FLOWS) {
  for (const variant of BASELINE ? [...flow.variants, 'baseline'] : flow.variants) {
    const path = callbackPath(flow.name, variant);
    if (variant === 'ours') ours(path, flow.name, OURS[flow.name](THIS_BUILD, path));
    else if (variant === 'baseline') ours(path, `${flow.name}-baseline`, OURS[flow.name](BASELINE, path));
    else if (CLIENTS[variant]) handwritten(path, HANDLERS[flow.name](CLIENTS[variant](urls[flow.name]), variant));
    else if (variant === 'ceiling')
      // only req.login(): the cost of the app around any login (session, passport, the answer)
      app.get(path, (req, res, next) => logIn(req, res, next, { provider: flow.name, id: '1', name: 'ceiling' }));
    else if (variant === 'passport-ceiling') {
      // a Passport strategy that succeeds at once: what passport.authenticate() adds to req.login()
      const user = { provider: flow.name, id: '1', name: 'ceiling' };
      const strategy = new passport.Strategy();
      strategy.authenticate = function authenticate() {
        this.success(user);
      };
      auth.use(`${flow.name}-passport-ceiling`, strategy);
      app.get(path, auth.authenticate(`${flow.name}-passport-ceiling`, { failWithError: true }), answerUser);
    }
  }
}

app.use((err, _req, res, _next) => {
  failures++;
  if (failureSamples.length < 5) failureSamples.push(String(err?.stack ?? err).slice(0, 600));
  res.status(err.status ?? 500).json({ error: err.code ?? err.name, message: err.message });
});

const server = createServer({ keepAliveTimeout: 30_000 }, app);
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));

// ---------------------------------------------------------------------------------------------
// IPC

let cpu0 = process.cpuUsage();
function memory() {
  globalThis.gc?.();
  globalThis.gc?.();
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external };
}
// the orchestrator is gone (it stopped, or crashed before it could say so): so is this process
process.on('disconnect', () => process.exit(0));
// connections the app opens to the platforms (keep-alive reuse: ideally none after the warm-up)
let sockets = 0;
subscribe('net.client.socket', () => sockets++);
// --trace-jit: a mark in V8's trace (this process's stdout) at each phase of a round
const mark = process.env.BENCH_TRACE_JIT ? (text) => writeSync(1, `### ${text}\n`) : () => {};
process.on('message', (msg) => {
  if (msg.type === 'collect') {
    mark(`lead ${msg.flow} ${msg.variant}`);
    // the garbage the rounds before left is collected here, before the round's lead-in and
    // outside every measurement
    globalThis.gc?.();
    process.send({ id: msg.id });
  } else if (msg.type === 'begin') {
    mark('measure');
    sockets = 0;
    failures = 0;
    failureSamples.length = 0;
    cpu0 = process.cpuUsage();
    // `at`: the monotonic clock of a CPU profile's timestamps, µs (top.mjs --windows splits by it)
    process.send({ id: msg.id, at: Number(process.hrtime.bigint() / 1000n) });
  } else if (msg.type === 'end') {
    const cpu = process.cpuUsage(cpu0);
    mark('end');
    process.send({
      id: msg.id,
      at: Number(process.hrtime.bigint() / 1000n),
      cpuUs: cpu.user + cpu.system,
      sockets,
      failures,
      failureSamples: [...failureSamples],
    });
  } else if (msg.type === 'mem') {
    process.send({ id: msg.id, ...memory() });
  } else if (msg.type === 'exit') {
    server.close();
    server.closeAllConnections();
    // a plain exit, so that --cpu-prof writes its profile
    setTimeout(() => process.exit(0), 0);
  }
});

process.send({ type: 'ready', base: `http://127.0.0.1:${server.address().port}` });
