/**
 * The HDU Helper neo emulator held to the official contract, without our client: raw HTTP against
 * the emulator, checked against facts copied from hduhelp/hduhelp-neo-sdk-go `openapi.yaml`
 * (SDK 0.3.54, commit 199d324). Where openapi.yaml is silent the test says which other official
 * file the fact comes from, or that the checked behaviour is the emulator's own choice.
 */
import { createHash } from 'node:crypto';
import {
  HDUHELP_NEO_APP_ID,
  HDUHELP_NEO_APP_SECRET,
  HDUHELP_USERS,
  startHduhelpEmulator,
  type HduHelpEmulator,
} from '@campus-passport/mock-platforms/hduhelp';
import { useEmulator } from '@campus-passport/mock-platforms/testing';

type JsonType = 'string' | 'integer' | 'string[]';
type Encoding = 'form' | 'json' | 'none';

interface Operation {
  /** openapi.yaml operationId. */
  operation: string;
  method: 'GET' | 'POST';
  path: string;
  /** The requestBody content type openapi.yaml gives (`none`: no body). */
  encoding: Encoding;
  /** The request body schema's properties. */
  requestFields: readonly string[];
  /**
   * The fields the call cannot do without. openapi.yaml marks no property `required`: these are
   * the fields core/userauth.go always sends (ExchangeCode, Refresh), and for revoke every field
   * but the one its description calls optional (token_type_hint).
   */
  requiredFields: readonly string[];
  /** The `data` properties of the response schema and their JSON types; null: the schema has no `data`. */
  responseData: Readonly<Record<string, JsonType>> | null;
}

// Source: hduhelp/hduhelp-neo-sdk-go openapi.yaml — paths /hduhelp-neo/open-apis/authen/* and the
// schemas AuthenAccessTokenRequestBody, AuthenRefreshAccessTokenRequestBody, AuthenRevokeRequestBody,
// AuthenAccessTokenRespBody → AuthenTokenData, AuthenRevokeRespBody, AuthenUserInfoRespBody →
// AuthenUserInfoData; paths /hduhelp-neo/open-apis/auth/{tenant,app}-access-token/internal and the
// schemas TenantAccessTokenInternalRequestBody / AppAccessTokenInternalRequestBody,
// TenantAccessTokenData / AppAccessTokenData. (`integer` = `type: integer, format: int64`.)
const TOKEN_DATA: Record<string, JsonType> = {
  accessToken: 'string',
  refreshToken: 'string',
  expiresIn: 'integer',
  scope: 'string',
  tenantKey: 'string',
  tokenType: 'string',
  userId: 'string',
  patId: 'string',
};
const OPERATIONS: readonly Operation[] = [
  {
    operation: 'IdentityService_AuthenAccessToken',
    method: 'POST',
    path: '/hduhelp-neo/open-apis/authen/access-token',
    encoding: 'form',
    requestFields: ['grant_type', 'app_id', 'app_secret', 'code', 'code_verifier', 'device_code', 'client_id'],
    requiredFields: ['grant_type', 'app_id', 'app_secret', 'code'],
    responseData: TOKEN_DATA,
  },
  {
    operation: 'IdentityService_AuthenRefreshAccessToken',
    method: 'POST',
    path: '/hduhelp-neo/open-apis/authen/refresh-access-token',
    encoding: 'json',
    requestFields: ['grant_type', 'app_id', 'app_secret', 'refresh_token'],
    requiredFields: ['grant_type', 'app_id', 'app_secret', 'refresh_token'],
    responseData: TOKEN_DATA,
  },
  {
    operation: 'IdentityService_AuthenRevoke',
    method: 'POST',
    path: '/hduhelp-neo/open-apis/authen/revoke',
    encoding: 'json',
    requestFields: ['app_id', 'app_secret', 'token', 'token_type_hint'],
    requiredFields: ['app_id', 'app_secret', 'token'],
    responseData: null,
  },
  {
    operation: 'IdentityService_AuthenUserInfo',
    method: 'GET',
    path: '/hduhelp-neo/open-apis/authen/user-info',
    encoding: 'none', // security: UATBearerAuth (Authorization: Bearer <user_access_token>)
    requestFields: [],
    requiredFields: [],
    responseData: { userId: 'string', name: 'string', avatar: 'string', staffId: 'string', school: 'string', scopes: 'string[]' },
  },
  {
    operation: 'IdentityService_TenantAccessTokenInternal',
    method: 'POST',
    path: '/hduhelp-neo/open-apis/auth/tenant-access-token/internal',
    encoding: 'json',
    requestFields: ['app_id', 'app_secret'],
    // core/token.go tenantTokenCache.fetch always sends both
    requiredFields: ['app_id', 'app_secret'],
    responseData: { tenantAccessToken: 'string', expire: 'integer', tenantKey: 'string' },
  },
  {
    operation: 'IdentityService_AppAccessTokenInternal',
    method: 'POST',
    path: '/hduhelp-neo/open-apis/auth/app-access-token/internal',
    encoding: 'json',
    requestFields: ['app_id', 'app_secret'],
    // the same pair as the tenant token (openapi.yaml AppAccessTokenInternalRequestBody)
    requiredFields: ['app_id', 'app_secret'],
    responseData: { appAccessToken: 'string', expire: 'integer', tenantKey: 'string' },
  },
];
// Source: openapi.yaml IdentityService_AuthenAuthorize (GET, query parameters); code_challenge_method
// is described "S256|plain", response_type "固定 code"
const AUTHORIZE = {
  path: '/hduhelp-neo/open-apis/authen/authorize',
  query: ['app_id', 'redirect_uri', 'scope', 'state', 'response_type', 'code_challenge', 'code_challenge_method', 'consent'],
  challengeMethods: ['S256', 'plain'],
} as const;
// Source: openapi.yaml — every response schema carries `code` (integer) and `msg` (string);
// core/response.go CodeMsg.Success: code 0 is success. openapi.yaml documents no error answer.
const ENVELOPE: Readonly<Record<string, JsonType>> = { code: 'integer', msg: 'string' };
// Source: core/response.go requestIDHeaders (first in priority order)
const REQUEST_ID_HEADER = 'x-request-id';

