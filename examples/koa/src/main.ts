// Koa recipe: sign in with HDU Helper (杭电助手) through koa-passport, koa-session and @koa/router.
// With HDUHELP_CLIENT_ID and HDUHELP_CLIENT_SECRET set it talks to HDU Helper itself; without them, to the
// local emulator from @campus-passport/mock-platforms (pick a test user on its login page).
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import Router from '@koa/router';
import session from 'koa-session';
import { KoaPassport } from 'koa-passport';
import { isCampusAuthError, type CampusFailInfo } from '@campus-passport/core';
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
  const passport = new KoaPassport(); // one per app; `import passport from 'koa-passport'` is the shared singleton
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

  const app = new Koa();
  app.keys = [env.SESSION_SECRET ?? randomBytes(32).toString('hex')];
  app.use(session({ httpOnly: true, sameSite: 'lax' }, app));
  app.use(passport.initialize());
  app.use(passport.session());

  const router = new Router();
  router.get('/', (ctx) => {
    const user = ctx.state.user as User | undefined;
    const logout = '<form method="post" action="/logout"><button>退出登录</button></form>';
    ctx.type = 'html';
    ctx.body = user ? `<p>你好，${escapeHtml(user.name)}</p>${logout}` : '<a href="/auth/hduhelp">用杭电助手登录</a>';
  });
  router.get('/auth/hduhelp', passport.authenticate('hduhelp'));
  // A custom callback keeps the strategy's answer: ERR_STATE → 403, ERR_INVALID_CREDENTIAL → 401, … as { code, message }.
  router.get('/auth/hduhelp/callback', (ctx, next) =>
    passport.authenticate('hduhelp', async (err: unknown, user: User | false, info?: CampusFailInfo, status?: number) => {
      if (err && !isCampusAuthError(err)) throw err; // not ours (e.g. verify threw): Koa answers a bare 500
      if (user) {
        await ctx.login(user);
        return ctx.redirect('/');
      }
      ctx.status = isCampusAuthError(err) ? err.status : (status ?? 401);
      ctx.body = isCampusAuthError(err) ? { code: err.code, message: err.message } : { code: info?.code, message: info?.message };
    })(ctx, next),
  );
  router.post('/logout', async (ctx) => {
    await ctx.logout();
    ctx.redirect('/');
  });
  app.use(router.routes()).use(router.allowedMethods());

  const server = app.listen(Number(env.PORT ?? 3000), env.HOST ?? 'localhost');
  await once(server, 'listening');
  const url = `http://${env.HOST ?? 'localhost'}:${(server.address() as AddressInfo).port}`;
  return { url, close: async () => void (await Promise.all([new Promise((r) => server.close(r)), emulator?.close()])) };
}

if (process.env.NODE_ENV !== 'test') start().then(({ url }) => console.log(`koa example on ${url}`));
