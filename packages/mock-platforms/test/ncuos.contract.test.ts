/**
 * Contract of the NCUOS GeniusAuth emulator against facts read in the official sources, checked
 * with raw HTTP (fetch) and node:crypto only — no campus-passport client is involved.
 * Sources: ncuhome/GeniusAuthoritarian (paths below) and ncuhome/GeniusAuthoritarianClient
 * (signature/signature.go, client.go).
 */
import { createHash, createPublicKey, verify as edVerify } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { useEmulator } from '../src/testing';
import { DEFAULT_APP_CODE, DEFAULT_APP_SECRET, startNcuosEmulator, type NcuosEmulator } from '../src/platforms/ncuos';

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

// internal/api/callback/code.go
const FORM = { code: 1, msg: '参数错误，请把输入截图发给前端同学' };
const UNAUTHORIZED = { code: 6, msg: '身份校验失败，令牌失效或过期' };
const EXPIRED = { code: 9, msg: '请求已过期，请重试' };
const TOKEN_INVALID = { code: 31, msg: '身份令牌无效或已过期' };

/**
 * RequireAppSignature for a flat form of strings, integers and booleans (their fmt.Sprint is their
 * JSON text): add appCode + timeStamp, stringify, add appSecret, sort keys by bytes, join k=v with &,
 * SHA-256 hex.
 */
function signFlat(
  fields: Record<string, string | number | boolean>,
  secret = DEFAULT_APP_SECRET,
  ts = nowS(),
  appCode = DEFAULT_APP_CODE,
) {
  const all: Record<string, string | number | boolean> = { ...fields, appCode, timeStamp: ts };
  const strs: Record<string, string> = { appSecret: secret };
  for (const [k, v] of Object.entries(all)) if (k !== 'appSecret') strs[k] = String(v);
  const base = Object.keys(strs)
    .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))
    .map((k) => `${k}=${strs[k]}`)
    .join('&');
  return { ...all, signature: sha256(base) };
}

let emu: NcuosEmulator;
const nowS = () => Math.floor(emu.clock.now() / 1000);

interface Answer {
  status: number;
  type: string;
  text: string;
  body: Record<string, unknown> | undefined;
  location: string | null;
}
/** One raw HTTP request (node:http: fetch refuses a GET with a body, which this contract needs). */
async function send(
  method: string,
  path: string,
  init: { body?: string; type?: string | null; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...init.headers };
  if (init.body !== undefined && init.type !== null) headers['content-type'] = init.type ?? 'application/json';
  if (init.body !== undefined) headers['content-length'] = String(Buffer.byteLength(init.body));
  const res = await new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }>(
    (resolve, reject) => {
      const req = httpRequest(`${emu.url}${path}`, { method, headers }, (r) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () =>
          resolve({ status: r.statusCode ?? 0, headers: r.headers, text: Buffer.concat(chunks).toString('utf8') }),
        );
        r.on('error', reject);
      });
      req.on('error', reject);
      req.end(init.body);
    },
  );
  const text = res.text;
  let body: Record<string, unknown> | undefined;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = undefined;
  }
  const header = (name: string) => {
    const v = res.headers[name];
    return typeof v === 'string' ? v : null;
  };
  return { status: res.status, type: header('content-type') ?? '', text, body, location: header('location') };
}
const postJson = (path: string, obj: unknown, headers?: Record<string, string>) =>
  send('POST', path, { body: JSON.stringify(obj), headers });
const query = (obj: Record<string, string | number | boolean>) =>
  new URLSearchParams(Object.entries(obj).map(([k, v]): [string, string] => [k, String(v)])).toString();
const VERIFY = '/api/v1/public/login/verify';
const REFRESH = '/api/v1/app/token/refresh/';

const started = useEmulator(() => startNcuosEmulator({ rateLimit: 0 }));
beforeAll(() => {
  emu = started.current;
  emu.registerApp({ appCode: 'demo', appSecret: 'sec', callbackURL: 'http://127.0.0.1:9/cb' });
});

