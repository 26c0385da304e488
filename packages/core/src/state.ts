import { randomBytes } from 'node:crypto';
import { CampusAuthError } from './errors';

/** What a strategy keeps with a state value until the callback (e.g. a PKCE verifier). */
export type StateData = Record<string, string | number | boolean | undefined>;

export type StateCheck =
  { ok: true; data: StateData } | { ok: false; reason: 'missing' | 'unknown' | 'expired' | 'used'; message: string };

/** The request shape the state store needs (Express' req with express-session). */
export interface StateRequest {
  session?: StateSession | null;
}

/** The part of a session (express-session or compatible) the state store uses. */
export interface StateSession {
  save?(callback?: (err?: unknown) => void): unknown;
  regenerate?(...args: unknown[]): unknown;
}

/**
 * A store of state values for redirect flows. One value per flow (two tabs don't collide),
 * single-use, expiring. `issue` must have persisted the value when it resolves (the redirect goes
 * out right after).
 */
export interface StateStore {
  issue(req: StateRequest, data?: StateData): Promise<string>;
  consume(req: StateRequest, state: string | undefined): Promise<StateCheck>;
}

export interface SessionStateStoreOptions {
  /** Session key (one per strategy). */
  key: string;
  /** Lifetime of a state value, ms. Default 10 minutes. */
  ttl?: number;
  /** Most flows kept open per session at once; the oldest is dropped. Default 20. */
  maxPending?: number;
  now?: () => number;
  platform?: string;
}

interface Slot {
  pending: Record<string, { exp: number; data: StateData }>;
  used: Record<string, number>;
}

/** What the session state store says for each refusal (a strategy prefixes it with its name). */
export const STATE_MESSAGES = {
  missing: 'the callback carries no state',
  unknown: 'the state does not match any login started here',
  used: 'this state was already used; start the login again',
  expired: 'the login took too long (state expired); start again',
} as const;

const STATE_RE = /^[A-Za-z0-9_-]{16,128}$/;

/** The default StateStore: values live in the session (express-session or compatible). */
export class SessionStateStore implements StateStore {
  private readonly ttl: number;
  private readonly maxPending: number;
  private readonly now: () => number;

  constructor(private readonly opts: SessionStateStoreOptions) {
    this.ttl = opts.ttl ?? 10 * 60_000;
    this.maxPending = opts.maxPending ?? 20;
    this.now = opts.now ?? Date.now;
  }

  private session(req: StateRequest): StateSession & Record<string, unknown> {
    if (!req.session) {
      throw new CampusAuthError(
        'ERR_CONFIG',
        `state needs a session: add express-session (app.use(session({...}))) before passport; or pass a custom stateStore`,
        { platform: this.opts.platform },
      );
    }
    return req.session as StateSession & Record<string, unknown>;
  }

  private slot(req: StateRequest): Slot {
    const session = this.session(req);
    const raw = session[this.opts.key] as Partial<Slot> | undefined;
    const slot: Slot = {
      pending: raw && typeof raw.pending === 'object' && raw.pending ? raw.pending : {},
      used: raw && typeof raw.used === 'object' && raw.used ? raw.used : {},
    };
    // prune expired entries
    const now = this.now();
    for (const [k, v] of Object.entries(slot.pending)) if (!v || v.exp <= now - this.ttl) delete slot.pending[k];
    for (const [k, exp] of Object.entries(slot.used)) if (exp <= now) delete slot.used[k];
    session[this.opts.key] = slot;
    return slot;
  }

  async issue(req: StateRequest, data: StateData = {}): Promise<string> {
    const slot = this.slot(req);
    const state = randomBytes(24).toString('base64url');
    const keys = Object.keys(slot.pending);
    if (keys.length >= this.maxPending) {
      keys.sort((a, b) => slot.pending[a].exp - slot.pending[b].exp);
      for (const k of keys.slice(0, keys.length - this.maxPending + 1)) delete slot.pending[k];
    }
    slot.pending[state] = { exp: this.now() + this.ttl, data };
    await saveSession(this.session(req));
    return state;
  }

  async consume(req: StateRequest, state: string | undefined): Promise<StateCheck> {
    if (state === undefined || state === '') {
      return { ok: false, reason: 'missing', message: STATE_MESSAGES.missing };
    }
    if (!STATE_RE.test(state)) return { ok: false, reason: 'unknown', message: STATE_MESSAGES.unknown };
    const slot = this.slot(req);
    const entry = slot.pending[state];
    if (!entry) {
      const used = slot.used[state] !== undefined;
      return used
        ? { ok: false, reason: 'used', message: STATE_MESSAGES.used }
        : { ok: false, reason: 'unknown', message: STATE_MESSAGES.unknown };
    }
    delete slot.pending[state];
    slot.used[state] = this.now() + this.ttl;
    // the used list is capped like the pending one: failed callbacks cannot grow a session
    const used = Object.keys(slot.used);
    if (used.length > this.maxPending) {
      used.sort((a, b) => slot.used[a] - slot.used[b]);
      for (const k of used.slice(0, used.length - this.maxPending)) delete slot.used[k];
    }
    if (entry.exp <= this.now()) {
      await saveSession(this.session(req));
      return { ok: false, reason: 'expired', message: STATE_MESSAGES.expired };
    }
    await saveSession(this.session(req));
    this.carryAcrossRegeneration(req);
    return { ok: true, data: entry.data ?? {} };
  }

