// Full logins through each strategy against its emulator, over real HTTP on 127.0.0.1.
//
// One Express app (express-session + passport, as a real app would mount them) hosts every
// strategy of the platform registry that has a case below. Each measured call is one complete
// login of a fresh "browser" (its own cookie):
//
//   start    GET /auth/<name>                 → 302 to the platform, state kept in the session
//   platform the emulator's test helper stands in for the user clicking "log in" on its page
//            (issueCode / issueLoginToken / issueStoken / authorize): no HTML is rendered
//   callback GET /auth/<name>/callback?…       → strategy exchanges the credential with the emulator,
//            builds the profile, calls verify, passport logs the user in; the route answers the
//            user as JSON and destroys the session (so the MemoryStore does not grow)
//
// Every round checks the logged-in user is the seeded user it logged in as, and throws otherwise.
import { createServer } from 'node:http';
import express from 'express';
import session from 'express-session';
import passport from 'passport';
import { emulators as registry } from '@campus-passport/mock-platforms';
import { HDUHELP_CLIENT_ID, HDUHELP_CLIENT_SECRET, startHduhelpEmulator } from '@campus-passport/mock-platforms/hduhelp';
import { ZIQIANG_APP, startZiqiangEmulator } from '@campus-passport/mock-platforms/ziqiang';
import { DEFAULT_APP_CODE, DEFAULT_APP_SECRET, startNcuosEmulator } from '@campus-passport/mock-platforms/ncuos';
import { DEFAULT_APP_ID, DISABLED_AID_USERS, startDisabledAidEmulator } from '@campus-passport/mock-platforms/disabled-aid';
import { ZAFU_DEFAULT_APP, ZAFU_USERS, startZafuEmulator } from '@campus-passport/mock-platforms/zafu';

const fetch = globalThis.fetch;

/** The emulators record every request; drop them now and then so the heap column means something. */
function trim(emu) {
  if (emu.requests.length > 512) emu.clearRequests();
}

async function drain(res) {
  await res.arrayBuffer();
  return res;
}

function cookieOf(res) {
  const set = res.headers.get('set-cookie');
  if (!set) throw new Error(`bench: ${res.url} set no session cookie`);
  return set.split(';')[0];
}

const pick = (list, i) => list[i % list.length];

/**
 * One login case per platform, by registry name: `start()` its emulator, build its `strategy` from
 * the package (imported by the registry's package name) pointed at the emulator, and `run` the
 * measured logins. `app` has `start(name, platformURL)` and `callback(platform, url, cookie, name)`.
 */
function loginCases({ measure, calls }) {
  return {
    // HDU Helper classic: state + code → /oauth/token → /salmon_base/person/info
    hduhelp: {
      start: () => startHduhelpEmulator(),
      strategy: ({ HduHelpStrategy }, hdu, verify) =>
        new HduHelpStrategy(
          {
            clientID: HDUHELP_CLIENT_ID,
            clientSecret: HDUHELP_CLIENT_SECRET,
            baseURL: hdu.url,
            callbackURL: '/auth/hduhelp/callback',
          },
          verify,
        ),
      run: (hdu, app) =>
        measure('login: hduhelp (classic OAuth)', calls, async (i) => {
          trim(hdu);
          const user = pick(hdu.users, i);
          const { location, cookie } = await app.start('hduhelp', `${hdu.url}/oauth/authorize?`);
          const redirectUri = location.searchParams.get('redirect_uri');
          const state = location.searchParams.get('state');
          const code = hdu.issueCode({ userId: user.userId, redirectUri, state });
          const back = new URL(redirectUri);
          back.searchParams.set('code', code);
          back.searchParams.set('state', state);
          await app.callback('hduhelp', back, cookie, user.staffName);
        }),
    },

    // Ziqiang: state + code → /sso/union-id/ → /users/{union_id}/?detail=true (app token cached)
    ziqiang: {
      start: () => startZiqiangEmulator(),
      strategy: ({ ZiqiangStrategy }, zq, verify) =>
        new ZiqiangStrategy(
          {
            appKey: ZIQIANG_APP.appKey,
            appSecret: ZIQIANG_APP.appSecret,
            baseURL: zq.url,
            callbackURL: '/auth/ziqiang/callback',
          },
          verify,
        ),
      run: (zq, app) => {
        const zqUsers = zq.users.filter((u) => u.certified && u.active !== false && !u.gone);
        return measure('login: ziqiang (code → union id)', calls, async (i) => {
          trim(zq);
          const user = pick(zqUsers, i);
          const { location, cookie } = await app.start('ziqiang', `${zq.url}/login?`);
          const back = new URL(location.searchParams.get('redirect-uri'));
          back.searchParams.set('code', zq.issueCode(user.id));
          back.searchParams.set('state', location.searchParams.get('state'));
          await app.callback('ziqiang', back, cookie, user.name);
        });
      },
    },

    // NCUOS: no state; ?token= → signed POST /api/v1/public/login/verify (refresh_token mode)
    ncuos: {
      start: () => startNcuosEmulator({ rateLimit: 0 }), // 60/min per IP would stop the bench
      strategy: ({ NcuosStrategy }, ncu, verify) =>
        new NcuosStrategy({ appCode: DEFAULT_APP_CODE, appSecret: DEFAULT_APP_SECRET, baseURL: ncu.url }, verify),
      run: (ncu, app) => {
        const ncuUsers = ncu.users.filter((u) => u.groups.length > 0 && !u.noIdentity);
        return measure('login: ncuos (signed token verify)', calls, async (i) => {
          trim(ncu);
          const user = pick(ncuUsers, i);
          await app.start('ncuos', `${ncu.url}/?`);
          const token = ncu.issueLoginToken(user.id);
          await app.callback('ncuos', `${app.base}/auth/ncuos/callback?token=${encodeURIComponent(token)}`, undefined, user.name);
        });
      },
    },

    // Disabled-aid: the portal opens the app with ?stoken= → userbytoken, then roleset + permits
    'disabled-aid': {
      start: () => startDisabledAidEmulator(),
      strategy: ({ DisabledAidStrategy }, da, verify) =>
        new DisabledAidStrategy({ baseURL: da.url, appId: DEFAULT_APP_ID, fetchRoles: true, fetchPermissions: true }, verify),
      run: (da, app) => {
        const daUsers = DISABLED_AID_USERS.filter((u) => u.side === 'governance' && u.roleIds.length > 0);
        return measure('login: disabled-aid (stoken+roles)', calls, async (i) => {
          trim(da);
          const user = pick(daUsers, i);
          const stoken = da.issueStoken(user.useruuid);
          await app.callback(
            'disabled-aid',
            `${app.base}/auth/disabled-aid/callback?stoken=${stoken}`,
            undefined,
            user.username,
            (u) => u.roles > 0,
          );
          da.endSession(stoken);
        });
      },
    },

    // ZAFU: state + code → POST /oauth/token → GET /oauth/userinfo
    zafu: {
      start: () => startZafuEmulator(),
      strategy: ({ ZafuStrategy }, zafu, verify) =>
        new ZafuStrategy(
          {
            clientID: ZAFU_DEFAULT_APP.clientId,
            clientSecret: ZAFU_DEFAULT_APP.clientSecret,
            baseURL: zafu.url,
            callbackURL: '/auth/zafu/callback',
          },
          verify,
        ),
      run: (zafu, app) =>
        measure('login: zafu (OAuth 2.0 code)', calls, async (i) => {
          trim(zafu);
          const user = pick(ZAFU_USERS, i);
          const { location, cookie } = await app.start('zafu', `${zafu.url}/oauth/authorize?`);
          const back = zafu.authorize({
            userId: user.id,
            clientId: location.searchParams.get('client_id'),
            redirectUri: location.searchParams.get('redirect_uri'),
            state: location.searchParams.get('state') ?? undefined,
            scope: location.searchParams.get('scope') ?? undefined,
          });
          await app.callback('zafu', back, cookie, user.name);
        }),
    },
  };
}

