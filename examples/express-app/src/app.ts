import { isCampusAuthError, type CampusProfile } from '@campus-passport/core';
import { isSecretKey, redactValue } from '@campus-passport/core/kit';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import session, { MemoryStore, type Store } from 'express-session';
import passport from 'passport';
import type { Logger } from 'pino';
import type { AppConfig, PlatformEntry } from './config';
import { DEMO_JS } from './client-script';
import { createLogger, requestLogger } from './logger';
import type { ConfiguredPlatform, DemoUser, DemoVerify } from './platforms/types';
import { safeReturnTo } from './return-to';
import { errorPage, homePage, layout, profilePage, spaLandingPage } from './views';

declare module 'express-session' {
  interface SessionData {
    returnTo?: string;
    /** Set when the SPA token flow was started: the callback then serves the SPA page, which POSTs the token. */
    spaFlow?: string;
  }
}

export interface CreateAppOptions {
  logger?: Logger;
  /** Session store; an in-memory store when omitted (main passes the Redis store when REDIS_URL is set). */
  sessionStore?: Store;
}

/** Plain messages for the error page, by code. Never the error's own text: no internals, no secrets. */
export const PLAIN_MESSAGES: Record<string, string> = {
  ERR_STATE: 'This sign-in does not match one started here (it may have expired or been used already). Please start again.',
  ERR_NO_CREDENTIAL: 'The platform sent no sign-in credential. Please start again.',
  ERR_INVALID_CREDENTIAL: 'The sign-in credential was invalid, expired or already used. Please start again.',
  ERR_DENIED: 'The sign-in was refused: it was cancelled, or this account may not use this app.',
  ERR_PLATFORM: 'The platform reported an error. Please try again later.',
  ERR_RATE_LIMITED: 'The platform is busy right now. Please try again in a minute.',
  ERR_TIMEOUT: 'The platform did not answer in time. Please try again.',
  ERR_NETWORK: 'The platform could not be reached. Please try again later.',
  ERR_BAD_RESPONSE: 'The platform answered something unexpected. Please try again later.',
  ERR_CONFIG: 'This sign-in method is not set up correctly. Please tell the site administrator.',
  ERR_NOT_CONFIGURED: 'This platform is not configured on this site.',
  ERR_UNKNOWN_PLATFORM: 'There is no such sign-in platform.',
  ERR_NOT_FOUND: 'This page does not exist.',
  ERR_BAD_REQUEST: 'The request could not be understood.',
  ERR_UNSUPPORTED_MEDIA_TYPE: 'Send the credential as JSON (Content-Type: application/json).',
  ERR_INTERNAL: 'Something went wrong on our side. Please try again.',
};

function plainMessage(code: string): string {
  return PLAIN_MESSAGES[code] ?? PLAIN_MESSAGES.ERR_INTERNAL;
}

/** The session's user: the normalized profile, minus anything that looks like a secret. */
export function toDemoUser(profile: CampusProfile): DemoUser {
  const fields: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(profile)) {
    if (k === '_json' || k === '_raw' || v === undefined || isSecretKey(k)) continue;
    fields[k] = redactValue(v);
  }
  return {
    provider: profile.provider,
    id: profile.id,
    displayName: profile.displayName,
    profile: fields,
    raw: redactValue(profile._json),
    loggedInAt: new Date().toISOString(),
  };
}

const demoVerify: DemoVerify = (_credentials, profile, done) => done(null, toDemoUser(profile));

function wantsJson(req: Request): boolean {
  return req.method === 'POST' && !!req.is('application/json');
}