describe('signature vectors, computed by hand from middlewares/app.go and signature/signature.go', () => {
  // Steps: decode the JSON body into map[string]interface{} with UseNumber (numbers stay as written);
  // drop "signature"; fmt.Sprint every value; set appSecret; sort.Strings the keys (UTF-8 bytes);
  // join "k=v" with "&"; SHA-256; lower-case hex. Every vector is signed at timeStamp 1700000000
  // with appCode "demo", appSecret "sec".
  const vectors: Array<{ name: string; body: string; base: string; hex: string }> = [
    {
      name: 'strings, an integer and a boolean (the verify call shape)',
      body: '{"token":"abc","grantType":"refresh_token","valid":604800,"accessToken":true,"appCode":"demo","timeStamp":1700000000}',
      base: 'accessToken=true&appCode=demo&appSecret=sec&grantType=refresh_token&timeStamp=1700000000&token=abc&valid=604800',
      hex: '14a19940d9c7b5d27cbbd28fa1c4522a29a20f6b707f9d357bea6eee7d128ce8',
    },
    {
      name: 'numbers as written (json.Number), false, null, an array, an object (fmt sorts map keys)',
      body: '{"n":1.50,"big":1e21,"neg":-0,"flag":false,"none":null,"list":[1,"a",true,null],"obj":{"b":"x","a":1},"token":"x","appCode":"demo","timeStamp":1700000000}',
      base: 'appCode=demo&appSecret=sec&big=1e21&flag=false&list=[1 a true <nil>]&n=1.50&neg=-0&none=<nil>&obj=map[a:1 b:x]&timeStamp=1700000000&token=x',
      hex: 'a18387a9de02eec7dc387e0390a750eaf07503e20160a8cd385679b50a9aae8b',
    },
    {
      name: 'unicode keys and values, \\u escapes decoded first, keys in UTF-8 byte order (～ U+FF5E before 😀 U+1F600)',
      body: '{"名字":"孙翔宇","～":"b","😀":"a","esc":"\\u5b59\\ud83d\\ude00","token":"x","appCode":"demo","timeStamp":1700000000}',
      base: 'appCode=demo&appSecret=sec&esc=孙😀&timeStamp=1700000000&token=x&名字=孙翔宇&～=b&😀=a',
      hex: '56b4246bfb63e1b33f88d8797ebab68d829a8f10e3619ba40321d0f7faba22f9',
    },
  ];

  beforeEach(() => emu.clock.set(1_700_000_000_000 + 500));

  for (const v of vectors) {
    it(`${v.name}: the hand-built string hashes to the literal, and the emulator accepts it`, async () => {
      expect(sha256(v.base)).toBe(v.hex);
      // POST /api/v1/app/token/refresh/ with a bogus token: 31 (403) is answered only past a good signature, 6 (401) for a bad one
      const ok = await send('POST', REFRESH, { body: `${v.body.slice(0, -1)},"signature":"${v.hex}"}` });
      expect([ok.status, ok.body]).toEqual([403, TOKEN_INVALID]);
      const bad = await send('POST', REFRESH, { body: `${v.body.slice(0, -1)},"signature":"${sha256(`${v.base}x`)}"}` });
      expect([bad.status, bad.body]).toEqual([401, UNAUTHORIZED]);
    });
  }

  it('1.5 is not 1.50: the server signs the literal text, so the same signature no longer matches', async () => {
    const body = vectors[1].body.replace('"n":1.50', '"n":1.5');
    const res = await send('POST', REFRESH, { body: `${body.slice(0, -1)},"signature":"${vectors[1].hex}"}` });
    expect([res.status, res.body]).toEqual([401, UNAUTHORIZED]);
  });

  it('GET: the query values are the form (first value of each key), percent-decoded before signing', async () => {
    const base = 'appCode=demo&appSecret=sec&id=8,9&timeStamp=1700000000';
    const hex = 'c5633091f4665c9a75f72c35869bd755440ed945d6d0fa2b200b38bebaaac073';
    expect(sha256(base)).toBe(hex);
    const res = await send('GET', `/api/v1/app/user/info?id=8%2C9&appCode=demo&timeStamp=1700000000&signature=${hex}&id=10`);
    expect(res.status).toBe(200);
    expect((res.body!.data as Array<{ id: number }>).map((u) => u.id)).toEqual([8, 9]);
  });

  it('a call without fields signs appCode, appSecret and timeStamp only (GET /api/v1/app/keypair/server)', async () => {
    const base = 'appCode=demo&appSecret=sec&timeStamp=1700000000';
    const hex = '6ac0965310de93ece0a3f68f16bda6043ef6b5f6eab6b98d53e3083cbef1b87c';
    expect(sha256(base)).toBe(hex);
    const res = await send('GET', `/api/v1/app/keypair/server?appCode=demo&timeStamp=1700000000&signature=${hex}`);
    expect(res.status).toBe(200);
    expect(Object.keys(res.body!.data as object).sort()).toEqual(['ca', 'jwt']);
  });

  it('a sent "appSecret" field is overwritten by the real secret before hashing (app.go sets it last)', async () => {
    const signed = signFlat({ token: 'x' }, 'sec', 1_700_000_000, 'demo'); // base has appSecret=sec
    const res = await postJson(REFRESH, { ...signed, appSecret: 'anything' });
    expect([res.status, res.body]).toEqual([403, TOKEN_INVALID]);
  });
});