export async function loginBenches({ measure, calls }) {
  // The platforms come from the registry, in its order; each needs a case above. A registered
  // platform without one is named and skipped.
  const cases = loginCases({ measure, calls });
  const missing = registry.filter((e) => !cases[e.name]).map((e) => e.name);
  if (missing.length) console.log(`bench: no login case for ${missing.join(', ')} (add one in bench/logins.mjs)`);
  const active = registry.filter((e) => cases[e.name]);
  const modules = await Promise.all(active.map((e) => import(e.packageName))); // the built ESM entries: `pnpm build` first

  const emulators = [];
  const running = {};
  try {
    for (const e of active) {
      running[e.name] = await cases[e.name].start();
      emulators.push(running[e.name]);
    }
  } catch (err) {
    await Promise.all(emulators.map((emu) => emu.close()));
    throw err;
  }

  const verify = async (credentials, profile) => {
    if (!credentials || !profile?.id) return false;
    const user = { provider: profile.provider, id: String(profile.id), name: profile.displayName };
    if (profile.roles) user.roles = profile.roles.length;
    return user;
  };

  const auth = new passport.Passport();
  auth.serializeUser((user, done) => done(null, user));
  auth.deserializeUser((user, done) => done(null, user));
  const app = express();
  app.use(session({ name: 'bench.sid', secret: 'bench-session-secret', resave: false, saveUninitialized: false }));
  app.use(auth.initialize());
  app.use(auth.session());
  active.forEach((e, i) => {
    const name = e.name;
    auth.use(name, cases[name].strategy(modules[i], running[name], verify));
    app.get(`/auth/${name}`, auth.authenticate(name, { failWithError: true }));
    app.get(`/auth/${name}/callback`, auth.authenticate(name, { failWithError: true }), (req, res, next) => {
      const user = req.user;
      req.session.destroy((err) => (err ? next(err) : res.json(user)));
    });
  });
  app.use((err, _req, res, _next) => {
    res.status(err.status ?? 500).json({ error: err.code ?? err.name, message: err.message });
  });
  const server = createServer(app);
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const base = `http://127.0.0.1:${server.address().port}`;

  /** GET /auth/<name>: a 302 to `platformURL` (an emulator page), with the state in the session. */
  async function start(name, platformURL) {
    const res = await drain(await fetch(`${base}/auth/${name}`, { redirect: 'manual' }));
    const location = res.headers.get('location');
    if (res.status !== 302 || !location?.startsWith(platformURL))
      throw new Error(`bench ${name}: start answered ${res.status} → ${location}`);
    return { location: new URL(location), cookie: res.headers.has('set-cookie') ? cookieOf(res) : undefined };
  }

  /** GET the callback; expect the logged-in user `name`. */
  async function callback(platform, url, cookie, expectedName, check = () => true) {
    const res = await fetch(url, { redirect: 'manual', headers: cookie ? { cookie } : {} });
    const body = await res.text();
    let user;
    try {
      user = JSON.parse(body);
    } catch {
      user = undefined;
    }
    if (res.status !== 200 || user?.provider !== platform || user.name !== expectedName || !user.id || !check(user))
      throw new Error(`bench ${platform}: login failed: HTTP ${res.status} ${body.slice(0, 300)} (expected ${expectedName})`);
  }

  try {
    for (const e of active) await cases[e.name].run(running[e.name], { base, start, callback });
  } finally {
    await new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
    await Promise.all(emulators.map((e) => e.close()));
  }
}
