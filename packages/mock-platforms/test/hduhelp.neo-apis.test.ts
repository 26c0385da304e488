/**
 * The HDU Helper neo emulator's app-level tokens and service APIs, over raw HTTP (no client):
 * tenant / app tokens (openapi.yaml IdentityService_TenantAccessTokenInternal,
 * IdentityService_AppAccessTokenInternal), AcademicService_PersonInfo (BearerAuth + X-Staff-Id)
 * and AcademicService_StudentHistoryMajorInfo (UATBearerAuth), expiry on the emulator clock, the
 * request id of every answer and the counters tests read.
 */
import {
  HDUHELP_NEO_APP_ID,
  HDUHELP_NEO_APP_SECRET,
  HDUHELP_NEO_ERRORS,
  HDUHELP_USERS,
  startHduhelpEmulator,
  type HduHelpEmulator,
} from '@campus-passport/mock-platforms/hduhelp';
import { useEmulator } from '@campus-passport/mock-platforms/testing';

const started = useEmulator(() => startHduhelpEmulator({ tenantTokenTtl: 120_000, appTokenTtl: 60_000 }));
let emu: HduHelpEmulator;
beforeAll(() => {
  emu = started.current;
});

const [UNDERGRAD, GRAD, STAFF] = HDUHELP_USERS;
const NEO = '/hduhelp-neo';
const PERSON = `${NEO}/academic/person/info`;
const MAJOR = `${NEO}/academic/student-history/major-info`;

interface Answer {
  status: number;
  requestId: string | null;
  body: { code: number; msg: string; data?: unknown };
}

async function call(method: string, path: string, init: { json?: unknown; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { ...(init.headers ?? {}) };
  if (init.json !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${emu.url}${path}`, {
    method,
    headers,
    body: init.json === undefined ? undefined : JSON.stringify(init.json),
  });
  return { status: res.status, requestId: res.headers.get('x-request-id'), body: (await res.json()) as Answer['body'] };
}

const appToken = async (kind: 'tenant' | 'app', secret = HDUHELP_NEO_APP_SECRET) =>
  call('POST', `${NEO}/open-apis/auth/${kind}-access-token/internal`, {
    json: { app_id: HDUHELP_NEO_APP_ID, app_secret: secret },
  });

async function userToken(scope = ''): Promise<string> {
  const code = emu.issueCode({ clientId: HDUHELP_NEO_APP_ID, userId: UNDERGRAD.userId, scope });
  const res = await fetch(`${emu.url}${NEO}/open-apis/authen/access-token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      app_id: HDUHELP_NEO_APP_ID,
      app_secret: HDUHELP_NEO_APP_SECRET,
      code,
    }),
  });
  return ((await res.json()) as { data: { accessToken: string } }).data.accessToken;
}

