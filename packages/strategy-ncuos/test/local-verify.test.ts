/**
 * LocalAccessVerifier and its key cache with an injected key fetch and clock (no network): one fetch
 * in flight, a refetch on a signature failure at most once per KEY_REFETCH_INTERVAL_MS, fetch
 * failures passed on. The same behaviour over HTTP against the emulator is in middleware.test.ts.
 */
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { CampusAuthError } from '@campus-passport/core';
import { KEY_REFETCH_INTERVAL_MS, VERIFIED_TOKEN_MEMO_SIZE } from '../src';
import * as pure from '../src/access-token';
import { LocalAccessVerifier } from '../src/local-verify';

const APP = 'campus-passport-demo';
const b64url = (s: string | Buffer) => Buffer.from(s).toString('base64url');

function keyPair() {
  return generateKeyPairSync('ed25519');
}
function token(privateKey: KeyObject, nowMs: number, claims: object = {}): string {
  const s = Math.floor(nowMs / 1000);
  const c = { exp: s + 300, iat: s, type: 'Access', uid: 8, oid: 1, id: 1, appCode: APP, ...claims };
  const body = `${b64url(JSON.stringify({ alg: 'EdDSA', typ: 'JWT' }))}.${b64url(JSON.stringify(c))}`;
  return `${body}.${b64url(sign(null, Buffer.from(body), privateKey))}`;
}

/** A verifier whose key fetch answers `serving.publicKey` after a tick, counting calls. */
function setup() {
  let now = 1_715_900_000_000;
  const state = { serving: keyPair(), fetches: 0, fail: undefined as Error | undefined };
  const verifier = new LocalAccessVerifier(
    APP,
    () => now,
    async () => {
      state.fetches++;
      await new Promise((r) => setTimeout(r, 5));
      if (state.fail) throw state.fail;
      return state.serving.publicKey;
    },
  );
  return { verifier, state, now: () => now, advance: (ms: number) => void (now += ms) };
}

