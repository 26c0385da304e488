import { isCampusAuthError, type CampusProfile } from '@campus-passport/core';
import { isSecretKey, redactValue } from '@campus-passport/core/kit';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import session, { MemoryStore, type Store } from 'express-session';
import passport from 'passport';
import type { Logger } from 'pino';
import type { AppConfig, PlatformEntry } from './config';
import { DEMO_JS } from './client-script';
import { langOf, languages } from './i18n';
import { createLogger, requestLogger } from './logger';
import { errorMessage, isCodeLike, knownReason, statusOf } from './messages';
import type { ConfiguredPlatform, DemoUser, DemoVerify } from './platforms/types';
import { safeReturnTo } from './return-to';
import {
  errorPage,
  FAVICON_SVG,
  homePage,
  logoutPage,
  platformTitle,
  profilePage,
  spaLandingPage,
  type PageContext,
} from './views';

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

  // the page language: ?lang= (remembered in a cookie), else Accept-Language, else Chinese
  app.use(languages);

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
  // the icon the pages link, and the /favicon.ico browsers ask for on their own: the same SVG
  app.get(['/favicon.svg', '/favicon.ico'], (_req, res) => {
    res.type('image/svg+xml').set('Cache-Control', 'public, max-age=86400').send(FAVICON_SVG);
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
  /**
   * What every page needs. The language switch links to `selfURL`: the page's path, and only the
   * query the page vetted (never a returnTo it refused, never a credential: pages answered on
   * /auth/* routes switch on '/').
   */
  const pageContext = (req: Request, res: Response, selfURL = req.path.startsWith('/auth/') ? '/' : req.path): PageContext => ({
    lang: langOf(res),
    user: currentUser(req),
    selfURL,
  });

  /** The error page (or the JSON error) right here, for requests whose URL carries no credential. */
  const showError = (req: Request, res: Response, status: number, code: string, reason?: string) => {
    if (res.headersSent) return;
    res.set('Cache-Control', 'no-store');
    const known = knownReason(code, reason);
    const message = errorMessage(code, known, langOf(res));
    if (wantsJson(req) || req.accepts(['html', 'json']) === 'json') {
      res.status(status).json({ ok: false, error: { code, ...(known ? { reason: known } : {}), message } });
    } else {
      res
        .status(status)
        .type('html')
        .send(errorPage(pageContext(req, res), { status, code, reason: known, message }));
    }
  };

  /**
   * A sign-in that failed on a browser's GET (the callback, or a portal start with ?stoken=): the
   * URL holds the credential, so the answer is a redirect to a clean /error URL — the code, the
   * reason and the platform, never the code/token/stoken/state — and the address bar and the
   * history keep that one instead. JSON (the SPA POSTs) is answered in place.
   */
  const failSignIn = (req: Request, res: Response, status: number, code: string, reason?: string, platform?: string) => {
    if (res.headersSent) return;
    if (req.method !== 'GET' || wantsJson(req) || req.accepts(['html', 'json']) === 'json')
      return showError(req, res, status, code, reason);
    const q = new URLSearchParams({ code });
    const known = knownReason(code, reason);
    if (known) q.set('reason', known);
    if (platform) q.set('platform', platform);
    res.set({ 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' }).redirect(303, `/error?${q}`);
  };

  // the error page a failed sign-in is sent to: only the code, a known reason and a known platform
  // are read from the URL (anything else in it is ignored), the status follows the code
  app.get('/error', (req, res) => {
    const code = isCodeLike(req.query.code) ? req.query.code : 'ERR_INTERNAL';
    const reason = knownReason(code, req.query.reason);
    const entry = typeof req.query.platform === 'string' ? known.get(req.query.platform) : undefined;
    const self = new URLSearchParams({ code, ...(reason ? { reason } : {}), ...(entry ? { platform: entry.wiring.name } : {}) });
    const lang = langOf(res);
    const status = statusOf(code);
    let retry: { title: string; href: string } | undefined;
    const p = entry?.configured;
    if (entry && p) {
      const href = p.start.kind === 'portal' ? p.start.url : `/auth/${p.name}`;
      if (href) retry = { title: platformTitle(entry, lang), href };
    }
    res
      .status(status)
      .set({ 'Cache-Control': 'no-store', 'X-Robots-Tag': 'noindex' })
      .type('html')
      .send(
        errorPage(pageContext(req, res, `/error?${self}`), {
          status,
          code,
          reason,
          message: errorMessage(code, reason, lang),
          retry,
        }),
      );
  });

  app.get('/', (req, res) => {
    res.set('Cache-Control', 'no-store');
    const returnTo = safeReturnTo(req.query.returnTo);
    const self = returnTo ? `/?returnTo=${encodeURIComponent(returnTo)}` : '/';
    res.type('html').send(homePage(pageContext(req, res, self), config.platforms, returnTo));
  });

  app.get('/profile', (req, res) => {
    const user = currentUser(req);
    res.set('Cache-Control', 'no-store');
    if (!user) return res.redirect(303, `/?returnTo=${encodeURIComponent('/profile')}`);
    res.type('html').send(profilePage({ ...pageContext(req, res), user }));
  });

  app.get('/logout', (req, res) => {
    res
      .set('Cache-Control', 'no-store')
      .type('html')
      .send(logoutPage(pageContext(req, res)));
  });
  app.post('/logout', sameOriginOnly, (req, res, next) => {
    // passport 0.7: logout() regenerates the session, so nothing of the old one survives
    req.logout((err) => (err ? next(err) : res.redirect(303, '/')));
  });

  const platformFor = (req: Request, res: Response, fail = showError): ConfiguredPlatform | undefined => {
    const name = String(req.params.name);
    const p = configured.get(name);
    if (p) return p;
    if (known.has(name)) fail(req, res, 404, 'ERR_NOT_CONFIGURED');
    else fail(req, res, 404, 'ERR_UNKNOWN_PLATFORM');
    return undefined;
  };

  // One handler for the start and the callback: the strategy decides (redirect / success / fail / error).
  const authenticate = (p: ConfiguredPlatform, req: Request, res: Response, next: NextFunction) => {
    authenticator.authenticate(p.name, (err: unknown, user: DemoUser | false, info: unknown, status: unknown) => {
      if (err) {
        const code = isCampusAuthError(err) ? err.code : 'ERR_INTERNAL';
        const httpStatus = isCampusAuthError(err) ? err.status : 500;
        logger.error({ err, platform: p.name }, 'sign-in error');
        return failSignIn(req, res, httpStatus, code, undefined, p.name);
      }
      if (!user) {
        const failInfo = (info ?? {}) as { code?: unknown; reason?: unknown };
        const code = isCodeLike(failInfo.code) ? failInfo.code : 'ERR_DENIED';
        // the strategy's word for why (declined, not-certified, no-group, wrong-side…), when it gives one
        const reason =
          typeof failInfo.reason === 'string' && /^[a-z][a-z0-9-]{0,39}$/.test(failInfo.reason) ? failInfo.reason : undefined;
        logger.warn({ platform: p.name, code, reason }, 'sign-in failed');
        return failSignIn(
          req,
          res,
          typeof status === 'number' && status >= 400 && status < 500 ? status : 401,
          code,
          reason,
          p.name,
        );
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
    // whatever the failure, the credential in this URL does not stay in the address bar
    const p = platformFor(req, res, failSignIn);
    if (!p) return;
    const spa = p.extras?.spaToken;
    if (spa && req.session.spaFlow === p.name && typeof req.query[spa.param] === 'string') {
      // The SPA flow: this route plays the SPA's frontend page, which POSTs the token to the backend.
      delete req.session.spaFlow;
      res.set({ 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' });
      return void res.type('html').send(spaLandingPage(pageContext(req, res), p.name, spa.param));
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
    // a GET on /auth/* may carry a credential in its URL: leave it for the clean /error URL
    const fail = req.method === 'GET' && req.path.startsWith('/auth/') ? failSignIn : showError;
    if (isCampusAuthError(err)) {
      logger.error({ err }, 'platform error');
      return fail(req, res, err.status, err.code);
    }
    const status = (err as { status?: unknown })?.status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      logger.warn({ err }, 'bad request');
      return fail(req, res, status, status === 415 ? 'ERR_UNSUPPORTED_MEDIA_TYPE' : 'ERR_BAD_REQUEST');
    }
    logger.error({ err }, 'unhandled error');
    fail(req, res, 500, 'ERR_INTERNAL');
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
