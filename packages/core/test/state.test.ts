import { CampusAuthError, SessionStateStore } from '../src';
import { readStateParam, stateStoreOption, toOAuth2StateStore, verifyState, type StateRequest } from '../src/kit';

function fakeReq(): StateRequest & { saves: number } {
  const req = { saves: 0, session: {} as Record<string, unknown> & { save?: (cb: (e?: unknown) => void) => void } };
  req.session.save = (cb) => {
    req.saves++;
    cb();
  };
  return req;
}

describe('SessionStateStore', () => {
  let now = 1_000_000;
  const store = () => new SessionStateStore({ key: 'campus:test', now: () => now, ttl: 10 * 60_000 });
  beforeEach(() => {
    now = 1_000_000;
  });

  it('issues a per-flow state, saves the session, and accepts it once', async () => {
    const s = store();
    const req = fakeReq();
    const state = await s.issue(req, { verifier: 'v1' });
    expect(state).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(req.saves).toBe(1);
    expect(await s.consume(req, state)).toEqual({ ok: true, data: { verifier: 'v1' } });
    const again = await s.consume(req, state);
    expect(again).toMatchObject({ ok: false, reason: 'used' });
  });

  it('two tabs in one session keep separate states', async () => {
    const s = store();
    const req = fakeReq();
    const a = await s.issue(req);
    const b = await s.issue(req);
    expect(a).not.toBe(b);
    expect((await s.consume(req, b)).ok).toBe(true);
    expect((await s.consume(req, a)).ok).toBe(true);
  });

  it('missing, unknown, malformed and expired states are refused with a reason', async () => {
    const s = store();
    const req = fakeReq();
    expect(await s.consume(req, undefined)).toMatchObject({ ok: false, reason: 'missing' });
    expect(await s.consume(req, 'a'.repeat(32))).toMatchObject({ ok: false, reason: 'unknown' });
    expect(await s.consume(req, '<script>')).toMatchObject({ ok: false, reason: 'unknown' });
    const state = await s.issue(req);
    now += 10 * 60_000 + 1;
    expect(await s.consume(req, state)).toMatchObject({ ok: false, reason: 'expired' });
  });

  it('keeps at most maxPending open flows per session', async () => {
    const s = new SessionStateStore({ key: 'k', maxPending: 3, now: () => now++ });
    const req = fakeReq();
    const states = [];
    for (let i = 0; i < 5; i++) states.push(await s.issue(req));
    expect((await s.consume(req, states[0])).ok).toBe(false);
    expect((await s.consume(req, states[4])).ok).toBe(true);
  });

  it('caps the used list like the pending one: failed callbacks do not grow the session', async () => {
    const s = new SessionStateStore({ key: 'k', maxPending: 3, now: () => now++ });
    const req = fakeReq();
    for (let i = 0; i < 10; i++) expect((await s.consume(req, await s.issue(req))).ok).toBe(true);
    const slot = (req.session as Record<string, { used: object; pending: object }>).k;
    expect(Object.keys(slot.used)).toHaveLength(3);
    expect(Object.keys(slot.pending)).toHaveLength(0);
  });

  it('a good state carries the pending flows across the session regeneration of the login that follows', async () => {
    const s = new SessionStateStore({ key: 'k', now: () => now });
    const req = fakeReq() as ReturnType<typeof fakeReq> & { session: Record<string, unknown> };
    req.session.other = 'pre-login data';
    (req.session as { regenerate?: (cb: (e?: unknown) => void) => void }).regenerate = (cb) => {
      req.session = { save: req.session.save } as Record<string, unknown>; // a brand-new session, as express-session does
      cb();
    };
    const tab1 = await s.issue(req);
    const tab2 = await s.issue(req);
    expect((await s.consume(req, tab1)).ok).toBe(true);
    await new Promise<void>((resolve) => (req.session.regenerate as (cb: () => void) => void)(resolve));
    expect(req.session.other).toBeUndefined(); // only the state slot is carried
    expect((await s.consume(req, tab2)).ok).toBe(true);
    expect(await s.consume(req, tab1)).toMatchObject({ ok: false, reason: 'used' });
  });

  it("carries the pending flows across @fastify/session's regenerate(keys) Promise and a synchronous regenerate too", async () => {
    const s = new SessionStateStore({ key: 'k', now: () => now });
    for (const style of ['promise', 'sync'] as const) {
      const req = fakeReq() as ReturnType<typeof fakeReq> & { session: Record<string, unknown> };
      const seen: unknown[][] = [];
      (req.session as { regenerate?: (...a: unknown[]) => unknown }).regenerate = (...args: unknown[]) => {
        seen.push(args);
        req.session = { save: req.session.save } as Record<string, unknown>;
        return style === 'promise' ? Promise.resolve() : undefined;
      };
      const tab1 = await s.issue(req);
      const tab2 = await s.issue(req);
      expect((await s.consume(req, tab1)).ok).toBe(true);
      await (req.session.regenerate as (...a: unknown[]) => unknown)(['session']);
      expect(seen).toEqual([[['session']]]); // the keys reach the original
      expect((await s.consume(req, tab2)).ok).toBe(true);
    }
  });

  it('without a session it is ERR_CONFIG naming express-session', async () => {
    const s = store();
    await expect(s.issue({} as StateRequest)).rejects.toThrow(CampusAuthError);
    await expect(s.issue({} as StateRequest)).rejects.toThrow(/express-session/);
  });

  it('adapts to passport-oauth2 (store/verify with a PKCE verifier)', async () => {
    const o = toOAuth2StateStore(store());
    const req = fakeReq();
    const state = await new Promise<string>((resolve, reject) =>
      o.store(req, 'the-verifier', undefined, {}, (err, s) => (err ? reject(err) : resolve(s!))),
    );
    const ok = await new Promise((resolve) => o.verify(req, state, (_e, v) => resolve(v)));
    expect(ok).toBe('the-verifier');
    const info = await new Promise((resolve) => o.verify(req, state, (_e, v, i) => resolve([v, i])));
    expect(info).toEqual([false, expect.objectContaining({ code: 'ERR_STATE', reason: 'used' })]);
  });
});