describe('LocalAccessVerifier (injected fetch and clock)', () => {
  it('a burst before the key is cached shares one fetch; later calls fetch nothing', async () => {
    const { verifier, state, now } = setup();
    const t = token(state.serving.privateKey, now());
    const all = await Promise.all(Array.from({ length: 20 }, () => verifier.verify(t)));
    for (const r of all)
      expect(r).toEqual({ uid: 8, appCode: APP, payload: '', expiresAt: (Math.floor(now() / 1000) + 300) * 1000 });
    await verifier.verify(t);
    expect(state.fetches).toBe(1);
  });

  it('malformed tokens cost no fetch', async () => {
    const { verifier, state } = setup();
    await expect(verifier.verify('not.a.token')).rejects.toMatchObject({ code: 'ERR_INVALID_CREDENTIAL' });
    expect(state.fetches).toBe(0);
  });

  it(`key rotation: a signature failure refetches once (shared by a burst), not again within ${KEY_REFETCH_INTERVAL_MS} ms`, async () => {
    const { verifier, state, now, advance } = setup();
    const old = state.serving;
    await verifier.verify(token(old.privateKey, now()));
    state.serving = keyPair(); // the platform rotates
    const fresh = token(state.serving.privateKey, now());

    // too soon after the first fetch: no refetch, refused
    await expect(verifier.verify(fresh)).rejects.toMatchObject({
      code: 'ERR_INVALID_CREDENTIAL',
      message: expect.stringMatching(/signature/),
    });
    expect(state.fetches).toBe(1);

    advance(KEY_REFETCH_INTERVAL_MS);
    const burst = await Promise.all(Array.from({ length: 10 }, () => verifier.verify(fresh)));
    for (const r of burst) expect(r.uid).toBe(8);
    expect(state.fetches).toBe(2);

    // a token of the old key now fails, and cannot cause another fetch for 30 s
    await expect(verifier.verify(token(old.privateKey, now()))).rejects.toMatchObject({ code: 'ERR_INVALID_CREDENTIAL' });
    expect(state.fetches).toBe(2);
  });

  it('forged tokens (another key): at most one fetch per interval, however many', async () => {
    const { verifier, state, now, advance } = setup();
    const forger = keyPair();
    await verifier.verify(token(state.serving.privateKey, now()));
    advance(KEY_REFETCH_INTERVAL_MS);
    const results = await Promise.all(
      Array.from({ length: 50 }, () => verifier.verify(token(forger.privateKey, now())).catch((e: unknown) => e)),
    );
    for (const e of results) expect(e).toMatchObject({ code: 'ERR_INVALID_CREDENTIAL' });
    expect(state.fetches).toBe(2);
    advance(KEY_REFETCH_INTERVAL_MS - 1);
    await expect(verifier.verify(token(forger.privateKey, now()))).rejects.toMatchObject({ code: 'ERR_INVALID_CREDENTIAL' });
    expect(state.fetches).toBe(2);
    advance(1);
    await expect(verifier.verify(token(forger.privateKey, now()))).rejects.toMatchObject({ code: 'ERR_INVALID_CREDENTIAL' });
    expect(state.fetches).toBe(3);
  });

  it("a failed key fetch is the fetch's error (shared by its waiters); the next call tries again", async () => {
    const { verifier, state, now } = setup();
    state.fail = new CampusAuthError('ERR_PLATFORM', 'boom', { platform: 'ncuos', retryable: true });
    const t = token(state.serving.privateKey, now());
    const errs = await Promise.all(Array.from({ length: 5 }, () => verifier.verify(t).catch((e: unknown) => e)));
    for (const e of errs) expect(e).toBe(state.fail);
    expect(state.fetches).toBe(1);
    state.fail = undefined;
    await expect(verifier.verify(t)).resolves.toMatchObject({ uid: 8 });
    expect(state.fetches).toBe(2);
  });

  it('a failed refetch after a signature failure: its error; the cached key stays in use', async () => {
    const { verifier, state, now, advance } = setup();
    const first = state.serving;
    await verifier.verify(token(first.privateKey, now()));
    advance(KEY_REFETCH_INTERVAL_MS);
    state.fail = new CampusAuthError('ERR_TIMEOUT', 'slow', { platform: 'ncuos' });
    await expect(verifier.verify(token(keyPair().privateKey, now()))).rejects.toMatchObject({ code: 'ERR_TIMEOUT' });
    await expect(verifier.verify(token(first.privateKey, now()))).resolves.toMatchObject({ uid: 8 });
    expect(state.fetches).toBe(2);
  });

  it('claims are checked after the signature: expired, foreign app', async () => {
    const { verifier, state, now, advance } = setup();
    const t = token(state.serving.privateKey, now());
    await expect(verifier.verify(token(state.serving.privateKey, now(), { appCode: 'second-app' }))).rejects.toMatchObject({
      message: expect.stringMatching(/another app/),
    });
    advance(300_000 + 3000);
    await expect(verifier.verify(t)).rejects.toMatchObject({
      code: 'ERR_INVALID_CREDENTIAL',
      message: expect.stringMatching(/expired/),
    });
    expect(state.fetches).toBe(1);
  });

  it(`a verified token is remembered (no second Ed25519 check; at most ${VERIFIED_TOKEN_MEMO_SIZE}), its claims still checked`, async () => {
    const spy = jest.spyOn(pure, 'verifyJwtSignature');
    try {
      const { verifier, state, now, advance } = setup();
      const t = token(state.serving.privateKey, now());
      await verifier.verify(t);
      await verifier.verify(t);
      expect(spy).toHaveBeenCalledTimes(1);
      // the oldest is dropped past the limit
      for (let i = 0; i < VERIFIED_TOKEN_MEMO_SIZE; i++)
        await verifier.verify(token(state.serving.privateKey, now(), { id: i + 2 }));
      spy.mockClear();
      await verifier.verify(t);
      expect(spy).toHaveBeenCalledTimes(1);
      // remembered, yet refused once expired
      advance(300_000 + 3000);
      await expect(verifier.verify(t)).rejects.toMatchObject({
        code: 'ERR_INVALID_CREDENTIAL',
        message: expect.stringMatching(/expired/),
      });
    } finally {
      spy.mockRestore();
    }
  });

  it('the memory of verified tokens is dropped when the key changes: an old-key token is refused after a rotation', async () => {
    const { verifier, state, now, advance } = setup();
    const old = state.serving;
    const oldToken = token(old.privateKey, now());
    await expect(verifier.verify(oldToken)).resolves.toMatchObject({ uid: 8 });
    state.serving = keyPair();
    advance(KEY_REFETCH_INTERVAL_MS);
    await expect(verifier.verify(token(state.serving.privateKey, now()))).resolves.toMatchObject({ uid: 8 }); // refetched
    await expect(verifier.verify(oldToken)).rejects.toMatchObject({
      code: 'ERR_INVALID_CREDENTIAL',
      message: expect.stringMatching(/signature/),
    });
    expect(state.fetches).toBe(2);
  });
});
