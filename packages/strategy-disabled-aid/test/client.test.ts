import { isCampusAuthError, type Transport } from '@campus-passport/core';
import { DEFAULT_APP_ID, DISABLED_AID_USERS } from '@campus-passport/mock-platforms/disabled-aid';
import { DisabledAidClient, type DisabledAidSignableRequest, type DisabledAidSide } from '../src';
import { SIGNING_SECRET, hmacSigner, useDisabledAidEmulator } from './helpers';

const emu = useDisabledAidEmulator();

const userOf = (side: DisabledAidSide) => DISABLED_AID_USERS.find((u) => u.side === side)!;
const LI = DISABLED_AID_USERS[1]; // two roles, city level
const CHEN = DISABLED_AID_USERS[3]; // collaboration, one role with an orphan permission

async function caught(p: Promise<unknown>) {
  try {
    await p;
  } catch (err) {
    if (isCampusAuthError(err)) return err;
    throw err;
  }
  throw new Error('expected a CampusAuthError');
}

describe('DisabledAidClient.userByToken', () => {
  it.each(['governance', 'service', 'collaboration'] as DisabledAidSide[])(
    '%s: form POST to the side endpoint resolves the stoken',
    async (side) => {
      const client = new DisabledAidClient({ baseURL: emu.current.url, side });
      const u = userOf(side);
      const stoken = emu.current.issueStoken(u.useruuid);
      const answer = await client.userByToken(stoken);
      expect(answer.user).toEqual({
        useruuid: u.useruuid,
        username: u.username,
        areacode: u.areacode,
        deptuuid: u.deptuuid,
        deptname: u.deptname,
      });
      expect(answer.body).toMatchObject({ success: true, meta: { code: 200 } });
      expect(JSON.parse(answer.raw)).toEqual(answer.body);
      const [rec] = emu.current.requests;
      expect(rec.method).toBe('POST');
      expect(rec.path).toBe(client.endpoints[side]);
      expect(rec.headers['content-type']).toContain('application/x-www-form-urlencoded');
      expect(rec.rawBody).toBe(`stoken=${stoken}`);
    },
  );

  it('a stoken of another side is refused as invalid', async () => {
    const client = new DisabledAidClient({ baseURL: emu.current.url, side: 'service' });
    const err = await caught(client.userByToken(emu.current.issueStoken(userOf('governance').useruuid)));
    expect(err.code).toBe('ERR_INVALID_CREDENTIAL');
    expect(err.message).toBe(
      'disabled-aid: the stoken is invalid or expired (登录会话码无效); open this app from the disabled-aid platform again',
    );
    expect(err.platformMessage).toBe('登录会话码无效');
    expect(err.platformCode).toBe(40001);
  });

  it('otherSideOf: the side whose endpoint resolves the stoken, else undefined (never throws for the platform)', async () => {
    const client = new DisabledAidClient({ baseURL: emu.current.url, side: 'service' });
    expect(await client.otherSideOf(emu.current.issueStoken(userOf('governance').useruuid))).toBe('governance');
    expect(await client.otherSideOf(emu.current.issueStoken(userOf('collaboration').useruuid))).toBe('collaboration');
    expect(await client.otherSideOf(emu.current.issueStoken(userOf('service').useruuid))).toBeUndefined(); // its own side is not asked
    emu.current.inject({ kind: 'stall' }, { path: '/acis/udsa/userbytoken' });
    const quick = new DisabledAidClient({ baseURL: emu.current.url, side: 'service', timeout: 200 });
    expect(await quick.otherSideOf(emu.current.issueStoken(userOf('governance').useruuid))).toBeUndefined();
  });

  it('a baseURL with a path prefix and a trailing slash works', async () => {
    const seen: string[] = [];
    const transport: Transport = async (req) => {
      seen.push(req.url);
      return {
        status: 200,
        headers: {},
        body: { success: true, message: '', data: { useruuid: 'u1' } } as never,
        text: '',
        url: req.url,
      };
    };
    const client = new DisabledAidClient({ baseURL: 'https://host.example/disable-mis-bidp/', transport });
    await client.userByToken('s');
    expect(seen).toEqual(['https://host.example/disable-mis-bidp/acis/udsa/userbytoken']);
  });

  it('non-2xx → ERR_PLATFORM with the upstream status and platform message', async () => {
    const client = new DisabledAidClient({ baseURL: emu.current.url });
    emu.current.inject({ kind: 'json', status: 503, body: { meta: { code: 50300 }, success: false, message: '系统维护中' } });
    const err = await caught(client.userByToken(emu.current.issueStoken()));
    expect(err).toMatchObject({
      code: 'ERR_PLATFORM',
      upstreamStatus: 503,
      platformCode: 50300,
      platformMessage: '系统维护中',
      retryable: true,
    });
    emu.current.inject({ kind: 'json', status: 400, body: { error: 'x' } });
    expect(await caught(client.userByToken(emu.current.issueStoken()))).toMatchObject({ code: 'ERR_PLATFORM', retryable: false });
  });

  it('HTTP 429 → ERR_RATE_LIMITED (retryable), on every call', async () => {
    const client = new DisabledAidClient({ baseURL: emu.current.url, appID: DEFAULT_APP_ID });
    const throttled = {
      kind: 'json',
      status: 429,
      body: { meta: { code: 42900 }, success: false, message: '请求过于频繁' },
    } as const;
    emu.current.inject(throttled);
    expect(await caught(client.userByToken(emu.current.issueStoken()))).toMatchObject({
      code: 'ERR_RATE_LIMITED',
      upstreamStatus: 429,
      platformCode: 42900,
      platformMessage: '请求过于频繁',
      retryable: true,
    });
    emu.current.inject(throttled);
    expect((await caught(client.roles(LI.useruuid, LI.areacode))).code).toBe('ERR_RATE_LIMITED');
  });

  it('success without data.useruuid → ERR_BAD_RESPONSE', async () => {
    const client = new DisabledAidClient({ baseURL: emu.current.url });
    emu.current.inject({ kind: 'json', body: { success: true, message: 'ok', data: { username: 'x' } } });
    expect((await caught(client.userByToken(emu.current.issueStoken()))).code).toBe('ERR_BAD_RESPONSE');
  });

  it('custom endpoint paths', async () => {
    const client = new DisabledAidClient({ baseURL: emu.current.url, endpoints: { governance: '/acis/udsx/userbytoken' } });
    const stoken = emu.current.issueStoken(CHEN.useruuid);
    expect((await client.userByToken(stoken)).user.useruuid).toBe(CHEN.useruuid);
  });
});

