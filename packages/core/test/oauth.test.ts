import { createHash } from 'node:crypto';
import { SessionStateStore, type CampusRequest } from '../src';
import { authorizationError, checkAuthorizationState, createPkcePair, startAuthorization } from '../src/kit';

function fakeReq(query: Record<string, unknown> = {}): CampusRequest {
  const session: Record<string, unknown> = { save: (cb: () => void) => cb() };
  return { query, headers: { host: 'app.example' }, url: '/auth/x', session } as unknown as CampusRequest;
}

describe('OAuth pieces', () => {
  it('createPkcePair: S256 of the verifier, base64url', () => {
    const { verifier, challenge } = createPkcePair();
    expect(verifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(challenge).toBe(createHash('sha256').update(verifier).digest('base64url'));
    expect(createPkcePair().verifier).not.toBe(verifier);
  });

  it('startAuthorization → checkAuthorizationState: a per-flow state carrying the PKCE verifier, single-use', async () => {
    const store = new SessionStateStore({ key: 'k', platform: 'demo' });
    const req = fakeReq();
    const seen: Array<Record<string, unknown>> = [];
    const out = await startAuthorization(
      req,
      { scope: ['a', 'b'] },
      {
        platform: 'demo',
        stateStore: store,
        callbackURL: 'https://app.example/cb',
        pkce: true,
        authorizeURL: (p) => {
          seen.push({ ...p });
          return `https://idp.example/authorize?state=${p.state}`;
        },
      },
    );
    expect(out.kind).toBe('redirect');
    expect(seen[0]).toMatchObject({ redirectURI: 'https://app.example/cb', scope: ['a', 'b'] });
    const state = String(seen[0].state);
    expect(out.url).toBe(`https://idp.example/authorize?state=${state}`);
    const back = fakeReq({ state });
    (back as { session: unknown }).session = req.session;
    const checked = await checkAuthorizationState(back, store, 'demo');
    expect(checked.state).toBe(state);
    expect(createHash('sha256').update(checked.verifier!).digest('base64url')).toBe(seen[0].codeChallenge);
    await expect(checkAuthorizationState(back, store, 'demo')).rejects.toMatchObject({ code: 'ERR_STATE' });
  });

  it('authorizationError: access_denied is the user (ERR_DENIED), others ERR_PLATFORM with the description', () => {
    expect(authorizationError(fakeReq({}), 'demo')).toBeUndefined();
    expect(authorizationError(fakeReq({ error: '' }), 'demo')).toBeUndefined();
    const denied = authorizationError(fakeReq({ error: 'access_denied' }), 'demo')!;
    expect(denied.code).toBe('ERR_DENIED');
    expect(denied.status).toBe(403);
    expect(denied.message).toBe('demo: the user declined the login');
    const other = authorizationError(fakeReq({ error: 'server_error', error_description: '维护中' }), 'demo')!;
    expect(other.code).toBe('ERR_PLATFORM');
    expect(other.platformCode).toBe('server_error');
    expect(other.platformMessage).toBe('维护中');
    expect(() => authorizationError(fakeReq({ error: ['a', 'b'] }), 'demo')).toThrow(/more than once/);
  });
});
