import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import session from 'express-session';
import passport from 'passport';
import type { Strategy } from 'passport-strategy';
import type supertest from 'supertest';
import { countActions } from '@campus-passport/mock-platforms/testing';

export type Agent = InstanceType<typeof supertest.agent>;

export const actions = new Map<string, string[]>();
let seq = 0;

/** An app with express-session + passport, the strategy at GET /login and GET|POST /callback. */
export function buildApp(strategy: Strategy, opts: { session?: boolean } = {}): { app: Express; name: string } {
  const name = `hduhelp-test-${++seq}`;
  passport.use(name, countActions(strategy, actions));
  const app = express();
  app.use(express.urlencoded({ extended: false }));
  if (opts.session !== false) app.use(session({ secret: 'hduhelp-test-session', resave: false, saveUninitialized: false }));
  app.use(passport.initialize());
  const handler = (req: Request, res: Response, next: NextFunction) =>
    passport.authenticate(name, { session: false }, (err: unknown, user: unknown, info: unknown, status: unknown) => {
      if (err) {
        const e = err as Error & { code?: string; toJSON?: () => unknown };
        return void res.status(500).json({
          outcome: 'error',
          code: e.code,
          message: e.message,
          json: typeof e.toJSON === 'function' ? e.toJSON() : undefined,
        });
      }
      if (!user) return void res.status(typeof status === 'number' ? status : 401).json({ outcome: 'fail', info });
      res.json({ outcome: 'success', user, info });
    })(req, res, next);
  app.get('/login', handler);
  app.get('/callback', handler);
  app.post('/callback', handler);
  return { app, name };
}

export function nextId(): string {
  return `h${++seq}`;
}

/** Let a late second action land, then assert exactly one Passport action for this request. */
export async function oneAction(id: string): Promise<string> {
  await new Promise((r) => setTimeout(r, 20));
  const list = actions.get(id) ?? [];
  if (list.length !== 1) throw new Error(`expected exactly one Passport action for ${id}, got ${JSON.stringify(list)}`);
  return list[0];
}

/** GET /login on the app; returns the platform authorize URL it redirects to. */
export async function startLogin(agent: Agent, path = '/login'): Promise<URL> {
  const res = await agent.get(path);
  if (res.status !== 302) throw new Error(`expected a redirect from ${path}, got ${res.status} ${res.text}`);
  return new URL(res.headers.location);
}

/**
 * Act as the browser on the emulator's login page: submit the form (POST to the authorize URL)
 * choosing `user` (or denying). Returns the URL the platform sends the browser back to.
 */
export async function approve(authorizeURL: URL, user: string | { deny: true }): Promise<URL> {
  const form = new URLSearchParams(authorizeURL.searchParams);
  if (typeof user === 'string') form.set('user', user);
  else form.set('deny', '1');
  const res = await fetch(`${authorizeURL.origin}${authorizeURL.pathname}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form.toString(),
    redirect: 'manual',
  });
  await res.text();
  const location = res.headers.get('location');
  if (res.status !== 302 || !location) throw new Error(`the emulator did not redirect back (HTTP ${res.status})`);
  return new URL(location);
}

/** Walk /login → platform login page → back: the callback's path + query, ready for the agent. */
export async function walk(agent: Agent, user: string, loginPath = '/login'): Promise<string> {
  const back = await approve(await startLogin(agent, loginPath), user);
  return `${back.pathname}${back.search}`;
}

/** Call the callback with the agent (cookies) and count the actions. */
export async function callback(
  agent: Agent,
  pathAndQuery: string,
  headers: Record<string, string> = {},
): Promise<supertest.Response & { action: string }> {
  const id = nextId();
  let r = agent.get(pathAndQuery).set('x-test-id', id);
  for (const [k, v] of Object.entries(headers)) r = r.set(k, v);
  const res = await r;
  const action = await oneAction(id);
  return Object.assign(res, { action });
}

/** Replace (or drop, with undefined) one query parameter of a path + query. */
export function withParam(pathAndQuery: string, name: string, value: string | undefined): string {
  const u = new URL(pathAndQuery, 'http://x');
  if (value === undefined) u.searchParams.delete(name);
  else u.searchParams.set(name, value);
  return `${u.pathname}${u.search}`;
}