const CONTENT_TYPE = { form: 'application/x-www-form-urlencoded', json: 'application/json' } as const;

const started = useEmulator(startHduhelpEmulator, (e) => e.clock.reset());
let emu: HduHelpEmulator;
beforeAll(() => {
  emu = started.current;
});

interface Answer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

async function send(
  method: string,
  path: string,
  encoding: Encoding,
  fields: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const init: RequestInit = { method, headers: { ...headers }, redirect: 'manual' };
  if (encoding === 'form') {
    init.body = new URLSearchParams(fields).toString();
    (init.headers as Record<string, string>)['content-type'] = CONTENT_TYPE.form;
  } else if (encoding === 'json') {
    init.body = JSON.stringify(fields);
    (init.headers as Record<string, string>)['content-type'] = CONTENT_TYPE.json;
  }
  const res = await fetch(`${emu.url}${path}`, init);
  const text = await res.text();
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = { _text: text };
  }
  return { status: res.status, headers: res.headers, body };
}

function jsonType(v: unknown): JsonType | 'other' {
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number' && Number.isInteger(v)) return 'integer';
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return 'string[]';
  return 'other';
}

/** Every named field present with its JSON type, and no field the schema does not name. */
function expectShape(obj: unknown, schema: Readonly<Record<string, JsonType>>, extra: readonly string[] = []): void {
  expect(obj).toEqual(expect.any(Object));
  const o = obj as Record<string, unknown>;
  const types = Object.fromEntries(Object.keys(schema).map((k) => [k, jsonType(o[k])]));
  expect(types).toEqual(schema);
  for (const k of Object.keys(o)) expect([...Object.keys(schema), ...extra]).toContain(k);
}

/** A refusal in the documented envelope: the {code, msg} pair with a non-zero code, and no data. */
function expectRefusal(a: Answer, status: number): void {
  // the status is the emulator's choice (openapi.yaml documents only HTTP 200): unconfirmed
  expect(a.status).toBe(status);
  expectShape(a.body, ENVELOPE, ['data']);
  expect(a.body.code).not.toBe(0);
  expect(a.body.data ?? null).toBeNull();
}

const s256 = (v: string) => createHash('sha256').update(v).digest('base64url');

/** A user token pair, through the documented form exchange. */
async function userTokens(): Promise<{ accessToken: string; refreshToken: string }> {
  const a = await send('POST', OPERATIONS[0].path, 'form', validFields(OPERATIONS[0]));
  expect(a.body.code).toBe(0);
  return a.body.data as { accessToken: string; refreshToken: string };
}

