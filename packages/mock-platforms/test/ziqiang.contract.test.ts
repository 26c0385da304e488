/**
 * Contract test of the Ziqiang Auth emulator against the official sources, with raw HTTP only
 * (independent of @campus-passport/ziqiang). The expected answers are facts read from
 * ZiqiangStudio/zq_auth_sdk_python: the field names and JSON types of its test fixtures
 * (`tests/fixtures/*.json`), the code table of `zq_auth_sdk/entities/response.py`, and how its
 * client calls the API (`zq_auth_sdk/client/__init__.py`, `zq_auth_sdk/client/api/app.py`,
 * `zq_auth_sdk/client/base.py`). Nothing of the fixtures is copied but their shape.
 */
import { useEmulator } from '../src/testing';
import { ZIQIANG_APP, ZIQIANG_OTHER_APP, startZiqiangEmulator, type ZiqiangEmulator } from '../src/platforms/ziqiang';

// ---- facts from the SDK ---------------------------------------------------------------------

/** A JSON value's shape: its type, or for an object the shape of every key. */
type Shape = 'string' | 'number' | 'boolean' | 'null' | 'array' | { [key: string]: Shape };

const ENVELOPE = { code: 'string', detail: 'string', msg: 'string' } as const;
/** tests/fixtures/auth_apps_failed.json, sso_union-id_failed.json, users_123_not_found.json: the error envelope. */
const ERROR_SHAPE: Shape = { ...ENVELOPE, data: { eid: 'null', time: 'string', details: 'null' } };

const FIXTURES = {
  /** tests/fixtures/auth_apps.json (POST /auth/apps/) */
  auth_apps: {
    ...ENVELOPE,
    data: { id: 'number', username: 'string', name: 'string', expire_time: 'string', access: 'string', refresh: 'string' },
  },
  /** tests/fixtures/auth_apps_failed.json (A0210) */
  auth_apps_failed: ERROR_SHAPE,
  /** tests/fixtures/auth_refresh.json (POST /auth/refresh/): no new refresh token */
  auth_refresh: { ...ENVELOPE, data: { access: 'string', expire_time: 'string' } },
  /** tests/fixtures/.json (GET /, the token test) */
  root: {
    ...ENVELOPE,
    data: {
      user: { id: 'number', username: 'string', type: 'number', is_active: 'boolean', is_superuser: 'boolean' },
      time: 'string',
    },
  },
  /** tests/fixtures/apps_9.json (GET /apps/{id}/) */
  apps_9: { ...ENVELOPE, data: { id: 'number', username: 'string', name: 'string', is_active: 'boolean' } },
  /** tests/fixtures/sso_union-id.json (POST /sso/union-id/) */
  sso_union_id: { ...ENVELOPE, data: { union_id: 'string' } },
  /** tests/fixtures/sso_union-id_failed.json (A0514) */
  sso_union_id_failed: ERROR_SHAPE,
  /** tests/fixtures/users_123.json (GET /users/{union_id}/, detail) — a certified user */
  users_123: {
    ...ENVELOPE,
    data: {
      name: 'string',
      student_id: 'string',
      phone: 'string',
      is_certified: 'boolean',
      certify_time: 'string',
      update_time: 'string',
    },
  },
  /** tests/fixtures/users_123_no_detail.json (without detail: certify_time only) */
  users_123_no_detail: { ...ENVELOPE, data: { certify_time: 'string' } },
  /** tests/fixtures/users_123_not_found.json (A0514) */
  users_123_not_found: ERROR_SHAPE,
} satisfies Record<string, Shape>;

/** The fixtures' value formats. */
const FORMAT = {
  /** auth_apps.json expire_time, auth_refresh.json expire_time, every error's data.time: UTC, microseconds, Z */
  utcMicro: /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/,
  /** tests/fixtures/.json time, users_123.json update_time: +08:00 with microseconds */
  beijingMicro: /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+08:00$/,
  /** users_123.json certify_time: +08:00, whole seconds */
  beijingSeconds: /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$/,
  /** sso_union-id.json union_id (zq_auth_doc docs/introduction.md: a UUID without dashes) */
  unionId: /^[0-9a-f]{32}$/,
};