describe('state helpers for strategies', () => {
  it('stateStoreOption defaults to the session store and checks a custom one', async () => {
    const store = stateStoreOption(undefined, 'x', 'x-login');
    const req = fakeReq();
    const state = await store.issue(req);
    expect(Object.keys(req.session as object)).toContain('campus-passport:x-login');
    expect((await store.consume(req, state)).ok).toBe(true);
    const custom = { issue: async () => 's'.repeat(20), consume: async () => ({ ok: true as const, data: {} }) };
    expect(stateStoreOption(custom, 'x', 'x')).toBe(custom);
    expect(() => stateStoreOption({ issue() {} }, 'x', 'x')).toThrow(/"stateStore" must have issue\(\) and consume\(\)/);
  });

  it('readStateParam refuses repeated, oversized and garbage states with ERR_STATE', () => {
    const r = (state: unknown) => ({ query: { state } });
    expect(readStateParam(r(undefined), 'x')).toBeUndefined();
    expect(readStateParam(r('abc_DEF-123'), 'x')).toBe('abc_DEF-123');
    for (const bad of [['a', 'b'], 'x'.repeat(513), '状态', 'a b', { nested: 1 }])
      expect(() => readStateParam(r(bad), 'x')).toThrow(expect.objectContaining({ code: 'ERR_STATE' }));
  });

  it('verifyState returns the data, or throws ERR_STATE with the reason', async () => {
    const store = new SessionStateStore({ key: 'k' });
    const req = fakeReq();
    const state = await store.issue(req, { verifier: 'v' });
    expect(await verifyState(store, { ...req, query: { state } }, 'x')).toEqual({ verifier: 'v' });
    await expect(verifyState(store, { ...req, query: { state } }, 'x')).rejects.toMatchObject({
      code: 'ERR_STATE',
      details: { reason: 'used' },
    });
    await expect(verifyState(store, { ...req, query: {} }, 'x')).rejects.toMatchObject({ code: 'ERR_STATE' });
  });
});