describe('DisabledAidClient roles / permits / authorize', () => {
  const client = () => new DisabledAidClient({ baseURL: emu.current.url, appID: DEFAULT_APP_ID });

  it('roles(uid = useruuid, uac = areacode) sends aid/uid/uac and maps the roles', async () => {
    const roles = await client().roles(LI.useruuid, LI.areacode);
    expect(roles).toEqual([
      { id: 'r-district-admin', code: 'DISTRICT_ADMIN', name: '区县管理员', level: 6 },
      { id: 'r-city-viewer', code: 'CITY_VIEWER', name: '市级查看', level: 4 },
    ]);
    expect(emu.current.requests[0].body).toEqual({ aid: DEFAULT_APP_ID, uid: LI.useruuid, uac: LI.areacode });
    // another area: the user holds no roles there
    expect(await client().roles(LI.useruuid, '330100000001')).toEqual([]);
  });

  it('permits: one per permission with the granting roles merged', async () => {
    const perms = await client().permits(LI.useruuid, LI.areacode);
    expect(perms.map((p) => p.id).sort()).toEqual(['100', '200', '201', '202', '900']);
    expect(perms.find((p) => p.id === '100')!.roleCodes).toEqual(['DISTRICT_ADMIN', 'CITY_VIEWER']);
  });

  it('success:false (unknown app) → ERR_PLATFORM with the message', async () => {
    const other = new DisabledAidClient({ baseURL: emu.current.url, appID: 'not-registered' });
    const err = await caught(other.roles(LI.useruuid, LI.areacode));
    expect(err).toMatchObject({ code: 'ERR_PLATFORM', platformMessage: '应用不存在', platformCode: 40401 });
    expect((await caught(other.permits(LI.useruuid, LI.areacode))).code).toBe('ERR_PLATFORM');
  });

  it('without appID → ERR_CONFIG before any call', async () => {
    const bare = new DisabledAidClient({ baseURL: emu.current.url });
    expect((await caught(bare.roles('u', 'a'))).code).toBe('ERR_CONFIG');
    expect((await caught(bare.permits('u', 'a'))).code).toBe('ERR_CONFIG');
    expect((await caught(bare.authorize({ agent: 'PURI', useruuid: 'u' }))).code).toBe('ERR_CONFIG');
    expect(emu.current.requests).toHaveLength(0);
  });

  it('authorize: JSON POST → the jump link, which carries a working stoken and the parameters', async () => {
    const link = await client().authorize({
      agent: 'MURI',
      useruuid: CHEN.useruuid,
      parameters: { sobject: 'S1', servFrom: 'wx' },
    });
    expect(emu.current.requests[0].headers['content-type']).toContain('application/json');
    expect(emu.current.requests[0].body).toEqual({
      appid: DEFAULT_APP_ID,
      agent: 'MURI',
      useruuid: CHEN.useruuid,
      parameters: { sobject: 'S1', servFrom: 'wx' },
    });
    const u = new URL(link);
    expect(`${u.origin}${u.pathname}`).toBe(emu.current.appURL);
    expect(u.searchParams.get('sobject')).toBe('S1');
    const side = new DisabledAidClient({ baseURL: emu.current.url, side: 'collaboration' });
    expect((await side.userByToken(u.searchParams.get('stoken')!)).user.useruuid).toBe(CHEN.useruuid);
  });

  it('authorize: a bad agent is ERR_CONFIG; success:false is ERR_PLATFORM; an object data with url is accepted', async () => {
    expect((await caught(client().authorize({ agent: 'XURI' as 'PURI', useruuid: 'u' }))).code).toBe('ERR_CONFIG');
    expect((await caught(client().authorize({ agent: 'PURI', useruuid: 'nobody' }))).platformMessage).toBe('用户不存在');
    emu.current.inject({ kind: 'json', body: { success: true, message: '', data: { url: 'https://jump.example/x' } } });
    expect(await client().authorize({ agent: 'TURI', useruuid: CHEN.useruuid })).toBe('https://jump.example/x');
    emu.current.inject({ kind: 'json', body: { success: true, message: '', data: { nothing: 1 } } });
    expect((await caught(client().authorize({ agent: 'TURI', useruuid: CHEN.useruuid }))).code).toBe('ERR_BAD_RESPONSE');
  });
});