/** zq_auth_sdk/entities/response.py ZqAuthResponseType: code → [HTTP status, detail]. */
const RESPONSE_TYPES: Record<string, [number, string]> = {
  A0210: [400, '用户登录失败'],
  A0221: [401, 'token 无效或已过期'],
  A0310: [401, '用户未登录'],
  A0400: [400, '用户请求参数错误'],
  A0410: [400, '请求 JSON 解析错误'],
  A0420: [400, '请求必填参数为空'],
  A0430: [400, '请求参数值校验失败'],
  A0510: [404, '请求接口不存在'],
  A0511: [405, '请求方法不允许'],
  A0512: [429, '请求次数超出限制'],
  A0514: [404, '请求资源不存在'],
};
/** response.py RefreshTokenInvalid: A0221 with its own detail. */
const REFRESH_TOKEN_INVALID = 'refresh token 无效或已过期';

// ---- raw HTTP ---------------------------------------------------------------------------------

function shapeOf(value: unknown): Shape {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'object')
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, shapeOf(v)]));
  return typeof value as 'string' | 'number' | 'boolean';
}

interface Answer {
  status: number;
  type: string;
  body: { code: string; detail: string; msg: string; data: Record<string, unknown> };
}

const started = useEmulator(
  () => startZiqiangEmulator(),
  (e) => e.clock.reset(),
);
let emu: ZiqiangEmulator;
beforeAll(() => {
  emu = started.current;
});

async function http(
  method: string,
  path: string,
  init: {
    json?: unknown;
    form?: Record<string, string>;
    raw?: string;
    type?: string;
    token?: string;
    headers?: Record<string, string>;
  } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...init.headers };
  let body: string | undefined;
  if (init.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(init.json);
  } else if (init.form) {
    // what Python requests sends for `data=dict` (the SDK's encoding)
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(init.form).toString();
  } else if (init.raw !== undefined) {
    if (init.type) headers['content-type'] = init.type;
    body = init.raw;
  }
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  const res = await fetch(`${emu.url}${path}`, { method, headers, body, redirect: 'manual' });
  return { status: res.status, type: String(res.headers.get('content-type')), body: (await res.json()) as Answer['body'] };
}

const credentials = (app = ZIQIANG_APP) => ({ app_key: app.appKey, app_secret: app.appSecret });
const appLogin = async () => (await http('POST', '/auth/apps/', { form: credentials() })).body.data as Record<string, string>;

/** An error answer: the fixture envelope, the code, and response.py's status and detail. */
function expectError(answer: Answer, code: string, detail = RESPONSE_TYPES[code][1]) {
  expect(shapeOf(answer.body)).toEqual(ERROR_SHAPE);
  expect({ status: answer.status, code: answer.body.code, detail: answer.body.detail, msg: answer.body.msg }).toEqual({
    status: RESPONSE_TYPES[code][0],
    code,
    detail,
    msg: detail,
  });
  expect(answer.body.data.time).toMatch(FORMAT.utcMicro);
}

function expectSuccess(answer: Answer, shape: Shape) {
  expect(answer.status).toBe(200);
  expect(answer.type).toMatch(/^application\/json/);
  expect(shapeOf(answer.body)).toEqual(shape);
  expect([answer.body.code, answer.body.detail, answer.body.msg]).toEqual(['00000', '', '']);
}

// ---- the contract -----------------------------------------------------------------------------