describe('POST /api/v1/public/login/verify (controllers/public/login/verify.go)', () => {
  it('good signature, refresh_token mode → 200 { code: 0, data } without msg; tokens are Ed25519 JWTs', async () => {
    const res = await postJson(VERIFY, signFlat({ token: emu.issueLoginToken(8), grantType: 'refresh_token' }));
    expect(res.status).toBe(200);
    expect(res.type).toMatch(/^application\/json/);
    expect(Object.keys(res.body!)).toEqual(['code', 'data']); // callback.go: Msg has omitempty
    const data = res.body!.data as Record<string, unknown>;
    expect(data).toEqual({
      userID: 8,
      name: '孙翔宇',
      groups: ['研发', '中心'],
      avatarUrl: expect.any(String),
      refreshToken: expect.any(String),
      accessToken: expect.any(String),
    });
    const [h, c] = (data.accessToken as string)
      .split('.')
      .slice(0, 2)
      .map((p) => JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>);
    expect(h).toEqual({ alg: 'EdDSA', typ: 'JWT' }); // jwt.go: SigningMethodEd25519
    expect(c).toMatchObject({
      type: 'Access',
      uid: 8,
      oid: expect.any(Number),
      id: expect.any(Number),
      appCode: DEFAULT_APP_CODE,
    });
    expect((c.exp as number) - (c.iat as number)).toBe(300); // GenerateAccessToken: 5 minutes
  });

  it('once mode: refreshToken and accessToken are "" (response/login.go has no omitempty)', async () => {
    const res = await postJson(VERIFY, signFlat({ token: emu.issueLoginToken(9), grantType: 'once' }));
    expect(res.body!.data).toMatchObject({ userID: 9, refreshToken: '', accessToken: '' });
  });

  it('bad signature → 401 { code: 6, msg }, no data', async () => {
    const res = await postJson(VERIFY, signFlat({ token: emu.issueLoginToken(8) }, 'not-the-secret'));
    expect([res.status, res.body]).toEqual([401, UNAUTHORIZED]);
  });

  it('used, expired or unknown login token → the same 401 { code: 6 } (jwt.go ParseLoginToken destroys it on first read)', async () => {
    const token = emu.issueLoginToken(8);
    expect((await postJson(VERIFY, signFlat({ token }))).body!.code).toBe(0);
    const used = await postJson(VERIFY, signFlat({ token }));
    expect([used.status, used.body]).toEqual([401, UNAUTHORIZED]);
    const old = emu.issueLoginToken(8);
    emu.clock.advance(5 * 60_000 + 1);
    expect([(await postJson(VERIFY, signFlat({ token: old }))).status]).toEqual([401]);
    expect((await postJson(VERIFY, signFlat({ token: 'not.a.jwt' }))).body).toEqual(UNAUTHORIZED);
  });

  it('timeStamp window: up to 5 min behind and 10 s ahead, else 403 { code: 9 } (app.go)', async () => {
    const t = nowS();
    for (const ts of [t - 298, t + 8])
      expect((await postJson(VERIFY, signFlat({ token: emu.issueLoginToken(8) }, undefined, ts))).body!.code).toBe(0);
    for (const ts of [t - 302, t + 12]) {
      const res = await postJson(VERIFY, signFlat({ token: emu.issueLoginToken(8) }, undefined, ts));
      expect([res.status, res.body]).toEqual([403, EXPIRED]);
    }
  });

  it('payload: 32 characters accepted, 33 → 400 { code: 1 } (binding:"max=32", counted in runes)', async () => {
    const code = async (payload: string) =>
      (await postJson(VERIFY, signFlat({ token: emu.issueLoginToken(8), grantType: 'refresh_token', payload }))).body!.code;
    expect(await code('x'.repeat(32))).toBe(0);
    expect(await code('😀'.repeat(32))).toBe(0);
    const over = await postJson(
      VERIFY,
      signFlat({ token: emu.issueLoginToken(8), grantType: 'refresh_token', payload: 'x'.repeat(33) }),
    );
    expect([over.status, over.body]).toEqual([400, FORM]);
    expect(await code('😀'.repeat(33))).toBe(1);
  });

  it('valid: min=0,max=2592000; refresh_token mode refuses 1–604799 with ErrorWithTip', async () => {
    const answer = async (valid: number | string, grantType = 'refresh_token') =>
      postJson(VERIFY, signFlat({ token: emu.issueLoginToken(8), grantType, valid }));
    expect((await answer(0)).body!.code).toBe(0);
    expect((await answer(2_592_000)).body!.code).toBe(0);
    expect((await answer(2_592_001)).body).toEqual(FORM);
    expect((await answer(-1)).body).toEqual(FORM);
    expect((await answer(604_799)).body).toEqual({ code: 1, msg: 'valid time too short, min 604800 seconds (7 days)' });
    expect((await answer(5, 'once')).body!.code).toBe(0);
    expect((await answer('604800')).body).toEqual(FORM); // a JSON string does not bind to int64
  });

  it('an integer written 604800.0 does not bind to int64 → 400 { code: 1 } (signature over "604800.0" is good)', async () => {
    const token = emu.issueLoginToken(8);
    const ts = nowS();
    const base = `appCode=${DEFAULT_APP_CODE}&appSecret=${DEFAULT_APP_SECRET}&grantType=refresh_token&timeStamp=${ts}&token=${token}&valid=604800.0`;
    const body = `{"token":"${token}","grantType":"refresh_token","valid":604800.0,"appCode":"${DEFAULT_APP_CODE}","timeStamp":${ts},"signature":"${sha256(base)}"}`;
    expect((await send('POST', VERIFY, { body })).body).toEqual(FORM);
  });

  it('clientIp is accepted and never checked: no code 20 (the check is commented out since 2024-12)', async () => {
    const res = await postJson(VERIFY, signFlat({ token: emu.issueLoginToken(8, { ip: '10.1.2.3' }), clientIp: '203.0.113.50' }));
    expect(res.body!.code).toBe(0);
  });

  it('a login token is verified by any correctly signed app: verify.go compares no appCode', async () => {
    const res = await postJson(
      VERIFY,
      signFlat({ token: emu.issueLoginToken(8), grantType: 'refresh_token' }, 'sec', nowS(), 'demo'),
    );
    expect(res.body!.code).toBe(0);
    const [, claims] = (res.body!.data as Record<string, string>).refreshToken.split('.');
    expect(JSON.parse(Buffer.from(claims, 'base64url').toString())).toMatchObject({ type: 'Refresh', appCode: 'demo' });
  });

  it('encodings: the signature reads JSON whatever the Content-Type, then c.ShouldBind needs application/json', async () => {
    const signed = signFlat({ token: emu.issueLoginToken(8) });
    // text/plain: signature good, then binding.Form finds no Token → 1
    expect((await send('POST', VERIFY, { body: JSON.stringify(signed), type: 'text/plain' })).body).toEqual(FORM);
    expect(
      (await send('POST', VERIFY, { body: JSON.stringify(signFlat({ token: 'x' }, 'bad')), type: 'text/plain' })).body,
    ).toEqual(UNAUTHORIZED);
    // a urlencoded body is not JSON: the signature middleware refuses it
    const form = await send('POST', VERIFY, {
      body: query(signFlat({ token: emu.issueLoginToken(8) })),
      type: 'application/x-www-form-urlencoded',
    });
    expect([form.status, form.body]).toEqual([400, FORM]);
    // charset parameters are fine; no body at all is a form error
    expect(
      (
        await send('POST', VERIFY, {
          body: JSON.stringify(signFlat({ token: emu.issueLoginToken(8) })),
          type: 'application/json; charset=utf-8',
        })
      ).body!.code,
    ).toBe(0);
    expect((await send('POST', VERIFY)).body).toEqual(FORM);
    // timeStamp must be a JSON integer (binding into int64)
    expect((await postJson(VERIFY, { ...signFlat({ token: 'x' }), timeStamp: String(nowS()) })).body).toEqual(FORM);
  });

  it('JSON keys bind to struct fields case-insensitively (encoding/json), and are signed as sent', async () => {
    const res = await postJson(VERIFY, signFlat({ TOKEN: emu.issueLoginToken(9) }));
    expect(res.body).toMatchObject({ code: 0, data: { userID: 9 } });
  });

  it('is not rate limited (Secure() guards the login-page routes only: router/public/login/init.go)', async () => {
    const limited = await startNcuosEmulator({ rateLimit: 2 });
    try {
      for (let i = 0; i < 4; i++) {
        const res = await fetch(`${limited.url}${VERIFY}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(
            signFlat({ token: limited.issueLoginToken(8) }, DEFAULT_APP_SECRET, Math.floor(limited.clock.now() / 1000)),
          ),
        });
        expect(((await res.json()) as { code: number }).code).toBe(0);
      }
    } finally {
      await limited.close();
    }
  });
});

describe('the other signed routes (router/app/*.go, controllers/app/*.go)', () => {
  const login = async (payload?: string) => {
    const res = await postJson(
      VERIFY,
      signFlat({ token: emu.issueLoginToken(8), grantType: 'refresh_token', ...(payload ? { payload } : {}) }),
    );
    return res.body!.data as { refreshToken: string; accessToken: string };
  };

  it('GET reads the query only: body fields are ignored', async () => {
    const signedQuery = query(signFlat({ id: '8' }));
    const res = await send('GET', `/api/v1/app/user/info?${signedQuery}`, {
      body: JSON.stringify({ id: '9', signature: 'nonsense' }),
    });
    expect(res.status).toBe(200);
    expect((res.body!.data as Array<{ id: number }>).map((u) => u.id)).toEqual([8]);
    const noId = await send('GET', `/api/v1/app/user/info?${query(signFlat({}))}`, {
      body: JSON.stringify(signFlat({ id: '8' })),
    });
    expect([noId.status, noId.body]).toEqual([400, FORM]);
  });

  it('GET user/info: ids split on "," and parsed with ParseUint (no spaces); answer in request order', async () => {
    expect((await send('GET', `/api/v1/app/user/info?${query(signFlat({ id: '8, 9' }))}`)).body).toEqual(FORM);
    const res = await send('GET', `/api/v1/app/user/info?${query(signFlat({ id: '9,8,404' }))}`);
    expect((res.body!.data as Array<{ id: number }>).map((u) => u.id)).toEqual([9, 8]);
    // service/User.go GetUserInfoPublic: users after the last one with groups keep a nil slice → null
    const trailing = await send('GET', `/api/v1/app/user/info?${query(signFlat({ id: '10,8,10' }))}`);
    expect(trailing.body!.data).toEqual([
      expect.objectContaining({ id: 10, groups: [] }),
      expect.objectContaining({
        id: 8,
        groups: [
          { id: 1, name: '研发' },
          { id: 2, name: '中心' },
        ],
      }),
    ]);
    const last = await send('GET', `/api/v1/app/user/info?${query(signFlat({ id: '8,10' }))}`);
    expect((last.body!.data as Array<{ groups: unknown }>)[1].groups).toBeNull();
  });

  it('DELETE refresh/ reads the token from the query (form:"token"), answers { code: 0 } exactly', async () => {
    const { refreshToken, accessToken } = await login();
    const inBody = await send('DELETE', `${REFRESH}?${query(signFlat({}))}`, { body: JSON.stringify({ token: refreshToken }) });
    expect([inBody.status, inBody.body]).toEqual([400, FORM]);
    const res = await send('DELETE', `${REFRESH}?${query(signFlat({ token: refreshToken }))}`);
    expect([res.status, res.body]).toEqual([200, { code: 0 }]);
    // the access token dies with its refresh record (ParseAccessToken checks the store point)
    const after = await postJson('/api/v1/app/token/access/verify', signFlat({ token: accessToken }));
    expect([after.status, after.body]).toEqual([403, TOKEN_INVALID]);
  });

  it('POST refresh/ reads the JSON body (a token in the query is not seen); answers snake_case access_token', async () => {
    const { refreshToken } = await login('p1');
    const inQuery = await send('POST', `${REFRESH}?token=${refreshToken}`, { body: JSON.stringify(signFlat({})) });
    expect([inQuery.status, inQuery.body]).toEqual([400, FORM]);
    const res = await postJson(REFRESH, signFlat({ token: refreshToken }));
    expect(res.body).toEqual({ code: 0, data: { access_token: expect.any(String), payload: 'p1' } });
    const noPayload = await postJson(REFRESH, signFlat({ token: (await login()).refreshToken }));
    expect(noPayload.body).toEqual({ code: 0, data: { access_token: expect.any(String) } }); // payload omitempty
  });

  it('PATCH refresh/: payload required, no length limit; accessToken omitted unless asked', async () => {
    const { refreshToken } = await login();
    expect((await send('PATCH', REFRESH, { body: JSON.stringify(signFlat({ token: refreshToken, payload: '' })) })).body).toEqual(
      FORM,
    );
    const long = await send('PATCH', REFRESH, {
      body: JSON.stringify(signFlat({ token: refreshToken, payload: 'y'.repeat(40) })),
    });
    expect(long.body).toEqual({ code: 0, data: { refreshToken: expect.any(String) } });
    const both = await send('PATCH', REFRESH, {
      body: JSON.stringify(signFlat({ token: refreshToken, payload: 'z', accessToken: true })),
    });
    expect(both.body).toEqual({ code: 0, data: { refreshToken: expect.any(String), accessToken: expect.any(String) } });
    expect(
      (
        await send('PATCH', REFRESH, {
          body: JSON.stringify(signFlat({ token: refreshToken, payload: 'z', accessToken: 'yes' })),
        })
      ).body,
    ).toEqual(FORM);
  });

  it("another app's access / refresh token → 401 { code: 6 } after a good signature (RequireAccessToken, RefreshToken)", async () => {
    const { refreshToken, accessToken } = await login();
    const other = (fields: Record<string, string>) => signFlat(fields, 'sec', nowS(), 'demo');
    expect((await postJson('/api/v1/app/token/access/verify', other({ token: accessToken }))).body).toEqual(UNAUTHORIZED);
    expect((await postJson(REFRESH, other({ token: refreshToken }))).body).toEqual(UNAUTHORIZED);
    // a login token is not an access token (claims type)
    expect((await postJson('/api/v1/app/token/access/verify', signFlat({ token: emu.issueLoginToken(8) }))).body).toEqual(
      TOKEN_INVALID,
    );
  });

  it('GET keypair/server: `jwt` is base64 of a PEM "EC PUBLIC KEY" (PKIX Ed25519) that verifies the tokens', async () => {
    const res = await send('GET', `/api/v1/app/keypair/server?${query(signFlat({}))}`);
    expect(res.status).toBe(200);
    const { jwt, ca } = res.body!.data as { jwt: string; ca: string };
    const pem = Buffer.from(jwt, 'base64').toString();
    expect(pem).toMatch(/^-----BEGIN EC PUBLIC KEY-----\n[A-Za-z0-9+/=\n]+-----END EC PUBLIC KEY-----\n$/);
    expect(Buffer.from(ca, 'base64').toString()).toMatch(/^-----BEGIN CERTIFICATE-----\n/);
    const der = Buffer.from(pem.replace(/-----[A-Z ]+-----|\n/g, ''), 'base64');
    const key = createPublicKey({ key: der, format: 'der', type: 'spki' });
    expect(key.asymmetricKeyType).toBe('ed25519');
    const token = emu.issueLoginToken(8);
    const [h, c, s] = token.split('.');
    expect(edVerify(null, Buffer.from(`${h}.${c}`), key, Buffer.from(s, 'base64url'))).toBe(true);
    expect(JSON.parse(Buffer.from(c, 'base64url').toString())).toMatchObject({ type: 'Login', uid: 8 });
  });

  it('access-token claims: exactly exp, iat, type, uid, oid, id, appCode, payload in jwtClaims order; json.Marshal HTML escaping', async () => {
    const { accessToken, refreshToken } = await login('<a&b>');
    const raw = Buffer.from(accessToken.split('.')[1], 'base64url').toString();
    // jwtClaims: RegisteredClaims (exp, iat) < TypedClaims.type < UserClaims (uid, oid) < RefreshToken (id, appCode, payload)
    expect(Object.keys(JSON.parse(raw))).toEqual(['exp', 'iat', 'type', 'uid', 'oid', 'id', 'appCode', 'payload']);
    expect(raw).toContain('"payload":"\\u003ca\\u0026b\\u003e"'); // golang-jwt marshals with encoding/json
    // payload has omitempty; the refresh token carries the same claims with type Refresh
    const plain = await login();
    expect(JSON.parse(Buffer.from(plain.accessToken.split('.')[1], 'base64url').toString())).not.toHaveProperty('payload');
    expect(JSON.parse(Buffer.from(refreshToken.split('.')[1], 'base64url').toString())).toMatchObject({
      type: 'Refresh',
      payload: '<a&b>',
    });
  });

  it('a token segment that is not unpadded base64url is refused (golang-jwt DecodeSegment: RawURLEncoding) → 31', async () => {
    const { accessToken } = await login();
    const verifyAccess = (token: string) => postJson('/api/v1/app/token/access/verify', signFlat({ token }));
    expect((await verifyAccess(accessToken)).body).toMatchObject({ code: 0, data: { uid: 8 } });
    const [h, c, s] = accessToken.split('.');
    for (const bad of [`${h}.${c}.${s}=`, `${h}=.${c}.${s}`, `${h}.${c}.${s}!`, `${h}.${c}.${s.replace(/-/g, '+')}x`])
      expect((await verifyAccess(bad)).body).toEqual(TOKEN_INVALID);
  });
});

describe('routes and methods as gin.Default + GinWebServe answer them (internal/router/*.go)', () => {
  it('a method a route does not have → 404 text "404 page not found"; an unknown GET → the SPA (200 HTML)', async () => {
    const put = await send('PUT', REFRESH, { body: JSON.stringify(signFlat({ token: 'x' })) });
    expect([put.status, put.type.split(';')[0], put.text]).toEqual([404, 'text/plain', '404 page not found']);
    const getVerify = await send('GET', VERIFY);
    expect(getVerify.status).toBe(200);
    expect(getVerify.type).toMatch(/^text\/html/);
    expect((await send('HEAD', '/api/v1/app/user/info')).status).toBe(404);
  });

  it('RedirectTrailingSlash: 307 for POST (body kept by clients), 301 for GET, query kept', async () => {
    const post = await send('POST', '/api/v1/app/token/refresh', { body: JSON.stringify(signFlat({ token: 'x' })) });
    expect([post.status, post.location]).toEqual([307, '/api/v1/app/token/refresh/']);
    const get = await send('GET', '/api/v1/public/app?appCode=demo');
    expect([get.status, get.location]).toEqual([301, '/api/v1/public/app/?appCode=demo']);
  });

  it('the deprecated /api/v1/public/token/… alias is signed like /api/v1/app/token/… (router/public/init.go)', async () => {
    expect((await postJson('/api/v1/public/token/refresh/', signFlat({ token: 'x' }))).body).toEqual(TOKEN_INVALID);
    expect((await postJson('/api/v1/public/token/refresh/', signFlat({ token: 'x' }, 'bad'))).body).toEqual(UNAUTHORIZED);
  });
});

describe('the login-page API (thirdPartyLogin.go, data.go) and its rate limit (secure.go)', () => {
  const loginApi = (app: string, appCode: string, code: string, headers?: Record<string, string>) =>
    postJson(`/api/v1/public/login/${app}/${appCode}`, { code }, headers);

  it('codes 7 (no group) and 26 (no identity) come from here; 3 unknown app; 1 unknown login method', async () => {
    expect(await loginApi('feishu', DEFAULT_APP_CODE, '10')).toMatchObject({
      status: 403,
      body: { code: 7, msg: '找不到身份组，请联系管理员处理' },
    });
    expect(await loginApi('dingTalk', DEFAULT_APP_CODE, '11')).toMatchObject({ status: 403, body: { code: 26 } });
    expect(await loginApi('feishu', 'no-such-app', '8')).toMatchObject({ status: 404, body: { code: 3, msg: '没有找到授权码' } });
    expect(await loginApi('github', DEFAULT_APP_CODE, '8')).toMatchObject({ status: 400, body: FORM });
    expect((await postJson(`/api/v1/public/login/feishu/${DEFAULT_APP_CODE}`, {})).body).toEqual(FORM);
  });

  it('success: { token, mfa: false, callback } — the callback carries the token, which verifies once', async () => {
    const res = await loginApi('feishu', DEFAULT_APP_CODE, '9');
    expect(res.status).toBe(200);
    const data = res.body!.data as { token: string; mfa: boolean; callback: string };
    expect(data.mfa).toBe(false);
    expect(new URL(data.callback).searchParams.get('token')).toBe(data.token);
    expect((await postJson(VERIFY, signFlat({ token: data.token }))).body).toMatchObject({ code: 0, data: { userID: 9 } });
  });

  it('60 per minute per client IP by default (X-Forwarded-For honoured: gin trusts every proxy by default)', async () => {
    const limited = await startNcuosEmulator();
    try {
      const hit = (ip: string) =>
        fetch(`${limited.url}/api/v1/public/app/?appCode=${DEFAULT_APP_CODE}`, { headers: { 'x-forwarded-for': ip } }).then(
          async (r) => ({
            status: r.status,
            body: (await r.json()) as { code: number },
          }),
        );
      for (let i = 0; i < 60; i++) expect((await hit('198.51.100.1')).body.code).toBe(0);
      expect(await hit('198.51.100.1')).toEqual({ status: 403, body: { code: 19, msg: '操作频繁，请稍后重试' } });
      expect((await hit('198.51.100.2')).body.code).toBe(0);
      limited.clock.advance(60_000);
      expect((await hit('198.51.100.1')).body.code).toBe(0);
    } finally {
      await limited.close();
    }
  });
});
