/**
 * A user's neo token chain through `client.userTokenSource()` against the emulator: one refresh
 * however many callers, the rotated refresh token kept and the spent one never sent again, the
 * early-refresh window, refusals ending the chain, passing failures serving the still-valid
 * token, revoke, and bounded waits. The client reads the emulator's clock, so advancing it ages
 * the tokens on both sides.
 */
import { CampusAuthError, MemoryTokenStore, type AppToken, type TokenStore } from '@campus-passport/core';
import {
  HDUHELP_CLIENT_ID,
  HDUHELP_CLIENT_SECRET,
  HDUHELP_NEO_APP_ID,
  HDUHELP_NEO_APP_SECRET,
  HDUHELP_USERS,
  startHduhelpEmulator,
  type HduHelpEmulator,
} from '@campus-passport/mock-platforms/hduhelp';
import { useEmulator } from '@campus-passport/mock-platforms/testing';
import { HduHelpClient, type HduHelpCredentials, type HduHelpTokenResult } from '../src';

const started = {
  emu: useEmulator(startHduhelpEmulator),
  // one-minute user tokens: the early-refresh lead is clamped to half of it
  short: useEmulator(() => startHduhelpEmulator({ accessTokenTtl: 60_000 })),
};
let emu: HduHelpEmulator;
beforeAll(() => {
  emu = started.emu.current;
});

const REFRESH_PATH = '/hduhelp-neo/open-apis/authen/refresh-access-token';
const HOUR2 = 2 * 60 * 60_000;
let seq = 0;
const nextKey = () => `user-${++seq}`;

const neo = (e: HduHelpEmulator = emu, o: Partial<ConstructorParameters<typeof HduHelpClient>[0]> = {}) =>
  new HduHelpClient({
    api: 'neo',
    clientID: HDUHELP_NEO_APP_ID,
    clientSecret: HDUHELP_NEO_APP_SECRET,
    baseURL: e.url,
    now: () => e.clock.now(),
    ...o,
  });

/** A neo login of the first user, as the strategy's exchange produces it. */
const login = (e: HduHelpEmulator = emu, scope?: string): Promise<HduHelpTokenResult> =>
  neo(e).exchangeCode(e.issueCode({ clientId: HDUHELP_NEO_APP_ID, userId: HDUHELP_USERS[0].userId, scope }));

/** The refresh tokens the emulator received, in order. */
const refreshesSent = (e: HduHelpEmulator = emu) =>
  e.requests.filter((r) => r.path === REFRESH_PATH).map((r) => (r.body as { refresh_token: string }).refresh_token);