describe('ziqiang emulator vs zq_auth_sdk_python fixtures', () => {
  it('app login POST /auth/apps/ (form, as the SDK sends; JSON, as the doc shows) → auth_apps.json', async () => {
    for (const init of [{ form: credentials() }, { json: credentials() }]) {
      const r = await http('POST', '/auth/apps/', init);
      expectSuccess(r, FIXTURES.auth_apps);
      expect(r.body.data).toMatchObject({ id: ZIQIANG_APP.id, username: ZIQIANG_APP.username, name: ZIQIANG_APP.name });
      expect(r.body.data.expire_time).toMatch(FORMAT.utcMicro);
    }
    // the SDK logs in without a token (client/__init__.py login: auth=False)
    expect(emu.requests.every((r) => r.headers.authorization === undefined)).toBe(true);
  });

  it('a bad app secret → auth_apps_failed.json (A0210)', async () => {
    expectError(await http('POST', '/auth/apps/', { form: { ...credentials(), app_secret: 'wrong' } }), 'A0210');
    expectError(await http('POST', '/auth/apps/', { json: { ...credentials(ZIQIANG_OTHER_APP), app_key: 'nobody' } }), 'A0210');
  });

  it('refresh POST /auth/refresh/ {refresh} → auth_refresh.json: {access, expire_time}, no new refresh', async () => {
    const login = await appLogin();
    for (const init of [{ form: { refresh: login.refresh } }, { json: { refresh: login.refresh } }]) {
      const r = await http('POST', '/auth/refresh/', init);
      expectSuccess(r, FIXTURES.auth_refresh);
      expect(r.body.data.expire_time).toMatch(FORMAT.utcMicro);
      expect(r.body.data.access).not.toBe(login.access);
      expectSuccess(await http('GET', '/', { token: r.body.data.access as string }), FIXTURES.root);
    }
  });

  it('a dead or wrong refresh token → A0221 (response.py RefreshTokenInvalid, HTTP 401)', async () => {
    const login = await appLogin();
    expectError(await http('POST', '/auth/refresh/', { form: { refresh: login.access } }), 'A0221', REFRESH_TOKEN_INVALID);
    emu.revokeRefreshTokens();
    expectError(await http('POST', '/auth/refresh/', { form: { refresh: login.refresh } }), 'A0221', REFRESH_TOKEN_INVALID);
  });

  it('GET / (token test) → tests/fixtures/.json; GET /apps/{id}/ → apps_9.json', async () => {
    const { access } = await appLogin();
    const root = await http('GET', '/', { token: access });
    expectSuccess(root, FIXTURES.root);
    expect(root.body.data.time).toMatch(FORMAT.beijingMicro);
    const info = await http('GET', `/apps/${ZIQIANG_APP.id}/`, { token: access });
    expectSuccess(info, FIXTURES.apps_9);
    expect(info.body.data).toEqual({
      id: ZIQIANG_APP.id,
      username: ZIQIANG_APP.username,
      name: ZIQIANG_APP.name,
      is_active: true,
    });
  });

  it('code → union id POST /sso/union-id/ {code} → sso_union-id.json; a used code → sso_union-id_failed.json', async () => {
    const { access } = await appLogin();
    const code = emu.issueCode('zhangsan');
    const r = await http('POST', '/sso/union-id/', { form: { code }, token: access });
    expectSuccess(r, FIXTURES.sso_union_id);
    expect(r.body.data.union_id).toMatch(FORMAT.unionId);
    expectError(await http('POST', '/sso/union-id/', { json: { code }, token: access }), 'A0514');
    expectError(await http('POST', '/sso/union-id/', { json: { code: 'not-a-code' }, token: access }), 'A0514');
  });

  it('user GET /users/{union_id}/?detail=True|true → users_123.json; False|false|absent → users_123_no_detail.json', async () => {
    const { access } = await appLogin();
    const unionId = emu.unionIdOf('zhangsan');
    // the SDK sends Python's bool through requests (detail=True / detail=False); the doc writes detail=false
    for (const detail of ['True', 'true']) {
      const r = await http('GET', `/users/${unionId}/?detail=${detail}`, { token: access });
      expectSuccess(r, FIXTURES.users_123);
      expect(r.body.data.certify_time).toMatch(FORMAT.beijingSeconds);
      expect(r.body.data.update_time).toMatch(FORMAT.beijingMicro);
    }
    for (const q of ['?detail=False', '?detail=false', '']) {
      const r = await http('GET', `/users/${unionId}/${q}`, { token: access });
      expectSuccess(r, FIXTURES.users_123_no_detail);
    }
  });

  it('an unknown or gone user → users_123_not_found.json (A0514, HTTP 404)', async () => {
    const { access } = await appLogin();
    expectError(await http('GET', '/users/ffffffffffffffffffffffffffffffff/?detail=True', { token: access }), 'A0514');
    emu.setUser('lisi', { gone: true });
    try {
      expectError(await http('GET', `/users/${emu.unionIdOf('lisi')}/`, { token: access }), 'A0514');
    } finally {
      emu.setUser('lisi', { gone: false });
    }
  });

  it('an invalid or expired access token → A0221 (HTTP 401) on every authorized call', async () => {
    const { access } = await appLogin();
    emu.revokeAccessTokens();
    expectError(await http('GET', '/', { token: access }), 'A0221');
    expectError(await http('POST', '/sso/union-id/', { form: { code: emu.issueCode() }, token: access }), 'A0221');
    expectError(await http('GET', `/users/${emu.unionIdOf('zhangsan')}/`, { token: access }), 'A0221');
    const fresh = await appLogin();
    emu.clock.advance(24 * 60 * 60_000 + 1); // client/__init__.py ACCESS_LIFETIME: one day
    expectError(await http('GET', `/apps/${ZIQIANG_APP.id}/`, { token: fresh.access }), 'A0221');
  });

  it('throttled → A0512 (HTTP 429), in the envelope', async () => {
    emu.throttle(1);
    expectError(await http('POST', '/auth/apps/', { form: credentials() }), 'A0512');
  });
});

