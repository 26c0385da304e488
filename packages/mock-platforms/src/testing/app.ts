/**
 * The testing kit every strategy test uses: one express + session + passport app around a
 * strategy, with every Passport action counted, and one start / reset / close for an emulator.
 */
import { afterAll, afterEach, beforeAll } from '@jest/globals';
import express, { type Express, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import session from 'express-session';
import passport from 'passport';
import type { Strategy } from 'passport-strategy';
import supertest from 'supertest';
import type { Emulator } from '../harness';

/** Passport actions taken per request id (`x-test-id` header). */
export type Actions = Map<string, string[]>;

/**
 * Wrap a strategy so that every action it takes (success, fail, redirect, error, pass) is recorded
 * under the request's `x-test-id` header.
 */
export function countActions(inner: Strategy, actions: Actions): Strategy {
  const counted = Object.create(inner) as Strategy;
  counted.authenticate = function (this: Strategy & Record<string, unknown>, req, opts) {
    const id = String((req.headers as Record<string, unknown>)['x-test-id'] ?? '');
    for (const k of ['success', 'fail', 'redirect', 'error', 'pass']) {
      const orig = this[k] as (...a: unknown[]) => void;
      this[k] = (...a: unknown[]) => {
        actions.set(id, [...(actions.get(id) ?? []), k]);
        return orig.apply(this, a);
      };
    }
    return inner.authenticate.call(this, req, opts);
  };
  return counted;
}

/** What the kit's app answers, as JSON, for each outcome. */
export interface OutcomeBody {
  outcome: 'success' | 'fail' | 'error';
  /** The error code (error) or the fail info's code (fail). */
  code?: string;
  message?: string;
  /** success: the user. */
  user?: unknown;
  /** success / fail: Passport's info. */
  info?: unknown;
  /** error: `toJSON()`, the stack, the cause and every own property — for secret checks. */
  json?: unknown;
  stack?: string;
  cause?: string;
  inspected?: string;
}

export interface StrategyAppOptions {
  /** express-session in front of passport (default true). */
  session?: boolean;
  /** Where the strategy is mounted: GET on each, and POST on the callback. */
  loginPath?: string;
  callbackPath?: string;
  /** Options for `passport.authenticate` (default `{ session: false }`). */
  authenticate?: Record<string, unknown>;
  /** Extra middleware before passport (e.g. a fake `req.user`, a CSRF check). */
  before?: RequestHandler[];
  /** Name prefix for the passport registration (one unique name per app). */
  prefix?: string;
  /** On success, log the user into the session (`req.logIn`) before answering. Default false. */
  logIn?: boolean;
}

export interface StrategyApp {
  app: Express;
  /** The unique name the strategy is registered under. */
  name: string;
  /** The actions of every request, by `x-test-id`. */
  actions: Actions;
  /** A cookie-keeping client of this app. */
  agent(): InstanceType<typeof supertest.agent>;
  /**
   * One request through the app with a fresh test id; resolves with the response and the single
   * Passport action it took (throws when there was not exactly one).
   */
  call(
    method: 'get' | 'post',
    path: string,
    opts?: {
      agent?: InstanceType<typeof supertest.agent>;
      headers?: Record<string, string>;
      form?: Record<string, string>;
      json?: unknown;
    },
  ): Promise<supertest.Response & { action: string }>;
}

let seq = 0;

/** Let a late second action land, then the single action this request took (throws otherwise). */
export async function oneAction(actions: Actions, id: string): Promise<string> {
  await new Promise((r) => setTimeout(r, 20));
  const list = actions.get(id) ?? [];
  if (list.length !== 1) throw new Error(`expected exactly one Passport action for ${id}, got ${JSON.stringify(list)}`);
  return list[0];
}

/** The JSON body the kit answers for an error (everything a secret could hide in). */
export function errorBody(err: unknown): OutcomeBody {
  const e = err as Error & { code?: string; toJSON?: () => unknown; cause?: unknown };
  return {
    outcome: 'error',
    code: e.code,
    message: e.message,
    json: typeof e.toJSON === 'function' ? e.toJSON() : undefined,
    stack: e.stack,
    cause: e.cause instanceof Error ? `${e.cause.message}\n${e.cause.stack}` : String(e.cause),
    inspected: JSON.stringify(Object.assign({}, e)),
  };
}

/**
 * An app with express-session and passport, the strategy at GET `/login` and GET|POST
 * `/callback`, answering every outcome as JSON (`OutcomeBody`): error → 500, fail → the fail
 * status (default 401), success → 200.
 */
export function strategyApp(strategy: Strategy, options: StrategyAppOptions = {}): StrategyApp {
  const name = `${options.prefix ?? 'test'}-${++seq}`;
  const actions: Actions = new Map();
  passport.use(name, countActions(strategy, actions));
  const app = express();
  app.use(express.urlencoded({ extended: false }));
  app.use(express.json());
  if (options.session !== false) app.use(session({ secret: 'strategy-app-session', resave: false, saveUninitialized: false }));
  app.use(passport.initialize());
  for (const mw of options.before ?? []) app.use(mw);
  const handler = (req: Request, res: Response, next: NextFunction) =>
    passport.authenticate(
      name,
      options.authenticate ?? { session: false },
      (err: unknown, user: unknown, info: unknown, status: unknown) => {
        if (res.headersSent) return;
        if (err) return void res.status(500).json(errorBody(err));
        if (!user) {
          const i = (info ?? {}) as { code?: string; message?: string };
          const body: OutcomeBody = { outcome: 'fail', code: i.code, message: i.message, info };
          return void res.status(typeof status === 'number' ? status : 401).json(body);
        }
        const body: OutcomeBody = { outcome: 'success', user, info };
        if (!options.logIn) return void res.json(body);
        req.logIn(user as Express.User, (err) => (err ? next(err) : res.json(body)));
      },
    )(req, res, next);
  const loginPath = options.loginPath ?? '/login';
  const callbackPath = options.callbackPath ?? '/callback';
  app.get(loginPath, handler);
  app.get(callbackPath, handler);
  app.post(callbackPath, handler);
  return {
    app,
    name,
    actions,
    agent: () => supertest.agent(app),
    async call(method, path, opts = {}) {
      const id = `${name}-r${++seq}`;
      const client = opts.agent ?? supertest(app);
      let r = client[method](path).set('x-test-id', id);
      for (const [k, v] of Object.entries(opts.headers ?? {})) r = r.set(k, v);
      if (opts.form) r = r.type('form').send(opts.form);
      else if (opts.json !== undefined) r = r.send(opts.json as object);
      const res = await r;
      const action = await oneAction(actions, id);
      return Object.assign(res, { action });
    },
  };
}

/**
 * Start an emulator before the tests of this file; after each test clear its faults and recorded
 * requests and put its clock back to real time; close it after all. Read it through `.current`.
 */
export function useEmulator<E extends Emulator>(start: () => Promise<E>, reset?: (emulator: E) => void): { readonly current: E } {
  let current: E | undefined;
  beforeAll(async () => {
    current = await start();
  });
  afterEach(() => {
    if (!current) return;
    current.clearFaults();
    current.clearRequests();
    current.clock.reset();
    reset?.(current);
  });
  afterAll(async () => {
    await current?.close();
  });
  return {
    get current(): E {
      if (!current) throw new Error('the emulator is not started yet (use it inside a test or hook)');
      return current;
    },
  };
}