  /**
   * A login follows a good state, and Passport (0.6+) regenerates the session at `req.logIn` —
   * which would drop the flows still pending in other tabs. Wrap this session's `regenerate` once
   * so that the new session starts with this store's slot (pending and used states) and nothing
   * else of the old session.
   */
  private carryAcrossRegeneration(req: StateRequest): void {
    const session = req.session as (StateSession & Record<string | symbol, unknown>) | null | undefined;
    if (!session || typeof session.regenerate !== 'function' || session[CARRY] === true) return;
    const original = session.regenerate;
    const key = this.opts.key;
    Object.defineProperty(session, CARRY, { value: true, enumerable: false });
    // express-session: regenerate(cb); @fastify/session: regenerate(keys?, cb?) or a Promise
    Object.defineProperty(session, 'regenerate', {
      configurable: true,
      enumerable: false,
      writable: true,
      value(...args: unknown[]) {
        const kept = session[key];
        const carry = () => {
          const fresh = req.session as (StateSession & Record<string, unknown>) | null | undefined;
          if (fresh && kept !== undefined && fresh[key] === undefined) fresh[key] = kept;
        };
        const last = args[args.length - 1];
        if (typeof last === 'function') {
          const callback = last as (err?: unknown) => void;
          return original.call(session, ...args.slice(0, -1), (err?: unknown) => {
            if (!err) carry();
            callback(err);
          });
        }
        const out = original.apply(session, args) as unknown;
        if (out && typeof (out as PromiseLike<unknown>).then === 'function')
          return (out as Promise<unknown>).then((v) => {
            carry();
            return v;
          });
        carry(); // a synchronous regenerate (e.g. @fastify/secure-session)
        return out;
      },
    });
  }
}

const CARRY = Symbol.for('campus-passport.stateCarry');

/** Save the session when it can be saved; resolve either way once it is persisted. */
export function saveSession(session: StateRequest['session']): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!session || typeof session.save !== 'function') return resolve();
    session.save((err?: unknown) =>
      err
        ? reject(new CampusAuthError('ERR_CONFIG', 'could not save the session before redirecting', { cause: err }))
        : resolve(),
    );
  });
}

/**
 * The same store in passport-oauth2's StateStore shape (PKCE form: store(req, verifier, state,
 * meta, cb) / verify(req, state, cb)), so passport-oauth2 strategies get per-flow states too.
 */
export function toOAuth2StateStore(store: StateStore): {
  store(
    req: StateRequest,
    verifier: string | undefined,
    state: unknown,
    meta: unknown,
    cb: (err: Error | null, state?: string) => void,
  ): void;
  verify(req: StateRequest, provided: string, cb: (err: Error | null, ok: string | false | true, info?: unknown) => void): void;
} {
  return {
    store(req, verifier, _state, _meta, cb) {
      store.issue(req, verifier ? { verifier } : {}).then(
        (s) => cb(null, s),
        (e: Error) => cb(e),
      );
    },
    verify(req, provided, cb) {
      store.consume(req, provided).then(
        (r) => {
          if (!r.ok) return cb(null, false, { message: r.message, code: 'ERR_STATE', reason: r.reason });
          const verifier = r.data.verifier;
          cb(null, typeof verifier === 'string' ? verifier : true);
        },
        (e: Error) => cb(e, false),
      );
    },
  };
}

/**
 * A strategy's `stateStore` option: checked (it needs issue() and consume()), or by default the
 * session store keyed per strategy name (`campus-passport:<name>`).
 */
export function stateStoreOption(store: unknown, platform: string, strategyName: string): StateStore {
  if (store === undefined) return new SessionStateStore({ key: `campus-passport:${strategyName}`, platform });
  const s = store as Partial<StateStore> | null;
  if (!s || typeof s.issue !== 'function' || typeof s.consume !== 'function')
    throw new CampusAuthError('ERR_CONFIG', `${platform}: option "stateStore" must have issue() and consume()`, { platform });
  return s as StateStore;
}

/** The callback's `state` query parameter; a repeated, oversized or garbage state is ERR_STATE. */
export function readStateParam(req: StateRequest & { query?: Record<string, unknown> }, platform: string): string | undefined {
  const value = req.query?.state;
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || value.length > 512 || !/^[\x21-\x7e]+$/.test(value))
    throw new CampusAuthError('ERR_STATE', `${platform}: the state is malformed; start the login again`, { platform });
  return value;
}

/** Consume the callback's state (read from the query unless given): its data, or ERR_STATE. */
export async function verifyState(
  store: StateStore,
  req: StateRequest & { query?: Record<string, unknown> },
  platform: string,
  state: string | undefined = readStateParam(req, platform),
): Promise<StateData> {
  return stateData(await store.consume(req, state), platform);
}

/** A state check's data, or its refusal as ERR_STATE (with the reason apps branch on). */
export function stateData(check: StateCheck, platform: string): StateData {
  if (!check.ok)
    throw new CampusAuthError('ERR_STATE', `${platform}: ${check.message}`, { platform, details: { reason: check.reason } });
  return check.data;
}
