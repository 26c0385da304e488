// Full logins through each strategy against its emulator, over real HTTP on 127.0.0.1.
//
// One Express app (express-session + passport, as a real app would mount them) hosts all five
// strategies. Each measured call is one complete login of a fresh "browser" (its own cookie):
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
import { HDUHELP_CLIENT_ID, HDUHELP_CLIENT_SECRET, startHduhelpEmulator } from '@campus-passport/mock-platforms/hduhelp';
import { ZIQIANG_APP, startZiqiangEmulator } from '@campus-passport/mock-platforms/ziqiang';
import { DEFAULT_APP_CODE, DEFAULT_APP_SECRET, startNcuosEmulator } from '@campus-passport/mock-platforms/ncuos';
import { DEFAULT_APP_ID, DISABLED_AID_USERS, startDisabledAidEmulator } from '@campus-passport/mock-platforms/disabled-aid';
import { ZAFU_DEFAULT_APP, ZAFU_USERS, startZafuEmulator } from '@campus-passport/mock-platforms/zafu';

const fetch = globalThis.fetch;

/** Import a strategy package by name (its built ESM entry: run `pnpm build` first). */
function importStrategy(name) {
  return import(`@campus-passport/${name}`);
}

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

export async function loginBenches({ measure, calls }) {
  const [{ HduHelpStrategy }, { ZiqiangStrategy }, { NcuosStrategy }, { DisabledAidStrategy }, { ZafuStrategy }] =
    await Promise.all(['hduhelp', 'ziqiang', 'ncuos', 'disabled-aid', 'zafu'].map(importStrategy));

  const hdu = await startHduhelpEmulator();
  const zq = await startZiqiangEmulator();
  const ncu = await startNcuosEmulator({ rateLimit: 0 }); // 60/min per IP would stop the bench
  const da = await startDisabledAidEmulator();
  const zafu = await startZafuEmulator();
  const emulators = [hdu, zq, ncu, da, zafu];

  const verify = async (credentials, profile) => {
    if (!credentials || !profile?.id) return false;
    const user = { provider: profile.provider, id: String(profile.id), name: profile.displayName };
    if (profile.roles) user.roles = profile.roles.length;
    return user;
  };
  const strategies = {
    hduhelp: new HduHelpStrategy(
      {
        clientID: HDUHELP_CLIENT_ID,
        clientSecret: HDUHELP_CLIENT_SECRET,
        baseURL: hdu.url,
        callbackURL: '/auth/hduhelp/callback',
      },
      verify,
    ),
    ziqiang: new ZiqiangStrategy(
      { appKey: ZIQIANG_APP.appKey, appSecret: ZIQIANG_APP.appSecret, baseURL: zq.url, callbackURL: '/auth/ziqiang/callback' },
      verify,
    ),
    ncuos: new NcuosStrategy({ appCode: DEFAULT_APP_CODE, appSecret: DEFAULT_APP_SECRET, baseURL: ncu.url }, verify),
    'disabled-aid': new DisabledAidStrategy(
      { baseURL: da.url, appId: DEFAULT_APP_ID, fetchRoles: true, fetchPermissions: true },
      verify,
    ),
    zafu: new ZafuStrategy(
      {
        clientID: ZAFU_DEFAULT_APP.clientId,
        clientSecret: ZAFU_DEFAULT_APP.clientSecret,
        baseURL: zafu.url,
        callbackURL: '/auth/zafu/callback',
      },
      verify,
    ),
  };

  const auth = new passport.Passport();
  auth.serializeUser((user, done) => done(null, user));
  auth.deserializeUser((user, done) => done(null, user));
  const app = express();
  app.use(session({ name: 'bench.sid', secret: 'bench-session-secret', resave: false, saveUninitialized: false }));
  app.use(auth.initialize());
  app.use(auth.session());
  for (const [name, strategy] of Object.entries(strategies)) {
    auth.use(name, strategy);
    app.get(`/auth/${name}`, auth.authenticate(name, { failWithError: true }));
    app.get(`/auth/${name}/callback`, auth.authenticate(name, { failWithError: true }), (req, res, next) => {
      const user = req.user;
      req.session.destroy((err) => (err ? next(err) : res.json(user)));
    });
  }
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

  const pick = (list, i) => list[i % list.length];

  try {
    // HDU Helper classic: state + code → /oauth/token → /salmon_base/person/info
    await measure('login: hduhelp (classic OAuth)', calls, async (i) => {
      trim(hdu);
      const user = pick(hdu.users, i);
      const { location, cookie } = await start('hduhelp', `${hdu.url}/oauth/authorize?`);
      const redirectUri = location.searchParams.get('redirect_uri');
      const state = location.searchParams.get('state');
      const code = hdu.issueCode({ userId: user.userId, redirectUri, state });
      const back = new URL(redirectUri);
      back.searchParams.set('code', code);
      back.searchParams.set('state', state);
      await callback('hduhelp', back, cookie, user.staffName);
    });

    // Ziqiang: state + code → /sso/union-id/ → /users/{union_id}/?detail=true (app token cached)
    const zqUsers = zq.users.filter((u) => u.certified && u.active !== false && !u.gone);
    await measure('login: ziqiang (code → union id)', calls, async (i) => {
      trim(zq);
      const user = pick(zqUsers, i);
      const { location, cookie } = await start('ziqiang', `${zq.url}/login?`);
      const back = new URL(location.searchParams.get('redirect-uri'));
      back.searchParams.set('code', zq.issueCode(user.id));
      back.searchParams.set('state', location.searchParams.get('state'));
      await callback('ziqiang', back, cookie, user.name);
    });

    // NCUOS: no state; ?token= → signed POST /api/v1/public/login/verify (refresh_token mode)
    const ncuUsers = ncu.users.filter((u) => u.groups.length > 0 && !u.noIdentity);
    await measure('login: ncuos (signed token verify)', calls, async (i) => {
      trim(ncu);
      const user = pick(ncuUsers, i);
      await start('ncuos', `${ncu.url}/?`);
      const token = ncu.issueLoginToken(user.id);
      await callback('ncuos', `${base}/auth/ncuos/callback?token=${encodeURIComponent(token)}`, undefined, user.name);
    });

    // Disabled-aid: the portal opens the app with ?stoken= → userbytoken, then roleset + permits
    const daUsers = DISABLED_AID_USERS.filter((u) => u.side === 'governance' && u.roleIds.length > 0);
    await measure('login: disabled-aid (stoken+roles)', calls, async (i) => {
      trim(da);
      const user = pick(daUsers, i);
      const stoken = da.issueStoken(user.useruuid);
      await callback(
        'disabled-aid',
        `${base}/auth/disabled-aid/callback?stoken=${stoken}`,
        undefined,
        user.username,
        (u) => u.roles > 0,
      );
      da.endSession(stoken);
    });

    // ZAFU: passport-oauth2 state + code → POST /oauth/token → GET /oauth/userinfo
    await measure('login: zafu (OAuth 2.0 code)', calls, async (i) => {
      trim(zafu);
      const user = pick(ZAFU_USERS, i);
      const { location, cookie } = await start('zafu', `${zafu.url}/oauth/authorize?`);
      const back = zafu.authorize({
        userId: user.id,
        clientId: location.searchParams.get('client_id'),
        redirectUri: location.searchParams.get('redirect_uri'),
        state: location.searchParams.get('state') ?? undefined,
        scope: location.searchParams.get('scope') ?? undefined,
      });
      await callback('zafu', back, cookie, user.name);
    });
  } finally {
    await new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
    await Promise.all(emulators.map((e) => e.close()));
  }
}