describe('signRequest', () => {
  it('sees method, URL, headers and body of every call, and can add headers and query parameters', async () => {
    const seen: DisabledAidSignableRequest[] = [];
    const client = new DisabledAidClient({
      baseURL: emu.current.url,
      appID: DEFAULT_APP_ID,
      signRequest: (req) => {
        seen.push(JSON.parse(JSON.stringify(req)));
        return { ...req, url: `${req.url}?sig=1`, headers: { ...req.headers, 'x-app': 'demo' } };
      },
    });
    const stoken = emu.current.issueStoken(LI.useruuid);
    await client.userByToken(stoken);
    await client.roles(LI.useruuid, LI.areacode);
    await client.permits(LI.useruuid, LI.areacode);
    await client.authorize({ agent: 'PURI', useruuid: LI.useruuid });
    expect(seen).toEqual([
      { method: 'POST', url: `${emu.current.url}/acis/udsa/userbytoken`, headers: { accept: '*/*' }, form: { stoken } },
      {
        method: 'POST',
        url: `${emu.current.url}/acis/udsa/roleset`,
        headers: { accept: '*/*' },
        form: { aid: DEFAULT_APP_ID, uid: LI.useruuid, uac: LI.areacode },
      },
      {
        method: 'POST',
        url: `${emu.current.url}/acis/udsa/permits`,
        headers: { accept: '*/*' },
        form: { aid: DEFAULT_APP_ID, uid: LI.useruuid, uac: LI.areacode },
      },
      {
        method: 'POST',
        url: `${emu.current.url}/acis/udsa/authorz`,
        headers: { accept: '*/*' },
        json: { appid: DEFAULT_APP_ID, agent: 'PURI', useruuid: LI.useruuid, parameters: {} },
      },
    ]);
    expect(emu.current.requests).toHaveLength(4);
    for (const r of emu.current.requests) {
      expect(r.headers['x-app']).toBe('demo');
      expect(r.query).toEqual({ sig: '1' });
    }
  });

  it('satisfies the emulator signature check; without it every call is refused (ERR_PLATFORM, HTTP 401)', async () => {
    emu.current.setSignatureSecret(SIGNING_SECRET);
    const signed = new DisabledAidClient({
      baseURL: emu.current.url,
      appID: DEFAULT_APP_ID,
      signRequest: hmacSigner(SIGNING_SECRET, { now: () => emu.current.clock.now() }),
    });
    const stoken = emu.current.issueStoken(LI.useruuid);
    expect((await signed.userByToken(stoken)).user.useruuid).toBe(LI.useruuid);
    expect(await signed.roles(LI.useruuid, LI.areacode)).toHaveLength(2);
    expect(await signed.authorize({ agent: 'PURI', useruuid: LI.useruuid })).toContain('stoken=');

    const unsigned = new DisabledAidClient({ baseURL: emu.current.url, appID: DEFAULT_APP_ID });
    const err = await caught(unsigned.userByToken(stoken));
    expect(err).toMatchObject({
      code: 'ERR_PLATFORM',
      upstreamStatus: 401,
      platformCode: 40101,
      platformMessage: '接口授权签名无效',
    });
    expect((await caught(unsigned.permits(LI.useruuid, LI.areacode))).code).toBe('ERR_PLATFORM');

    const wrongKey = new DisabledAidClient({
      baseURL: emu.current.url,
      signRequest: hmacSigner('another-secret', { now: () => emu.current.clock.now() }),
    });
    expect((await caught(wrongKey.userByToken(stoken))).upstreamStatus).toBe(401);
    expect(JSON.stringify(err)).not.toContain(SIGNING_SECRET);
  });

  it('a throwing signer → ERR_CONFIG (redacted); a signer returning garbage → ERR_CONFIG', async () => {
    const throwing = new DisabledAidClient({
      baseURL: emu.current.url,
      signRequest: () => {
        throw new Error(`key ${SIGNING_SECRET} missing`);
      },
    });
    const stoken = 'stoken-value-that-must-not-leak-0001';
    const err = await caught(throwing.userByToken(stoken));
    expect(err.code).toBe('ERR_CONFIG');
    expect(err.message).toMatch(/signRequest failed/);
    // neither the signer's key (in its own message) nor the stoken survives anywhere on the error
    const cause = err.cause as Error;
    const everything = [err.message, err.stack, JSON.stringify(err), cause.message, cause.stack].join('\n');
    expect(everything).not.toContain(SIGNING_SECRET);
    expect(everything).not.toContain(stoken);
    const leaky = new DisabledAidClient({
      baseURL: emu.current.url,
      signRequest: (req) => {
        throw new Error(`cannot sign ${JSON.stringify(req.form)}`);
      },
    });
    const err2 = await caught(leaky.userByToken(stoken));
    expect([err2.message, err2.stack, (err2.cause as Error).message, (err2.cause as Error).stack].join('\n')).not.toContain(
      stoken,
    );
    const garbage = new DisabledAidClient({ baseURL: emu.current.url, signRequest: () => null as never });
    expect((await caught(garbage.userByToken('abc'))).code).toBe('ERR_CONFIG');
    expect(emu.current.requests).toHaveLength(0);
  });
});

describe('DisabledAidClient options', () => {
  it.each([
    [{}, /baseURL/],
    [{ baseURL: 'ftp://x' }, /baseURL/],
    [{ baseURL: 'http://x', side: 'admin' }, /side/],
    [{ baseURL: 'http://x', appId: '' }, /appId/],
    [{ baseURL: 'http://x', signRequest: 'sign' }, /signRequest/],
    [{ baseURL: 'http://x', timeout: 0 }, /timeout/],
    [{ baseURL: 'http://x', endpoints: { roleset: 'no-slash' } }, /endpoints\.roleset/],
    [{ baseURL: 'http://x', endpoints: { unknown: '/x' } }, /endpoints\.unknown/],
  ])('%j → ERR_CONFIG', (opts, re) => {
    let thrown: unknown;
    try {
      new DisabledAidClient(opts as never);
    } catch (err) {
      thrown = err;
    }
    expect(isCampusAuthError(thrown) && thrown.code).toBe('ERR_CONFIG');
    expect((thrown as Error).message).toMatch(re);
  });
});
