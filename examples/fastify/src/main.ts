// Fastify recipe: sign in with HDU Helper (杭电助手) through @fastify/passport and @fastify/secure-session.
// With HDUHELP_CLIENT_ID and HDUHELP_CLIENT_SECRET set it talks to HDU Helper itself; without them, to the
// local emulator from @campus-passport/mock-platforms (pick a test user on its login page).
import { randomBytes } from 'node:crypto';
import Fastify from 'fastify';
import fastifyCookie from '@fastify/cookie';
import fastifySecureSession from '@fastify/secure-session';
import { Authenticator } from '@fastify/passport';
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
  const passport = new Authenticator();
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
  passport.registerUserSerializer(async (user: User) => user);
  passport.registerUserDeserializer(async (user: User) => user);

  const app = Fastify({ logger: { level: 'warn' } });
  await app.register(fastifyCookie); // @fastify/cookie 11.1.0: later 11.1.x need cookie@2 (ESM-only, Node >= 22)
  // the session lives in an encrypted cookie; SESSION_KEY: 32 bytes as hex (default: random, so a restart signs everyone out)
  const key = env.SESSION_KEY ? Buffer.from(env.SESSION_KEY, 'hex') : randomBytes(32);
  await app.register(fastifySecureSession, { key, cookie: { path: '/', httpOnly: true, sameSite: 'lax' } });
  await app.register(passport.initialize());
  await app.register(passport.secureSession());

  app.get('/', async (req, reply) => {
    const user = req.user as User | undefined;
    const logout = '<form method="post" action="/logout"><button>退出登录</button></form>';
    return reply
      .type('text/html')
      .send(user ? `<p>你好，${escapeHtml(user.name)}</p>${logout}` : '<a href="/auth/hduhelp">用杭电助手登录</a>');
  });
  app.get('/auth/hduhelp', { preValidation: passport.authenticate('hduhelp') }, async () => {});
  // A custom callback keeps the strategy's answer: ERR_STATE → 403, ERR_INVALID_CREDENTIAL → 401, … as { code, message }.
  const callback = passport.authenticate('hduhelp', async (req, reply, err, user, info, status) => {
    if (err && !isCampusAuthError(err)) throw err; // not ours (e.g. verify threw): Fastify's error handler answers 500
    if (user) {
      await req.logIn(user);
      return void reply.redirect('/');
    }
    const fail = info as CampusFailInfo | undefined;
    if (isCampusAuthError(err)) return void reply.code(err.status).send({ code: err.code, message: err.message });
    return void reply.code(status ?? 401).send({ code: fail?.code, message: fail?.message });
  });
  app.get('/auth/hduhelp/callback', { preValidation: callback }, async () => {});
  app.post('/logout', async (req, reply) => {
    await req.logOut();
    return reply.redirect('/');
  });

  const url = await app.listen({ port: Number(env.PORT ?? 3000), host: env.HOST ?? 'localhost' });
  return { url, close: async () => void (await Promise.all([app.close(), emulator?.close()])) };
}

if (process.env.NODE_ENV !== 'test') start().then(({ url }) => console.log(`fastify example on ${url}`));