/** The Express app of the demo: every configured platform mounted under /auth/<name>. */
export function createApp(config: AppConfig, options: CreateAppOptions = {}): Express {
  const logger = options.logger ?? createLogger({ level: config.logLevel });
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);

  const authenticator = new passport.Authenticator();
  const configured = new Map<string, ConfiguredPlatform>();
  const known = new Map<string, PlatformEntry>();
  for (const entry of config.platforms) {
    known.set(entry.wiring.name, entry);
    if (!entry.configured) continue;
    const p = entry.configured;
    const callbackPath = `/auth/${p.name}/callback`;
    authenticator.use(
      p.name,
      p.createStrategy({
        callbackURL: config.publicURL ? `${config.publicURL}${callbackPath}` : callbackPath,
        verify: demoVerify,
      }),
    );
    configured.set(p.name, p);
  }
  authenticator.serializeUser((user, done) => done(null, user));
  authenticator.deserializeUser((user: Express.User, done) => done(null, user));

  app.use(requestLogger(logger));
  app.use((_req, res, next) => {
    res.set({
      'Content-Security-Policy':
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: https:; frame-ancestors 'none'; base-uri 'none'",
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'same-origin',
      'X-Frame-Options': 'DENY',
    });
    next();
  });

  app.get('/healthz', (_req, res) => {
    res.set('Cache-Control', 'no-store').json({
      status: 'ok',
      platforms: Object.fromEntries(
        config.platforms.map((e) => [e.wiring.name, e.configured ? e.configured.mode : 'not configured']),
      ),
    });
  });
  app.get('/static/demo.js', (_req, res) => {
    res.type('application/javascript').set('Cache-Control', 'no-cache').send(DEMO_JS);
  });

  app.use(express.json({ limit: '16kb' }));
  app.use(express.urlencoded({ extended: false, limit: '16kb' }));
  app.use(
    session({
      name: config.sessionCookieName,
      secret: config.sessionSecret,
      store: options.sessionStore ?? new MemoryStore(),
      resave: false,
      saveUninitialized: false,
      rolling: false,
      cookie: {
        httpOnly: true,
        sameSite: 'lax',
        // 'auto': Secure whenever the request came over TLS — directly, or via a proxy trusted with TRUST_PROXY
        secure: config.publicURL?.startsWith('https:') ? true : 'auto',
        maxAge: config.sessionMaxAge,
        path: '/',
      },
    }),
  );
  app.use(authenticator.initialize());
  app.use(authenticator.session());

  const currentUser = (req: Request): DemoUser | undefined => (req.user as DemoUser | undefined) ?? undefined;

  const showError = (req: Request, res: Response, status: number, code: string) => {
    if (res.headersSent) return;
    res.set('Cache-Control', 'no-store');
    if (wantsJson(req) || req.accepts(['html', 'json']) === 'json') {
      res.status(status).json({ ok: false, error: { code, message: plainMessage(code) } });
    } else {
      res
        .status(status)
        .type('html')
        .send(errorPage(status, code, plainMessage(code), currentUser(req)));
    }
  };

  app.get('/', (req, res) => {
    res.set('Cache-Control', 'no-store');
    res.type('html').send(homePage(config.platforms, currentUser(req), safeReturnTo(req.query.returnTo)));
  });

  app.get('/profile', (req, res) => {
    const user = currentUser(req);
    res.set('Cache-Control', 'no-store');
    if (!user) return res.redirect(303, `/?returnTo=${encodeURIComponent('/profile')}`);
    res.type('html').send(profilePage(user));
  });

  app.get('/logout', (req, res) => {
    res
      .type('html')
      .send(
        layout(
          'Log out',
          '<h1>Log out?</h1><form method="post" action="/logout"><button type="submit">Log out</button></form>',
          currentUser(req),
        ),
      );
  });
  app.post('/logout', sameOriginOnly, (req, res, next) => {
    // passport 0.7: logout() regenerates the session, so nothing of the old one survives
    req.logout((err) => (err ? next(err) : res.redirect(303, '/')));
  });

  const platformFor = (req: Request, res: Response): ConfiguredPlatform | undefined => {
    const name = String(req.params.name);
    const p = configured.get(name);
    if (p) return p;
    if (known.has(name)) showError(req, res, 404, 'ERR_NOT_CONFIGURED');
    else showError(req, res, 404, 'ERR_UNKNOWN_PLATFORM');
    return undefined;
  };

  // One handler for the start and the callback: the strategy decides (redirect / success / fail / error).
  const authenticate = (p: ConfiguredPlatform, req: Request, res: Response, next: NextFunction) => {
    authenticator.authenticate(p.name, (err: unknown, user: DemoUser | false, info: unknown, status: unknown) => {
      if (err) {
        const code = isCampusAuthError(err) ? err.code : 'ERR_INTERNAL';
        const httpStatus = isCampusAuthError(err) ? err.status : 500;
        logger.error({ err, platform: p.name }, 'sign-in error');
        return showError(req, res, httpStatus, code);
      }
      if (!user) {
        const failInfo = (info ?? {}) as { code?: unknown };
        const code = typeof failInfo.code === 'string' && /^ERR_[A-Z_]+$/.test(failInfo.code) ? failInfo.code : 'ERR_DENIED';
        logger.warn({ platform: p.name, code }, 'sign-in failed');
        return showError(req, res, typeof status === 'number' && status >= 400 && status < 500 ? status : 401, code);
      }
      const returnTo = safeReturnTo(req.session.returnTo) ?? '/profile';
      // passport 0.7 regenerates the session here (a new session id: no fixation)
      req.logIn(user, (loginErr) => {
        if (loginErr) return next(loginErr);
        logger.info({ platform: p.name }, 'signed in');
        if (wantsJson(req)) return res.set('Cache-Control', 'no-store').json({ ok: true, redirect: returnTo });
        res.redirect(303, returnTo);
      });
    })(req, res, next);
  };

  app.get('/auth/:name', (req, res, next) => {
    const p = platformFor(req, res);
    if (!p) return;
    const returnTo = safeReturnTo(req.query.returnTo);
    if (returnTo) req.session.returnTo = returnTo;
    else delete req.session.returnTo;
    if (p.start.kind === 'portal' && req.query.stoken === undefined) {
      if (p.start.url) return res.redirect(303, p.start.url);
      return showError(req, res, 400, 'ERR_NO_CREDENTIAL');
    }
    if (p.extras?.spaToken && req.query.flow === 'spa') req.session.spaFlow = p.name;
    else delete req.session.spaFlow;
    authenticate(p, req, res, next);
  });

  // The popup flow: the popup window opens this, which sends it to the platform's login page.
  app.get('/auth/:name/popup', (req, res, next) => {
    const p = platformFor(req, res);
    if (!p) return;
    if (!p.extras?.popup) return showError(req, res, 404, 'ERR_NOT_FOUND');
    const returnTo = safeReturnTo(req.query.returnTo);
    if (returnTo) req.session.returnTo = returnTo;
    p.extras.popup.url().then((url) => res.redirect(303, url), next);
  });

  app.get('/auth/:name/callback', (req, res, next) => {
    const p = platformFor(req, res);
    if (!p) return;
    const spa = p.extras?.spaToken;
    if (spa && req.session.spaFlow === p.name && typeof req.query[spa.param] === 'string') {
      // The SPA flow: this route plays the SPA's frontend page, which POSTs the token to the backend.
      delete req.session.spaFlow;
      res.set({ 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' });
      return void res.type('html').send(spaLandingPage(p.name, spa.param));
    }
    authenticate(p, req, res, next);
  });

  app.post('/auth/:name/callback', (req, res, next) => {
    const p = platformFor(req, res);
    if (!p) return;
    // SPA flows POST JSON; a cross-site form can't send JSON without CORS, so this also stops login CSRF
    if (!req.is('application/json')) return showError(req, res, 415, 'ERR_UNSUPPORTED_MEDIA_TYPE');
    authenticate(p, req, res, next);
  });

  app.use((req, res) => showError(req, res, 404, 'ERR_NOT_FOUND'));

  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    if (isCampusAuthError(err)) {
      logger.error({ err }, 'platform error');
      return showError(req, res, err.status, err.code);
    }
    const status = (err as { status?: unknown })?.status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      logger.warn({ err }, 'bad request');
      return showError(req, res, status, status === 415 ? 'ERR_UNSUPPORTED_MEDIA_TYPE' : 'ERR_BAD_REQUEST');
    }
    logger.error({ err }, 'unhandled error');
    showError(req, res, 500, 'ERR_INTERNAL');
  });

  return app;
}

/**
 * A state-changing POST must come from this site: the browser says so with Sec-Fetch-Site (or,
 * for older browsers, with an Origin equal to ours). A request with neither header is not a
 * browser's cross-site form, and passes.
 */
function sameOriginOnly(req: Request, res: Response, next: NextFunction): void {
  const site = req.get('sec-fetch-site');
  const origin = req.get('origin');
  const ours = `${req.protocol}://${req.get('host') ?? ''}`;
  const crossSite = site !== undefined ? site !== 'same-origin' && site !== 'none' : origin !== undefined && origin !== ours;
  if (crossSite) {
    res.status(403).type('text/plain').send('cross-site request refused');
    return;
  }
  next();
}
