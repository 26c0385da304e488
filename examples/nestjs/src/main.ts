// NestJS recipe: sign in with HDU Helper (杭电助手) through @nestjs/passport, keeping campus-passport's error codes.
// With HDUHELP_CLIENT_ID and HDUHELP_CLIENT_SECRET set it talks to HDU Helper itself; without them, to the
// local emulator from @campus-passport/mock-platforms (pick a test user on its login page).
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import session from 'express-session';
import passport from 'passport';
import { HDUHELP_CLIENT_ID, HDUHELP_CLIENT_SECRET, startHduhelpEmulator } from '@campus-passport/mock-platforms/hduhelp';
import { AppModule } from './app.module';

export async function start(env: NodeJS.ProcessEnv = process.env): Promise<{ url: string; close(): Promise<void> }> {
  const real = Boolean(env.HDUHELP_CLIENT_ID && env.HDUHELP_CLIENT_SECRET);
  const emulator = real ? undefined : await startHduhelpEmulator();
  const module = AppModule.register({
    clientID: real ? env.HDUHELP_CLIENT_ID! : HDUHELP_CLIENT_ID,
    clientSecret: real ? env.HDUHELP_CLIENT_SECRET! : HDUHELP_CLIENT_SECRET,
    baseURL: emulator?.url, // undefined: the real platform
    callbackURL: '/auth/hduhelp/callback',
  });
  const app = await NestFactory.create<NestExpressApplication>(module, { logger: ['error', 'warn'] });
  const secret = env.SESSION_SECRET ?? randomBytes(32).toString('hex');
  app.use(session({ secret, resave: false, saveUninitialized: false, cookie: { httpOnly: true, sameSite: 'lax' } }));
  app.use(passport.session());

  const server: Server = await app.listen(Number(env.PORT ?? 3000), env.HOST ?? 'localhost');
  const url = `http://${env.HOST ?? 'localhost'}:${(server.address() as AddressInfo).port}`;
  return { url, close: async () => void (await Promise.all([app.close(), emulator?.close()])) };
}

if (process.env.NODE_ENV !== 'test') start().then(({ url }) => console.log(`nestjs example on ${url}`));