describe('ziqiang emulator refusals (codes from response.py; when the server uses them is unconfirmed)', () => {
  it('a method a route does not take → A0511 (HTTP 405)', async () => {
    const { access } = await appLogin();
    expectError(await http('GET', '/auth/apps/'), 'A0511');
    expectError(await http('PUT', '/auth/refresh/', { json: { refresh: 'x' } }), 'A0511');
    expectError(await http('GET', '/sso/union-id/', { token: access }), 'A0511');
    expectError(await http('POST', `/users/${emu.unionIdOf('zhangsan')}/`, { json: {}, token: access }), 'A0511');
    expectError(await http('DELETE', '/', { token: access }), 'A0511');
  });

  it('a path the API does not have (also without the trailing slash) → A0510 (HTTP 404)', async () => {
    expectError(await http('POST', '/auth/apps', { form: credentials() }), 'A0510');
    expectError(await http('GET', '/nope/'), 'A0510');
  });

  it('bodies: malformed JSON → A0410; neither JSON nor form → A0400; missing → A0420; not a string → A0430', async () => {
    expectError(await http('POST', '/auth/apps/', { raw: '{"app_key":', type: 'application/json' }), 'A0410');
    expectError(await http('POST', '/auth/apps/', { raw: 'app_key=x', type: 'text/plain' }), 'A0400');
    expectError(await http('POST', '/auth/apps/', { json: [credentials()] }), 'A0400');
    expectError(await http('POST', '/auth/apps/', { form: { app_key: ZIQIANG_APP.appKey } }), 'A0420');
    expectError(await http('POST', '/auth/apps/'), 'A0420');
    expectError(await http('POST', '/auth/refresh/', { json: { refresh: 42 } }), 'A0430');
  });

  it('no "Authorization: Bearer" (e.g. the seed typo "Authentication", or no scheme) → A0310 (HTTP 401)', async () => {
    const { access } = await appLogin();
    expectError(await http('GET', '/', { headers: { authentication: `Bearer ${access}` } }), 'A0310');
    expectError(await http('GET', '/', { headers: { authorization: access } }), 'A0310');
  });
});