/** Valid request fields for an operation (minting what it needs: a code, a refresh token…). */
function validFields(op: Operation, mint: { refreshToken?: string; token?: string } = {}): Record<string, string> {
  const app = { app_id: HDUHELP_NEO_APP_ID, app_secret: HDUHELP_NEO_APP_SECRET };
  switch (op.operation) {
    case 'IdentityService_AuthenAccessToken': {
      const verifier = 'contract-verifier-'.padEnd(64, 'x');
      const code = emu.issueCode({
        clientId: HDUHELP_NEO_APP_ID,
        userId: HDUHELP_USERS[1].userId,
        codeChallenge: s256(verifier),
      });
      return { grant_type: 'authorization_code', ...app, code, code_verifier: verifier };
    }
    case 'IdentityService_AuthenRefreshAccessToken':
      return { grant_type: 'refresh_token', ...app, refresh_token: mint.refreshToken ?? '' };
    case 'IdentityService_AuthenRevoke':
      return { ...app, token: mint.token ?? '' };
    case 'IdentityService_TenantAccessTokenInternal':
    case 'IdentityService_AppAccessTokenInternal':
      return { ...app };
    default:
      return {};
  }
}

async function validCall(op: Operation): Promise<Answer> {
  if (op.encoding === 'none') {
    const { accessToken } = await userTokens();
    return send(op.method, op.path, 'none', {}, { authorization: `Bearer ${accessToken}` });
  }
  const t = op.operation === 'IdentityService_AuthenAccessToken' ? undefined : await userTokens();
  return send(op.method, op.path, op.encoding, validFields(op, { refreshToken: t?.refreshToken, token: t?.accessToken }));
}

describe.each(OPERATIONS.map((op) => [`${op.method} ${op.path}`, op] as const))('hduhelp neo contract: %s', (_title, op) => {
  it(`answers the documented call with the ${op.operation} response schema and an ${REQUEST_ID_HEADER}`, async () => {
    const a = await validCall(op);
    expect(a.status).toBe(200);
    expect(a.headers.get('content-type')).toMatch(/^application\/json\b/);
    expect(a.headers.get(REQUEST_ID_HEADER)).toEqual(expect.stringMatching(/\S/));
    if (op.responseData === null) {
      expectShape(a.body, ENVELOPE); // AuthenRevokeRespBody: {code, msg}, no data
    } else {
      expectShape(a.body, ENVELOPE, ['data']);
      expectShape(a.body.data, op.responseData);
    }
    expect(a.body.code).toBe(0);
  });

  if (op.encoding !== 'none') {
    const other: Encoding = op.encoding === 'json' ? 'form' : 'json';

    it(`reads a ${op.encoding} body only: the same fields as ${other} are refused with the {code, msg} envelope`, async () => {
      const t = await userTokens();
      const fields = validFields(op, { refreshToken: t.refreshToken, token: t.accessToken });
      const a = await send(op.method, op.path, other, fields);
      expectRefusal(a, 400);
      // nothing happened: the refresh token still works, the token was not revoked
      if (op.operation !== 'IdentityService_AuthenAccessToken') expect(emu.isTokenActive(t.refreshToken)).toBe(true);
      if (op.operation === 'IdentityService_AuthenRevoke') expect(emu.isTokenActive(t.accessToken)).toBe(true);
    });

    it('reads the fields from the body, not from the query string', async () => {
      const t = await userTokens();
      const { app_secret: secret, ...rest } = validFields(op, { refreshToken: t.refreshToken, token: t.accessToken });
      const a = await send(op.method, `${op.path}?${new URLSearchParams({ app_secret: secret })}`, op.encoding, rest);
      expectRefusal(a, 400);
    });

    it.each(op.requiredFields.map((f) => [f]))('without %s → refused with the {code, msg} envelope', async (field) => {
      const t = await userTokens();
      const fields = validFields(op, { refreshToken: t.refreshToken, token: t.accessToken });
      delete fields[field];
      expectRefusal(await send(op.method, op.path, op.encoding, fields), 400);
      // an empty string is as missing as an absent field to a server decoding into Go structs
      expectRefusal(await send(op.method, op.path, op.encoding, { ...fields, [field]: '' }), 400);
    });

    it('refuses a body that does not parse in its encoding', async () => {
      const res = await fetch(`${emu.url}${op.path}`, {
        method: op.method,
        headers: { 'content-type': CONTENT_TYPE[op.encoding as keyof typeof CONTENT_TYPE] },
        body: op.encoding === 'json' ? '{"app_id":' : '',
      });
      expectRefusal({ status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> }, 400);
    });
  } else {
    it('without a Bearer user access token → refused with the {code, msg} envelope', async () => {
      expectRefusal(await send(op.method, op.path, 'none', {}), 401);
      expectRefusal(await send(op.method, op.path, 'none', {}, { authorization: 'Bearer not-issued' }), 401);
    });
  }

  it(`serves ${op.method} only (another method is not a 2xx)`, async () => {
    const a = await send(op.method === 'GET' ? 'POST' : 'GET', op.path, 'none', {});
    expect(a.status).toBeGreaterThanOrEqual(400);
  });
});

