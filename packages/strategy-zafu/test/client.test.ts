import { type CampusAuthError, type Transport, type TransportResponse } from '@campus-passport/core';
import { DEFAULT_BASE_URL, PLATFORM, ZAFU_BASE_URL, ZafuOAuthClient } from '../src';
import { caught } from './helpers';

describe('ZafuOAuthClient: platform answers that echo a credential', () => {
  const answer = (status: number, body: object): Transport =>
    (async () =>
      ({ status, headers: {}, body, text: JSON.stringify(body), url: 'http://zafu.test/' }) as TransportResponse) as Transport;
  const client = (transport: Transport) =>
    new ZafuOAuthClient({
      clientID: 'web-client',
      clientSecret: 'web-secret-0123456789',
      tokenURL: 'http://zafu.test/oauth/token',
      userInfoURL: 'http://zafu.test/oauth/userinfo',
      transport,
    });
  const text = (err: CampusAuthError) => [err.message, err.platformMessage, err.stack, JSON.stringify(err.toJSON())].join(' ');

  it('the code exchange: neither the client secret nor the code reaches the error', async () => {
    const c = client(
      answer(500, { error: 'server_error', error_description: 'failed web-secret-0123456789 / code-abcdef123456' }),
    );
    const err = await caught(c.exchangeCode({ code: 'code-abcdef123456', redirectUri: 'http://localhost/cb' }));
    expect(err).toMatchObject({ code: 'ERR_PLATFORM', upstreamStatus: 500, retryable: true });
    expect(text(err)).not.toContain('web-secret-0123456789');
    expect(text(err)).not.toContain('code-abcdef123456');
  });

  it("user info: the user's access token does not reach the error", async () => {
    const c = client(answer(401, { error: 'invalid_token', error_description: 'Token was not recognised: tok-9f8e7d6c5b4a' }));
    const err = await caught(c.userInfo('tok-9f8e7d6c5b4a'));
    expect(err).toMatchObject({ code: 'ERR_PLATFORM', platformCode: 'invalid_token', upstreamStatus: 401 });
    expect(text(err)).not.toContain('tok-9f8e7d6c5b4a');
  });
});

describe('ZafuOAuthClient: HTTP statuses and options', () => {
  const seen: Array<{ url: string; authorization?: string }> = [];
  const answer = (status: number, body: object): Transport =>
    (async (req: { url: string; headers?: Record<string, string> }) => {
      seen.push({ url: req.url, authorization: req.headers?.authorization });
      return { status, headers: {}, body, text: JSON.stringify(body), url: req.url } as TransportResponse;
    }) as Transport;
  const make = (transport: Transport, extra: object = {}) =>
    new ZafuOAuthClient({ clientID: 'web-client', clientSecret: 'web-secret-0123456789', transport, ...extra });

  it('HTTP 429 is ERR_RATE_LIMITED (retryable) on both calls', async () => {
    const c = make(answer(429, { error: 'too_many_requests' }));
    expect(await caught(c.exchangeCode({ code: 'code-1' }))).toMatchObject({ code: 'ERR_RATE_LIMITED', retryable: true });
    expect(await caught(c.userInfo('tok-1'))).toMatchObject({ code: 'ERR_RATE_LIMITED', upstreamStatus: 429 });
  });

  it('invalid_grant → ERR_INVALID_CREDENTIAL; invalid_client → ERR_PLATFORM naming the options to check', async () => {
    expect(await caught(make(answer(400, { error: 'invalid_grant' })).exchangeCode({ code: 'c' }))).toMatchObject({
      code: 'ERR_INVALID_CREDENTIAL',
      platformCode: 'invalid_grant',
    });
    const err = await caught(make(answer(401, { error: 'invalid_client' })).exchangeCode({ code: 'c' }));
    expect(err).toMatchObject({ code: 'ERR_PLATFORM', platformCode: 'invalid_client', upstreamStatus: 401 });
    expect(err.message).toMatch(/clientID, clientSecret and clientAuth/);
  });

  it('endpoints default under baseURL (DEFAULT_BASE_URL); given ones are used as given', async () => {
    expect(PLATFORM).toBe('zafu');
    expect(ZAFU_BASE_URL).toBe(DEFAULT_BASE_URL);
    const byDefault = make(answer(200, {}));
    expect([byDefault.tokenURL, byDefault.userInfoURL]).toEqual([
      'https://open.zafu.edu.cn/oauth/token',
      'https://open.zafu.edu.cn/oauth/userinfo',
    ]);
    const local = make(answer(200, { id: 'u1' }), { baseURL: 'http://127.0.0.1:9/', userInfoURL: 'http://idp.test/me/' });
    expect(local.tokenURL).toBe('http://127.0.0.1:9/oauth/token');
    await local.userInfo('tok-2');
    expect(seen.at(-1)).toEqual({ url: 'http://idp.test/me/', authorization: 'Bearer tok-2' });
  });

  it('validates its options with ERR_CONFIG naming the option', () => {
    const t = answer(200, {});
    const bad: Array<[object, RegExp]> = [
      [{ clientID: '' }, /"clientID"/],
      [{ clientSecret: 3 }, /"clientSecret"/],
      [{ baseURL: 'ftp://x' }, /"baseURL"/],
      [{ tokenURL: '/relative' }, /"tokenURL"/],
      [{ userInfoURL: 'nope' }, /"userInfoURL"/],
      [{ clientAuth: 'jwt' }, /"clientAuth"/],
      [{ userInfoAuth: 'cookie' }, /"userInfoAuth"/],
      [{ profileFields: { email: 'mail' } }, /unknown field "email"/],
      [{ timeout: -1 }, /"timeout"/],
      [{ transport: 'undici' }, /"transport"/],
    ];
    for (const [o, re] of bad) expect(() => make(t, o)).toThrow(re);
  });
});
