// The smallest complete campus-passport app: sign in with HDU Helper (杭电助手), see who you are, sign out.
// With HDUHELP_CLIENT_ID and HDUHELP_CLIENT_SECRET set it talks to HDU Helper itself; without them, to the
// local emulator from @campus-passport/mock-platforms (pick a test user on its login page).
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import express from 'express';
import session from 'express-session';
import passport from 'passport';
import { HduHelpStrategy } from '@campus-passport/hduhelp';
import { HDUHELP_CLIENT_ID, HDUHELP_CLIENT_SECRET, startHduhelpEmulator } from '@campus-passport/mock-platforms/hduhelp';

interface User {
  id: string;
  name: string;
}
const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export async function start(env: NodeJS.ProcessEnv = process.env): Promise<{ url: string; close(): Promise<void> }> {
  const real = Boolean(env.HDUHELP_CLIENT_ID && env.HDUHELP_CLIENT_SECRET);
  const emulator = real ? undefined : await startHduhelpEmulator();
  passport.use(
    new HduHelpStrategy(
      {
        clientID: real ? env.HDUHELP_CLIENT_ID! : HDUHELP_CLIENT_ID,
        clientSecret: real ? env.HDUHELP_CLIENT_SECRET! : HDUHELP_CLIENT_SECRET,
        baseURL: emulator?.url, // undefined: the real platform
        callbackURL: '/auth/hduhelp/callback',
      },
      async (_credentials, profile): Promise<User> => ({ id: profile.id, name: profile.displayName }),
    ),
  );
  passport.serializeUser((user, done) => done(null, user));
  passport.deserializeUser((user: User, done) => done(null, user));

  const app = express();
  const secret = env.SESSION_SECRET ?? randomBytes(32).toString('hex');
  app.use(session({ secret, resave: false, saveUninitialized: false, cookie: { httpOnly: true, sameSite: 'lax' } }));
  app.use(passport.session());
  app.get('/', (req, res) => {
    const user = req.user as User | undefined;
    const logout = '<form method="post" action="/logout"><button>退出登录</button></form>';
    res.type('html').send(user ? `<p>你好，${escapeHtml(user.name)}</p>${logout}` : '<a href="/auth/hduhelp">用杭电助手登录</a>');
  });
  app.get('/auth/hduhelp', passport.authenticate('hduhelp'));
  app.get('/auth/hduhelp/callback', passport.authenticate('hduhelp', { failureRedirect: '/' }), (_req, res) => res.redirect('/'));
  app.post('/logout', (req, res, next) => req.logout((err) => (err ? next(err) : res.redirect('/'))));

  const server = app.listen(Number(env.PORT ?? 3000), env.HOST ?? 'localhost');
  await once(server, 'listening');
  const url = `http://${env.HOST ?? 'localhost'}:${(server.address() as AddressInfo).port}`;
  return { url, close: async () => void (await Promise.all([new Promise((r) => server.close(r)), emulator?.close()])) };
}

if (process.env.NODE_ENV !== 'test') start().then(({ url }) => console.log(`minimal example on ${url}`));