describe('hduhelp neo emulator: tenant and app tokens', () => {
  it('mint a token per call with its lifetime in seconds, counted; the old one stays valid until it expires', async () => {
    const before = emu.stats();
    const t1 = await appToken('tenant');
    const t2 = await appToken('tenant');
    const a1 = await appToken('app');
    expect(t1.body).toEqual({
      code: 0,
      msg: 'success',
      data: { tenantAccessToken: expect.any(String), expire: 120, tenantKey: 'hdu' },
    });
    expect(a1.body.data).toEqual({ appAccessToken: expect.any(String), expire: 60, tenantKey: 'hdu' });
    const [tat1, tat2] = [t1, t2].map((a) => (a.body.data as { tenantAccessToken: string }).tenantAccessToken);
    const aat = (a1.body.data as { appAccessToken: string }).appAccessToken;
    expect(tat1).not.toBe(tat2);
    expect(emu.stats().tenantTokenFetches - before.tenantTokenFetches).toBe(2);
    expect(emu.stats().appTokenFetches - before.appTokenFetches).toBe(1);
    expect(emu.isTokenActive(tat1) && emu.isTokenActive(tat2) && emu.isTokenActive(aat)).toBe(true);
    emu.clock.advance(60_000);
    expect(emu.isTokenActive(aat)).toBe(false); // 60 s app token
    expect(emu.isTokenActive(tat1)).toBe(true);
    emu.clock.advance(60_000);
    expect(emu.isTokenActive(tat1)).toBe(false);
  });

  it('a wrong app secret → HTTP 401, invalidApp, nothing minted', async () => {
    const before = emu.stats().tenantTokenFetches;
    const a = await appToken('tenant', 'wrong-secret');
    expect(a.status).toBe(401);
    expect(a.body).toEqual({ code: HDUHELP_NEO_ERRORS.invalidApp, msg: expect.any(String) });
    expect(emu.stats().tenantTokenFetches).toBe(before);
  });

  it('every answer, refusals too, carries its own X-Request-Id, and lastRequestId is the latest', async () => {
    const a = await appToken('tenant');
    expect(a.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(emu.lastRequestId).toBe(a.requestId);
    const b = await call('GET', PERSON);
    expect(b.status).toBe(401);
    expect(b.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(b.requestId).not.toBe(a.requestId);
    expect(emu.lastRequestId).toBe(b.requestId);
  });
});

describe('hduhelp neo emulator: academic/person/info (BearerAuth, X-Staff-Id)', () => {
  it('a tenant or app token picks the person with X-Staff-Id: PersonInfoData, all strings', async () => {
    const tat = ((await appToken('tenant')).body.data as { tenantAccessToken: string }).tenantAccessToken;
    const aat = ((await appToken('app')).body.data as { appAccessToken: string }).appAccessToken;
    const before = emu.stats().apiSuccesses;
    const grad = await call('GET', PERSON, { headers: { authorization: `Bearer ${tat}`, 'x-staff-id': GRAD.staffId } });
    expect(grad.status).toBe(200);
    expect(grad.body).toEqual({
      code: 0,
      msg: 'success',
      data: {
        staffId: GRAD.staffId,
        staffName: GRAD.staffName,
        staffState: GRAD.staffState,
        staffType: '2',
        unitCode: GRAD.unitCode,
        grade: GRAD.grade,
        unitName: GRAD.unitName,
        classId: GRAD.classId,
        majorId: GRAD.majorId,
        majorName: GRAD.majorName,
        teacherId: GRAD.teacherId,
        teacherName: GRAD.teacherName,
      },
    });
    // the student-record fields are empty for staff ("仅学生填充")
    const staff = await call('GET', PERSON, { headers: { authorization: `Bearer ${aat}`, 'x-staff-id': STAFF.staffId } });
    expect(staff.body.data).toMatchObject({ staffId: STAFF.staffId, classId: '', majorName: '', teacherName: '' });
    expect(emu.stats().apiSuccesses - before).toBe(2);
  });

  it('a user token names its own person; X-Staff-Id is not needed', async () => {
    const uat = await userToken();
    const me = await call('GET', PERSON, { headers: { authorization: `Bearer ${uat}` } });
    expect(me.status).toBe(200);
    expect(me.body.data).toMatchObject({ staffId: UNDERGRAD.staffId, staffType: '1' });
  });

  it('a tenant token without X-Staff-Id → 400; an unknown one → 404; no or an expired token → 401', async () => {
    const tat = ((await appToken('tenant')).body.data as { tenantAccessToken: string }).tenantAccessToken;
    const auth = { authorization: `Bearer ${tat}` };
    const none = await call('GET', PERSON, { headers: auth });
    expect([none.status, none.body.code]).toEqual([400, HDUHELP_NEO_ERRORS.invalidParams]);
    const unknown = await call('GET', PERSON, { headers: { ...auth, 'x-staff-id': '99999999' } });
    expect([unknown.status, unknown.body.code]).toEqual([404, HDUHELP_NEO_ERRORS.staffNotFound]);
    expect((await call('GET', PERSON, { headers: { 'x-staff-id': GRAD.staffId } })).status).toBe(401);
    emu.clock.advance(120_000);
    const expired = await call('GET', PERSON, { headers: { ...auth, 'x-staff-id': GRAD.staffId } });
    expect(expired.status).toBe(401);
    expect(expired.body).toEqual({ code: HDUHELP_NEO_ERRORS.invalidAccessToken, msg: 'access token expired' });
  });
});

describe('hduhelp neo emulator: academic/student-history/major-info (UATBearerAuth)', () => {
  it(`a user token with academic:studenthistory:read → the semesters of the student`, async () => {
    const uat = await userToken('academic:studenthistory:read');
    const mine = await call('GET', MAJOR, { headers: { authorization: `Bearer ${uat}` } });
    expect(mine.status).toBe(200);
    expect(mine.body.data).toEqual([
      expect.objectContaining({
        schoolYear: '2022-2023',
        semester: '1',
        studentId: UNDERGRAD.staffId,
        major: UNDERGRAD.majorName,
      }),
      expect.objectContaining({ semester: '2', classNo: UNDERGRAD.classId }),
    ]);
    const other = await call('GET', `${MAJOR}?student_id=${GRAD.staffId}`, { headers: { authorization: `Bearer ${uat}` } });
    expect((other.body.data as Array<{ studentId: string }>).map((i) => i.studentId)).toEqual([GRAD.staffId, GRAD.staffId]);
    const staff = await call('GET', `${MAJOR}?student_id=${STAFF.staffId}`, { headers: { authorization: `Bearer ${uat}` } });
    expect(staff.body).toEqual({ code: 0, msg: 'success', data: [] });
  });

  it('a tenant token, or a user token without the scope → 403 permissionDenied', async () => {
    const tat = ((await appToken('tenant')).body.data as { tenantAccessToken: string }).tenantAccessToken;
    const byTenant = await call('GET', MAJOR, { headers: { authorization: `Bearer ${tat}`, 'x-staff-id': UNDERGRAD.staffId } });
    expect([byTenant.status, byTenant.body.code]).toEqual([403, HDUHELP_NEO_ERRORS.permissionDenied]);
    const noScope = await call('GET', MAJOR, { headers: { authorization: `Bearer ${await userToken()}` } });
    expect([noScope.status, noScope.body.code]).toEqual([403, HDUHELP_NEO_ERRORS.permissionDenied]);
  });
});

describe('hduhelp neo emulator: counters of the user token calls', () => {
  it('counts exchanges, refreshes and revocations', async () => {
    const before = emu.stats();
    const code = emu.issueCode({ clientId: HDUHELP_NEO_APP_ID });
    const t = await fetch(`${emu.url}${NEO}/open-apis/authen/access-token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        app_id: HDUHELP_NEO_APP_ID,
        app_secret: HDUHELP_NEO_APP_SECRET,
        code,
      }),
    }).then(async (r) => ((await r.json()) as { data: { refreshToken: string } }).data);
    const app = { app_id: HDUHELP_NEO_APP_ID, app_secret: HDUHELP_NEO_APP_SECRET };
    const r = await call('POST', `${NEO}/open-apis/authen/refresh-access-token`, {
      json: { grant_type: 'refresh_token', ...app, refresh_token: t.refreshToken },
    });
    expect(r.body.code).toBe(0);
    await call('POST', `${NEO}/open-apis/authen/revoke`, { json: { ...app, token: 'unknown' } });
    const after = emu.stats();
    expect([after.userTokenExchanges, after.userTokenRefreshes, after.revocations]).toEqual([
      before.userTokenExchanges + 1,
      before.userTokenRefreshes + 1,
      before.revocations + 1,
    ]);
  });
});