async function rejects(p: Promise<unknown>, code: string): Promise<CampusAuthError> {
  let caught: unknown;
  try {
    await p;
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(CampusAuthError);
  expect((caught as CampusAuthError).code).toBe(code);
  return caught as CampusAuthError;
}

/** Everything an error could leak through. */
const everything = (e: CampusAuthError) =>
  `${e.message}\n${e.stack}\n${JSON.stringify(e)}\n${String(e.cause)}\n${e.platformMessage}\n${JSON.stringify(e.details)}`;

describe('userTokenSource: refresh', () => {
  it('100 concurrent accessToken() on an expiring token → exactly 1 refresh, all 100 get the new token', async () => {
    const t = await login();
    const store = new MemoryTokenStore();
    const source = neo().userTokenSource({ key: nextKey(), store, initial: t });
    emu.clearRequests();
    expect(await source.accessToken()).toBe(t.credentials.accessToken); // fresh: no refresh
    emu.clock.advance(HOUR2 - 30_000); // inside the 60 s window
    const tokens = await Promise.all(Array.from({ length: 100 }, () => source.accessToken()));
    const sent = refreshesSent();
    expect(sent).toEqual([t.credentials.refreshToken]);
    expect(new Set(tokens).size).toBe(1);
    expect(tokens[0]).not.toBe(t.credentials.accessToken);
    expect(emu.isTokenActive(tokens[0])).toBe(true);
  });

  it('the rotated refresh token is persisted; the next refresh sends it, never the spent one', async () => {
    const t = await login();
    const store = new MemoryTokenStore();
    const key = nextKey();
    const source = neo().userTokenSource({ key, store, initial: t });
    emu.clearRequests();
    emu.clock.advance(HOUR2 - 10_000);
    const before = emu.clock.now();
    const second = await source.accessToken();
    const after = emu.clock.now();
    const stored = (await source.current())!;
    expect(stored.accessToken).toBe(second);
    expect(stored.refreshToken).not.toBe(t.credentials.refreshToken);
    // current(): the real expiry (the answer's expiresIn from when it came), and when it is renewed
    expect(stored.expiresAt).toBeGreaterThanOrEqual(before + HOUR2);
    expect(stored.expiresAt).toBeLessThanOrEqual(after + HOUR2);
    expect(stored.extra).toMatchObject({
      refreshAt: stored.expiresAt - 60_000,
      lifetime: HOUR2,
      userId: HDUHELP_USERS[0].userId,
    });

    // another part of the app — a new client, the same login's credentials — uses the stored chain
    const again = neo().userTokenSource({ key, store, initial: t });
    expect(await again.accessToken()).toBe(second);
    emu.clock.advance(HOUR2 - 10_000);
    const third = await again.accessToken();
    expect(third).not.toBe(second);
    const sent = refreshesSent();
    expect(sent).toEqual([t.credentials.refreshToken, stored.refreshToken]);
    expect(sent.filter((r) => r === t.credentials.refreshToken)).toHaveLength(1);
    expect(await source.accessToken()).toBe(third);
  });

  it('two sources on one store refreshing at once (the store lock) → 1 refresh, one token', async () => {
    const t = await login();
    const store = new MemoryTokenStore();
    const key = nextKey();
    const a = neo().userTokenSource({ key, store, initial: t });
    const b = neo().userTokenSource({ key, store, initial: t });
    await Promise.all([a.current(), b.current()]);
    emu.clearRequests();
    emu.clock.advance(HOUR2 - 5_000);
    const tokens = await Promise.all([
      ...Array.from({ length: 30 }, () => a.accessToken()),
      ...Array.from({ length: 30 }, () => b.accessToken()),
    ]);
    expect(refreshesSent()).toHaveLength(1);
    expect(new Set(tokens).size).toBe(1);
  });

  it('the lead is clamped to half the lifetime (expiresIn 60 → 30 s); a seed of unknown lifetime uses 60 s', async () => {
    const short = started.short.current;
    const t = await login(short);
    const source = neo(short).userTokenSource({ key: nextKey(), store: new MemoryTokenStore(), initial: t });
    short.clearRequests();
    short.clock.advance(29_000);
    expect(await source.accessToken()).toBe(t.credentials.accessToken);
    expect(refreshesSent(short)).toHaveLength(0);
    short.clock.advance(2_000); // 29 s left of 60: inside the clamped window
    expect(await source.accessToken()).not.toBe(t.credentials.accessToken);
    expect(refreshesSent(short)).toHaveLength(1);

    // the credentials alone (no expiresIn): the plain 60 s lead, so a one-minute token is due at once
    const u = await login(short);
    const credentials: HduHelpCredentials = u.credentials;
    const seeded = neo(short).userTokenSource({ key: nextKey(), store: new MemoryTokenStore(), initial: credentials });
    short.clearRequests();
    expect(await seeded.accessToken()).not.toBe(u.credentials.accessToken);
    expect(refreshesSent(short)).toEqual([u.credentials.refreshToken]);
  });

  it('a seed of unknown expiry with a refresh token is refreshed on first use', async () => {
    const t = await login();
    const credentials: HduHelpCredentials = { accessToken: t.credentials.accessToken, refreshToken: t.credentials.refreshToken };
    const source = neo().userTokenSource({ key: nextKey(), store: new MemoryTokenStore(), initial: credentials });
    emu.clearRequests();
    const token = await source.accessToken();
    expect(token).not.toBe(t.credentials.accessToken);
    expect(refreshesSent()).toHaveLength(1);
    expect(await source.accessToken()).toBe(token);
    expect(refreshesSent()).toHaveLength(1);
  });

  it('by default the chain lives in the process store: two clients share it', async () => {
    const t = await login();
    const key = nextKey();
    const a = neo().userTokenSource({ key, initial: t });
    emu.clearRequests();
    emu.clock.advance(HOUR2 - 5_000);
    const token = await a.accessToken();
    expect(await neo().userTokenSource({ key }).accessToken()).toBe(token);
    expect(refreshesSent()).toHaveLength(1);
  });
});

describe('userTokenSource: refusals and failures', () => {
  it('a refused refresh → ERR_INVALID_CREDENTIAL (log in again), the chain ends and its token is not sent again', async () => {
    const t = await login();
    const store = new MemoryTokenStore();
    const key = nextKey();
    const source = neo().userTokenSource({ key, store, initial: t });
    await source.current();
    await neo().revoke(t.credentials.refreshToken!, 'refresh_token'); // behind the source's back
    emu.clearRequests();
    emu.clock.advance(HOUR2 - 5_000);
    const e = await rejects(source.accessToken(), 'ERR_INVALID_CREDENTIAL');
    expect(e.platformCode).toBe(20005);
    expect(e.message).toMatch(/refresh token.*log in again/);
    expect(e.requestId).toMatch(/^[0-9a-f-]{36}$/);
    for (const s of [HDUHELP_NEO_APP_SECRET, t.credentials.refreshToken!, t.credentials.accessToken])
      expect(everything(e)).not.toContain(s);
    const again = await rejects(source.accessToken(), 'ERR_INVALID_CREDENTIAL');
    expect(again.message).toMatch(/log in again/);
    // the same login seeded again (a session still holding it) does not bring the dead token back
    await rejects(neo().userTokenSource({ key, store, initial: t }).accessToken(), 'ERR_INVALID_CREDENTIAL');
    expect(refreshesSent()).toEqual([t.credentials.refreshToken]);
    expect(await source.current()).toBeUndefined();
    // a new login replaces the ended chain
    const fresh = await login();
    expect(await neo().userTokenSource({ key, store, initial: fresh }).accessToken()).toBe(fresh.credentials.accessToken);
  });

  it('an older login never replaces a newer chain; a newer one does', async () => {
    const store = new MemoryTokenStore();
    const key = nextKey();
    const older = await login();
    emu.clock.advance(1_000);
    const newer = await login();
    expect(await neo().userTokenSource({ key, store, initial: newer }).accessToken()).toBe(newer.credentials.accessToken);
    expect(await neo().userTokenSource({ key, store, initial: older }).accessToken()).toBe(newer.credentials.accessToken);
    emu.clock.advance(1_000);
    const newest = await login();
    expect(await neo().userTokenSource({ key, store, initial: newest }).accessToken()).toBe(newest.credentials.accessToken);
  });

  it('a passing failure (HTTP 503) serves the still-valid token and keeps the chain; the next call refreshes', async () => {
    const t = await login();
    const source = neo().userTokenSource({ key: nextKey(), store: new MemoryTokenStore(), initial: t });
    emu.clock.advance(HOUR2 - 30_000);
    emu.inject({ kind: 'json', status: 503, body: { code: 50300, msg: 'busy' } }, { path: REFRESH_PATH });
    expect(await source.accessToken()).toBe(t.credentials.accessToken);
    expect((await source.current())?.refreshToken).toBe(t.credentials.refreshToken);
    const next = await source.accessToken();
    expect(next).not.toBe(t.credentials.accessToken);
  });

  it('past the real expiry a failing refresh is an error, bounded by the timeout — never a hang — and the chain is kept', async () => {
    const t = await login();
    const source = neo(emu, { timeout: 300 }).userTokenSource({ key: nextKey(), store: new MemoryTokenStore(), initial: t });
    emu.clock.advance(HOUR2 + 1_000);
    emu.inject({ kind: 'stall' }, { path: REFRESH_PATH });
    const t0 = Date.now();
    const e = await rejects(source.accessToken(), 'ERR_TIMEOUT');
    expect(Date.now() - t0).toBeLessThan(1_500);
    expect(everything(e)).not.toContain(t.credentials.refreshToken!);
    expect((await source.current())?.refreshToken).toBe(t.credentials.refreshToken);
  });

  it('a store that does not answer → ERR_STORE within the timeout, no refresh', async () => {
    const hung: TokenStore = {
      get: () => new Promise<AppToken | undefined>(() => undefined),
      set: () => new Promise<void>(() => undefined),
      delete: async () => undefined,
    };
    const t = await login();
    emu.clearRequests();
    const t0 = Date.now();
    await rejects(
      neo(emu, { timeout: 200 }).userTokenSource({ key: nextKey(), store: hung, initial: t }).accessToken(),
      'ERR_STORE',
    );
    expect(Date.now() - t0).toBeLessThan(1_000);
    expect(refreshesSent()).toHaveLength(0);
  });

  it('nothing stored and no initial → ERR_INVALID_CREDENTIAL without a call', async () => {
    emu.clearRequests();
    await rejects(
      neo().userTokenSource({ key: nextKey(), store: new MemoryTokenStore() }).accessToken(),
      'ERR_INVALID_CREDENTIAL',
    );
    expect(emu.requests).toHaveLength(0);
  });

  it('validates its options; a classic client has no token source', () => {
    expect(() => neo().userTokenSource({ key: '' })).toThrow(/"key"/);
    expect(() => neo().userTokenSource({ key: 'k', initial: {} as HduHelpCredentials })).toThrow(/"initial"/);
    expect(() => neo().userTokenSource({ key: 'k', store: {} as TokenStore })).toThrow(/"store"/);
    expect(() => neo().userTokenSource({ key: 'k', refreshTokenLifetime: -1 })).toThrow(/"refreshTokenLifetime"/);
    const classic = new HduHelpClient({ clientID: HDUHELP_CLIENT_ID, clientSecret: HDUHELP_CLIENT_SECRET, baseURL: emu.url });
    expect(() => classic.userTokenSource({ key: 'k' })).toThrow(/neo/);
  });
});

describe('userTokenSource: revoke', () => {
  it('revokes the refresh token (JSON, token_type_hint refresh_token) and forgets the chain', async () => {
    const t = await login();
    const store = new MemoryTokenStore();
    const key = nextKey();
    const source = neo().userTokenSource({ key, store, initial: t });
    emu.clock.advance(HOUR2 - 5_000);
    const live = await source.accessToken();
    const rotated = (await source.current())!.refreshToken!;
    emu.clearRequests();
    await source.revoke();
    expect(emu.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /hduhelp-neo/open-apis/authen/revoke']);
    expect(emu.requests[0].headers['content-type']).toMatch(/^application\/json\b/);
    expect(JSON.parse(emu.requests[0].rawBody)).toEqual({
      app_id: HDUHELP_NEO_APP_ID,
      app_secret: HDUHELP_NEO_APP_SECRET,
      token: rotated,
      token_type_hint: 'refresh_token',
    });
    expect(emu.isTokenActive(rotated)).toBe(false);
    expect(emu.isTokenActive(live)).toBe(false);
    expect(await source.current()).toBeUndefined();
    await rejects(source.accessToken(), 'ERR_INVALID_CREDENTIAL');
    await source.revoke(); // nothing left: no call
    expect(emu.requests).toHaveLength(1);
  });

  it('a failed revoke (wrong secret) keeps the chain, and neither the secret nor the token is in the error', async () => {
    const t = await login();
    const store = new MemoryTokenStore();
    const secret = 'wrong-neo-secret-for-revoke-8812';
    const source = neo(emu, { clientSecret: secret }).userTokenSource({ key: nextKey(), store, initial: t });
    const e = await rejects(source.revoke(), 'ERR_PLATFORM');
    for (const s of [secret, t.credentials.refreshToken!]) expect(everything(e)).not.toContain(s);
    expect((await source.current())?.refreshToken).toBe(t.credentials.refreshToken);
  });
});
