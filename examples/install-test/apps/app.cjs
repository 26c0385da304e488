// A new user's CommonJS app, copied into a fresh folder as app.js next to the npm-installed tarballs
// (see ../test/install.test.ts): every published package loads by name with require(), then an
// Express app signs in with HDU Helper against the emulator from @campus-passport/mock-platforms.
// Prints one JSON line when it listens; the test walks the login through HTTP.
'use strict';
const express = require('express');
const session = require('express-session');
const passport = require('passport');
const { isCampusAuthError } = require('@campus-passport/core');
const { HduHelpStrategy } = require('@campus-passport/hduhelp');
const { HDUHELP_CLIENT_ID, HDUHELP_CLIENT_SECRET, startHduhelpEmulator } = require('@campus-passport/mock-platforms/hduhelp');

// every module the test names (APP_MODULES, a JSON list), loaded by name: { id: { export: typeof } }
const loaded = {};
for (const id of JSON.parse(process.env.APP_MODULES || '[]')) {
  const m = require(id);
  loaded[id] = Object.fromEntries(Object.keys(m).map((k) => [k, typeof m[k]]));
}

async function main() {
  const emulator = await startHduhelpEmulator();
  passport.use(
    new HduHelpStrategy(
      { clientID: HDUHELP_CLIENT_ID, clientSecret: HDUHELP_CLIENT_SECRET, baseURL: emulator.url, callbackURL: '/callback' },
      async (_credentials, profile) => ({ provider: profile.provider, id: profile.id, name: profile.displayName }),
    ),
  );
  passport.serializeUser((user, done) => done(null, user));
  passport.deserializeUser((user, done) => done(null, user));

  const app = express();
  app.use(session({ secret: 'install-test', resave: false, saveUninitialized: false }));
  app.use(passport.initialize());
  app.use(passport.session());
  app.get('/login', passport.authenticate('hduhelp'));
  app.get('/callback', passport.authenticate('hduhelp', { failureRedirect: '/failed' }), (_req, res) => res.redirect('/me'));
  app.get('/me', (req, res) => res.json({ user: req.user || null }));
  app.get('/failed', (_req, res) => res.status(401).json({ failed: true }));
  app.use((err, _req, res, _next) =>
    res.status(500).json({ error: isCampusAuthError(err) ? err.code : 'not a CampusAuthError' }),
  );

  const server = app.listen(0, '127.0.0.1', () => {
    const versions = Object.fromEntries(
      ['express', 'passport', 'express-session'].map((p) => [p, require(`${p}/package.json`).version]),
    );
    const url = `http://127.0.0.1:${server.address().port}`;
    console.log(JSON.stringify({ url, emulator: emulator.url, versions, loaded }));
  });
  const stop = () => server.close(() => emulator.close().then(() => process.exit(0)));
  process.on('SIGTERM', stop);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