describe('hduhelp neo contract: JSON field types in the request', () => {
  it.each(OPERATIONS.filter((op) => op.encoding === 'json').map((op) => [op.path, op] as const))(
    '%s refuses a non-string value for a string property',
    async (_path, op) => {
      const t = await userTokens();
      const fields: Record<string, unknown> = validFields(op, { refreshToken: t.refreshToken, token: t.accessToken });
      fields.app_id = 42;
      const res = await fetch(`${emu.url}${op.path}`, {
        method: 'POST',
        headers: { 'content-type': CONTENT_TYPE.json },
        body: JSON.stringify(fields),
      });
      expectRefusal({ status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> }, 400);
    },
  );

  it('revoke accepts both documented token_type_hint values', async () => {
    const op = OPERATIONS.find((o) => o.operation === 'IdentityService_AuthenRevoke')!;
    for (const hint of ['access_token', 'refresh_token'] as const) {
      const t = await userTokens();
      const token = hint === 'access_token' ? t.accessToken : t.refreshToken;
      const a = await send('POST', op.path, 'json', { ...validFields(op, { token }), token_type_hint: hint });
      expect(a.body).toEqual({ code: 0, msg: expect.any(String) });
      expect(emu.isTokenActive(token)).toBe(false);
    }
  });
});

describe('hduhelp neo contract: refresh rotation', () => {
  // Source: openapi.yaml refresh-access-token "单次轮换，颁发新的 access/refresh";
  // core/userauth.go UserTokenSource ("The server rotates refresh tokens single-use; keep the newest")
  it('a refresh token works once and is replaced by a new one', async () => {
    const op = OPERATIONS.find((o) => o.operation === 'IdentityService_AuthenRefreshAccessToken')!;
    const first = await userTokens();
    const a = await send('POST', op.path, 'json', validFields(op, { refreshToken: first.refreshToken }));
    expect(a.body.code).toBe(0);
    const next = a.body.data as { accessToken: string; refreshToken: string };
    expect(next.refreshToken).not.toBe(first.refreshToken);
    expect(next.accessToken).not.toBe(first.accessToken);
    const again = await send('POST', op.path, 'json', validFields(op, { refreshToken: first.refreshToken }));
    expectRefusal(again, 400);
  });
});

describe('hduhelp neo contract: authorize', () => {
  it(`accepts each documented query parameter and both challenge methods (${AUTHORIZE.challengeMethods.join(', ')})`, async () => {
    for (const method of AUTHORIZE.challengeMethods) {
      const q: Record<(typeof AUTHORIZE.query)[number], string> = {
        app_id: HDUHELP_NEO_APP_ID,
        redirect_uri: 'http://127.0.0.1:9/cb',
        scope: 'user:read',
        state: 'st',
        response_type: 'code',
        code_challenge: 'c'.repeat(43),
        code_challenge_method: method,
        consent: 'true',
      };
      const a = await send('GET', `${AUTHORIZE.path}?${new URLSearchParams(q)}`, 'none', {});
      // the browser gets the emulator's login page (openapi.yaml's JSON answer needs a native
      // session, which the emulator does not have)
      expect(a.status).toBe(200);
    }
  });

  it('refuses a response_type other than code', async () => {
    const q = new URLSearchParams({ app_id: HDUHELP_NEO_APP_ID, redirect_uri: 'http://127.0.0.1:9/cb', response_type: 'token' });
    expect((await send('GET', `${AUTHORIZE.path}?${q}`, 'none', {})).status).toBe(400);
  });
});
