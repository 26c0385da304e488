// A new user's TypeScript, type-checked (tsc, strict, skipLibCheck off, module node16) in two of the
// fresh apps of ../test/install.test.ts: CommonJS with @types/express 4 and ES modules with
// @types/express 5. The published .d.ts files must resolve and fit the app's own Express types.
import express from 'express';
import session from 'express-session';
import passport from 'passport';
import { CampusAuthError, isCampusAuthError, type AppRequest, type CampusErrorCode } from '@campus-passport/core';
import { HduHelpStrategy, type HduHelpCredentials, type HduHelpProfile } from '@campus-passport/hduhelp';
import { Strategy as DisabledAidStrategy } from '@campus-passport/disabled-aid';
import { Strategy as NcuosStrategy } from '@campus-passport/ncuos';
import { Strategy as ZafuStrategy } from '@campus-passport/zafu';
import { Strategy as ZiqiangStrategy } from '@campus-passport/ziqiang';
import { startEmulator, type Emulator } from '@campus-passport/mock-platforms';
import {
  HDUHELP_CLIENT_ID,
  HDUHELP_CLIENT_SECRET,
  HDUHELP_USERS,
  startHduhelpEmulator,
} from '@campus-passport/mock-platforms/hduhelp';

interface User {
  id: string;
  name: string;
  ip: string | undefined;
}

export async function start(): Promise<{ app: express.Express; emulator: Emulator; user: string }> {
  const emulator = await startHduhelpEmulator();
  // passReqToCallback: req is the app's own Express request (4 or 5), credentials and profile typed
  const strategy = new HduHelpStrategy(
    {
      clientID: HDUHELP_CLIENT_ID,
      clientSecret: HDUHELP_CLIENT_SECRET,
      baseURL: emulator.url,
      callbackURL: '/callback',
      passReqToCallback: true,
    },
    async (req: AppRequest, credentials: HduHelpCredentials, profile: HduHelpProfile): Promise<User> => {
      const token: string = credentials.accessToken;
      if (!token) throw new CampusAuthError('ERR_BAD_RESPONSE', 'no token');
      return { id: profile.id, name: profile.displayName, ip: req.ip };
    },
  );
  passport.use(strategy);
  passport.serializeUser((user, done) => done(null, user));
  passport.deserializeUser((user: User, done) => done(null, user));

  const app = express();
  app.use(session({ secret: 'install-test', resave: false, saveUninitialized: false }));
  app.use(passport.session());
  app.get('/login', passport.authenticate('hduhelp'));
  app.get('/callback', passport.authenticate('hduhelp', { failureRedirect: '/' }), (req, res) => {
    res.json(req.user);
  });
  app.use((err: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    const code: CampusErrorCode | undefined = isCampusAuthError(err) ? err.code : undefined;
    res.status(500).json({ code });
  });
  return { app, emulator, user: HDUHELP_USERS[0].userId };
}

// every strategy is a Passport strategy of the app's own @types/passport
export const strategies: Array<abstract new (...args: never[]) => passport.Strategy> = [
  HduHelpStrategy,
  DisabledAidStrategy,
  NcuosStrategy,
  ZafuStrategy,
  ZiqiangStrategy,
];
export const harness: typeof startEmulator = startEmulator;
