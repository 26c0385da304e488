import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Request } from 'express';
import passport from 'passport';
import request from 'supertest';
import { isCampusAuthError, defaultTransport as coreRequest, type Transport, type TransportRequest } from '@campus-passport/core';
import { describeConformance, strategyApp, useEmulator, type StrategyApp } from '@campus-passport/mock-platforms/testing';
import {
  DEFAULT_APP_ID,
  DEFAULT_SESSION_TTL,
  DISABLED_AID_USERS,
  startDisabledAidEmulator,
  type DisabledAidEmulator,
} from '@campus-passport/mock-platforms/disabled-aid';
import {
  DisabledAidStrategy,
  Strategy,
  type DisabledAidCredentials,
  type DisabledAidMenuNode,
  type DisabledAidProfile,
  type DisabledAidSignableRequest,
  type DisabledAidSide,
  type DisabledAidStrategyOptions,
  type DisabledAidVerify,
} from '../src';
import { SIGNING_SECRET, hmacSigner, useDisabledAidEmulator } from './helpers';

const emu = useDisabledAidEmulator();

const userOf = (side: DisabledAidSide) => DISABLED_AID_USERS.find((u) => u.side === side)!;
const LI = DISABLED_AID_USERS[1];
const CHEN = DISABLED_AID_USERS[3];
const CALLBACK = '/auth/disabled-aid/callback';

const byUser = (async (credentials: DisabledAidCredentials, profile: DisabledAidProfile) => ({
  credentials,
  profile,
})) as DisabledAidVerify;

/** The kit's app around a strategy on the emulator, the strategy at GET|POST CALLBACK. */
function appWith(options: Partial<DisabledAidStrategyOptions> = {}, verify: DisabledAidVerify = byUser): StrategyApp {
  return strategyApp(new DisabledAidStrategy({ baseURL: emu.current.url, ...options }, verify), {
    callbackPath: CALLBACK,
    prefix: 'da',
  });
}

/** GET CALLBACK with this query: exactly one Passport action. */
const hit = (app: StrategyApp, query: string) => app.call('get', `${CALLBACK}${query}`);

/** The fail message of a refused stoken, quoting what the platform said. */
const invalid = (said: string) =>
  `disabled-aid: the stoken is invalid or expired (${said}); open this app from the disabled-aid platform again`;

function menuIds(nodes: DisabledAidMenuNode[]): unknown[] {
  return nodes.map((n) => (n.children.length ? { [n.id]: menuIds(n.children) } : n.id));
}

describe('DisabledAidStrategy: login by stoken', () => {
  it.each(['governance', 'service', 'collaboration'] as DisabledAidSide[])('%s side → success with the profile', async (side) => {
    const u = userOf(side);
    const stoken = emu.current.issueStoken(u.useruuid);
    const res = await hit(appWith({ side }), `?stoken=${stoken}`);
    expect(res.status).toBe(200);
    const { credentials, profile } = res.body.user;
    expect(credentials).toEqual({ stoken });
    expect(profile).toEqual({
      provider: 'disabled-aid',
      id: u.useruuid,
      displayName: u.username,
      areaCode: u.areacode,
      deptId: u.deptuuid,
      deptName: u.deptname,
      side,
      _json: expect.objectContaining({ success: true, data: expect.objectContaining({ useruuid: u.useruuid }) }),
      _raw: expect.stringContaining(u.useruuid),
    });
    // roles and permissions off: one platform call only
    expect(emu.current.requests.map((r) => r.path)).toEqual([
      { governance: '/acis/udsa/userbytoken', service: '/acis/udsd/szzcbytoken', collaboration: '/acis/udsx/userbytoken' }[side],
    ]);
  });

  it('roles and permissions on → roles, permissions and the menu tree (uid = useruuid, uac = areacode)', async () => {
    const app = appWith({ appID: DEFAULT_APP_ID, fetchRoles: true, fetchPermissions: true });
    const res = await hit(app, `?stoken=${emu.current.issueStoken(LI.useruuid)}`);
    const profile = res.body.user.profile as DisabledAidProfile;
    expect(profile.roles!.map((r) => r.code)).toEqual(['DISTRICT_ADMIN', 'CITY_VIEWER']);
    expect(profile.permissions!.map((p) => p.key).sort()).toEqual([
      'home',
      'persons',
      'persons:list',
      'persons:subsidy',
      'system',
    ]);
    expect(menuIds(profile.menu!)).toEqual(['100', { '200': ['201', '202'] }, '900']);
    expect(emu.current.requests[0].path).toBe('/acis/udsa/userbytoken');
    expect(
      emu.current.requests
        .slice(1)
        .map((r) => r.path)
        .sort(),
    ).toEqual(['/acis/udsa/permits', '/acis/udsa/roleset']);
    for (const r of emu.current.requests.slice(1))
      expect(r.body).toEqual({ aid: DEFAULT_APP_ID, uid: LI.useruuid, uac: LI.areacode });
  });

  it('roles and permissions are fetched in parallel, after the user', async () => {
    const events: string[] = [];
    const name = (url: string) => new URL(url).pathname.split('/').pop();
    const transport: Transport = async <T>(req: TransportRequest) => {
      events.push(`start ${name(req.url)}`);
      const res = await coreRequest<T>(req);
      events.push(`end ${name(req.url)}`);
      return res;
    };
    const app = appWith({ appID: DEFAULT_APP_ID, fetchRoles: true, fetchPermissions: true, transport });
    expect((await hit(app, `?stoken=${emu.current.issueStoken(LI.useruuid)}`)).body.outcome).toBe('success');
    // the user call ends before the others start; both others start before either ends
    expect(events.slice(0, 4)).toEqual(['start userbytoken', 'end userbytoken', 'start roleset', 'start permits']);
    expect(events.slice(4).sort()).toEqual(['end permits', 'end roleset']);
  });

  it('a permission whose parent the user lacks is placed at the top of the menu', async () => {
    const app = appWith({ side: 'collaboration', appID: DEFAULT_APP_ID, fetchPermissions: true });
    const profile = (await hit(app, `?stoken=${emu.current.issueStoken(CHEN.useruuid)}`)).body.user.profile as DisabledAidProfile;
    expect(profile.roles).toBeUndefined();
    expect(menuIds(profile.menu!)).toEqual(['100', '201']);
    expect(emu.current.requests.map((r) => r.path)).toEqual(['/acis/udsx/userbytoken', '/acis/udsa/permits']);
  });

  it('only roles on → no permits call; a user without roles gets []', async () => {
    const u = DISABLED_AID_USERS[4];
    const app = appWith({ side: 'collaboration', appID: DEFAULT_APP_ID, fetchRoles: true });
    const profile = (await hit(app, `?stoken=${emu.current.issueStoken(u.useruuid)}`)).body.user.profile as DisabledAidProfile;
    expect(profile.roles).toEqual([]);
    expect(profile.permissions).toBeUndefined();
    expect(profile.menu).toBeUndefined();
    expect(emu.current.requests.map((r) => r.path)).toEqual(['/acis/udsx/userbytoken', '/acis/udsa/roleset']);
  });

  it('the stoken lives as long as the platform session: reusable until it ends', async () => {
    const app = appWith();
    const stoken = emu.current.issueStoken();
    expect((await hit(app, `?stoken=${stoken}`)).body.outcome).toBe('success');
    expect((await hit(app, `?stoken=${stoken}`)).body.outcome).toBe('success');
    emu.current.endSession(stoken);
    const res = await hit(app, `?stoken=${stoken}`);
    expect(res.status).toBe(401);
    expect(res.body.info).toEqual({ code: 'ERR_INVALID_CREDENTIAL', message: invalid('登录会话码无效') });
  });

  it('an invalid stoken → fail ERR_INVALID_CREDENTIAL quoting the platform message', async () => {
    const res = await hit(appWith(), '?stoken=0123456789abcdef');
    expect(res.status).toBe(401);
    expect(res.body).toEqual({
      outcome: 'fail',
      code: 'ERR_INVALID_CREDENTIAL',
      message: invalid('登录会话码无效'),
      info: { code: 'ERR_INVALID_CREDENTIAL', message: invalid('登录会话码无效') },
    });
  });

  it('an expired stoken (platform session over on the emulator clock) → fail ERR_INVALID_CREDENTIAL', async () => {
    const stoken = emu.current.issueStoken();
    emu.current.clock.advance(DEFAULT_SESSION_TTL + 1);
    const res = await hit(appWith(), `?stoken=${stoken}`);
    expect(res.status).toBe(401);
    expect(res.body.info).toEqual({ code: 'ERR_INVALID_CREDENTIAL', message: invalid('登录会话已过期,请重新登录') });
  });

  it('success:false → fail quoting exactly the platform message, verify not called', async () => {
    const verify = jest.fn(async (credentials: DisabledAidCredentials, profile: DisabledAidProfile) => ({
      credentials,
      profile,
    }));
    emu.current.inject({ kind: 'json', body: { meta: { code: 1 }, success: false, message: '用户已被禁用', data: null } });
    const res = await hit(appWith({}, verify as DisabledAidVerify), `?stoken=${emu.current.issueStoken()}`);
    expect(res.status).toBe(401);
    expect(res.body.info).toEqual({ code: 'ERR_INVALID_CREDENTIAL', message: invalid('用户已被禁用') });
    expect(verify).not.toHaveBeenCalled();
  });

  it('success without data.useruuid → error ERR_BAD_RESPONSE', async () => {
    emu.current.inject({ kind: 'json', body: { success: true, message: '操作成功', data: { username: '张慧' } } });
    const res = await hit(appWith(), `?stoken=${emu.current.issueStoken()}`);
    expect(res.status).toBe(500);
    expect(res.body).toMatchObject({ outcome: 'error', code: 'ERR_BAD_RESPONSE' });
  });

  it('roles refused (success:false) → error ERR_PLATFORM, not a user fail', async () => {
    const res = await hit(appWith({ appID: 'unregistered-app', fetchRoles: true }), `?stoken=${emu.current.issueStoken()}`);
    expect(res.body).toMatchObject({ outcome: 'error', code: 'ERR_PLATFORM' });
    expect(res.body.message).toContain('应用不存在');
  });

  it('no stoken and no portalURL → fail ERR_NO_CREDENTIAL (401), no platform call', async () => {
    const res = await hit(appWith(), '');
    expect(res.status).toBe(401);
    expect(res.body.info).toEqual({
      code: 'ERR_NO_CREDENTIAL',
      message: 'disabled-aid: the request carries no stoken; open this app from the disabled-aid platform again',
    });
    expect(emu.current.requests).toHaveLength(0);
  });

  it('detectWrongSide: a user of another side → fail ERR_DENIED 403, reason wrong-side (the other sides are asked once each)', async () => {
    const stoken = emu.current.issueStoken(userOf('service').useruuid);
    const res = await hit(appWith({ side: 'governance', detectWrongSide: true }), `?stoken=${stoken}`);
    expect(res.status).toBe(403);
    expect(res.body.info).toEqual({
      code: 'ERR_DENIED',
      message:
        'disabled-aid: this account is a 服务端 (service) user and this app serves 治理端 (governance) users; ' +
        'open it with a 治理端 account',
      reason: 'wrong-side',
    });
    expect(emu.current.requests.map((r) => r.path).sort()).toEqual([
      '/acis/udsa/userbytoken',
      '/acis/udsd/szzcbytoken',
      '/acis/udsx/userbytoken',
    ]);
    expect(res.text).not.toContain(stoken);
  });

  it('a stoken no side knows stays ERR_INVALID_CREDENTIAL; by default (detectWrongSide off) only its own side is asked', async () => {
    const unknown = await hit(appWith({ side: 'collaboration', detectWrongSide: true }), '?stoken=0123456789abcdef');
    expect([unknown.status, unknown.body.info.code, unknown.body.info.reason]).toEqual([
      401,
      'ERR_INVALID_CREDENTIAL',
      undefined,
    ]);
    emu.current.clearRequests();
    const stoken = emu.current.issueStoken(userOf('service').useruuid);
    const off = await hit(appWith({ side: 'governance' }), `?stoken=${stoken}`);
    expect(off.body.info).toEqual({ code: 'ERR_INVALID_CREDENTIAL', message: invalid('登录会话码无效') });
    expect(emu.current.requests.map((r) => r.path)).toEqual(['/acis/udsa/userbytoken']);
  });

  it('a failing probe of another side changes nothing: the refusal stays ERR_INVALID_CREDENTIAL', async () => {
    const stoken = emu.current.issueStoken(userOf('service').useruuid);
    emu.current.inject({ kind: 'status', status: 503 }, { path: '/acis/udsd/szzcbytoken' });
    const res = await hit(appWith({ side: 'governance', detectWrongSide: true }), `?stoken=${stoken}`);
    expect(res.body.info).toEqual({ code: 'ERR_INVALID_CREDENTIAL', message: invalid('登录会话码无效') });
  });

  it('no stoken with portalURL → redirect to the portal', async () => {
    const res = await hit(appWith({ portalURL: `${emu.current.url}/portal` }), '?tab=2');
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe(`${emu.current.url}/portal`);
  });

  it('a stoken in a POST form body is accepted; a custom tokenParam too', async () => {
    const res = await appWith().call('post', CALLBACK, { form: { stoken: emu.current.issueStoken() } });
    expect(res.body.outcome).toBe('success');
    const custom = await hit(appWith({ tokenParam: 'ticket' }), `?ticket=${emu.current.issueStoken()}`);
    expect(custom.body.outcome).toBe('success');
    expect((await hit(appWith({ tokenParam: 'ticket' }), `?stoken=${emu.current.issueStoken()}`)).body.info.code).toBe(
      'ERR_NO_CREDENTIAL',
    );
  });

  it('passReqToCallback gives verify the request first', async () => {
    const app = appWith({ passReqToCallback: true }, (async (
      req: Request,
      creds: DisabledAidCredentials,
      profile: DisabledAidProfile,
    ) => ({
      same: req.query.stoken === creds.stoken,
      id: profile.id,
    })) as unknown as DisabledAidVerify);
    expect((await hit(app, `?stoken=${emu.current.issueStoken()}`)).body.user).toEqual({
      same: true,
      id: DISABLED_AID_USERS[0].useruuid,
    });
  });
});

describe('DisabledAidStrategy: success:true without usable data (issue 13) → error ERR_BAD_RESPONSE', () => {
  const ok = { meta: { code: 200, message: 'success' }, success: true, message: '操作成功' };
  it.each([
    ['roleset', 'data missing', '/acis/udsa/roleset', ok],
    ['roleset', 'data not an array', '/acis/udsa/roleset', { ...ok, data: { roleId: 'r-city-viewer' } }],
    ['permits', 'data missing', '/acis/udsa/permits', ok],
    ['permits', 'data not an array', '/acis/udsa/permits', { ...ok, data: 'none' }],
    ['user', 'data missing', '/acis/udsa/userbytoken', ok],
  ])('%s answering success:true with %s: no login, no empty roles, no secret', async (_call, _how, path, body) => {
    emu.current.setSignatureSecret(SIGNING_SECRET);
    const verify = jest.fn(async (credentials: DisabledAidCredentials, profile: DisabledAidProfile) => ({
      credentials,
      profile,
    }));
    const app = appWith(
      {
        appID: DEFAULT_APP_ID,
        fetchRoles: true,
        fetchPermissions: true,
        signRequest: hmacSigner(SIGNING_SECRET, { now: () => emu.current.clock.now() }),
      },
      verify as DisabledAidVerify,
    );
    const stoken = emu.current.issueStoken(LI.useruuid);
    emu.current.inject({ kind: 'json', body }, { path });
    const res = await hit(app, `?stoken=${stoken}`);
    expect(res.status).toBe(500);
    expect(res.body).toMatchObject({ outcome: 'error', code: 'ERR_BAD_RESPONSE' });
    expect(res.body.message).toMatch(/"data"/);
    expect(verify).not.toHaveBeenCalled();
    expect(emu.current.requests.map((r) => r.path)).toContain(path); // the fault was hit
    for (const secret of [SIGNING_SECRET, stoken]) expect(res.text).not.toContain(secret);
  });
});

describe('DisabledAidStrategy: signRequest', () => {
  it('is called for every platform call and satisfies the emulator signature check', async () => {
    emu.current.setSignatureSecret(SIGNING_SECRET);
    const seen: DisabledAidSignableRequest[] = [];
    const app = appWith({
      appID: DEFAULT_APP_ID,
      fetchRoles: true,
      fetchPermissions: true,
      signRequest: hmacSigner(SIGNING_SECRET, { now: () => emu.current.clock.now(), seen }),
    });
    const stoken = emu.current.issueStoken(LI.useruuid);
    const res = await hit(app, `?stoken=${stoken}`);
    expect(res.body.outcome).toBe('success');
    expect(res.body.user.profile.roles).toHaveLength(2);
    expect(seen.map((r) => `${r.method} ${new URL(r.url).pathname}`).sort()).toEqual([
      'POST /acis/udsa/permits',
      'POST /acis/udsa/roleset',
      'POST /acis/udsa/userbytoken',
    ]);
    expect(seen.find((r) => r.url.endsWith('userbytoken'))!.form).toEqual({ stoken });
    expect(emu.current.requests.every((r) => /^[0-9a-f]{64}$/.test(r.headers['x-da-signature']))).toBe(true);
  });

  it('without signRequest the platform refuses the call → error ERR_PLATFORM', async () => {
    emu.current.setSignatureSecret(SIGNING_SECRET);
    const verify = jest.fn(async (credentials: DisabledAidCredentials, profile: DisabledAidProfile) => ({
      credentials,
      profile,
    }));
    const res = await hit(appWith({}, verify as DisabledAidVerify), `?stoken=${emu.current.issueStoken()}`);
    expect(res.status).toBe(500);
    expect(res.body).toMatchObject({ outcome: 'error', code: 'ERR_PLATFORM' });
    expect(res.body.message).toContain('HTTP 401');
    expect(verify).not.toHaveBeenCalled();
  });
});

describe('DisabledAidStrategy: construction', () => {
  const ok = async () => ({ id: 1 });
  const configErr = (opts: unknown) => {
    try {
      new DisabledAidStrategy(opts as DisabledAidStrategyOptions, ok);
    } catch (err) {
      return isCampusAuthError(err) && err.code === 'ERR_CONFIG' ? err.message : `other: ${String(err)}`;
    }
    return 'no error';
  };

  it('names, exports and defaults', () => {
    const s = new Strategy({ baseURL: 'https://host/disable-mis-bidp' }, ok);
    expect(Strategy).toBe(DisabledAidStrategy);
    expect(s.name).toBe('disabled-aid');
    expect(s.side).toBe('governance');
    expect(s.client.baseURL).toBe('https://host/disable-mis-bidp');
    expect(new DisabledAidStrategy({ baseURL: 'http://x', name: 'zhucan' }, ok).name).toBe('zhucan');
  });

  it('validates every option with ERR_CONFIG naming it', () => {
    expect(configErr({})).toMatch(/baseURL/);
    expect(configErr({ baseURL: 'not a url' })).toMatch(/baseURL/);
    expect(configErr({ baseURL: 'http://x', fetchRoles: true })).toMatch(/appId/);
    expect(configErr({ baseURL: 'http://x', fetchPermissions: true })).toMatch(/appId/);
    expect(configErr({ baseURL: 'http://x', fetchRoles: 'yes', appId: 'a' })).toMatch(/fetchRoles/);
    expect(configErr({ baseURL: 'http://x', side: 'admin' })).toMatch(/side/);
    expect(configErr({ baseURL: 'http://x', tokenParam: 'a b' })).toMatch(/tokenParam/);
    expect(configErr({ baseURL: 'http://x', portalURL: '' })).toMatch(/portalURL/);
    expect(configErr({ baseURL: 'http://x', signRequest: {} })).toMatch(/signRequest/);
    expect(configErr({ baseURL: 'http://x', timeout: -5 })).toMatch(/timeout/);
    expect(configErr({ baseURL: 'http://x', appId: 'a', fetchRoles: true, fetchPermissions: true })).toBe('no error');
  });

  it('appID is the option; appId, its deprecated spelling, still works', () => {
    const withID = new DisabledAidStrategy({ baseURL: 'http://x', appID: 'a', fetchRoles: true }, ok);
    const withAlias = new DisabledAidStrategy({ baseURL: 'http://x', appId: 'a', fetchRoles: true }, ok);
    expect([withID.client.appID, withAlias.client.appID, withAlias.client.appId]).toEqual(['a', 'a', 'a']);
    expect(configErr({ baseURL: 'http://x', fetchRoles: true })).toMatch(/"appID"/);
    expect(configErr({ baseURL: 'http://x', appID: '' })).toMatch(/"appID"/);
    expect(configErr({ baseURL: 'http://x', appID: ' ' })).toMatch(/"appID"/);
    expect(configErr({ baseURL: 'http://x', appID: 'a', appId: 'b' })).toMatch(/"appID" and "appId"/);
    expect(configErr({ baseURL: 'http://x', appID: 'a', appId: 'a', fetchRoles: true })).toBe('no error');
  });

  it('cleanURL strips the stoken and the configured tokenParam', () => {
    const s = new DisabledAidStrategy({ baseURL: 'http://x', tokenParam: 'ticket' }, ok);
    expect(s.cleanURL('/home?ticket=t&stoken=s&tab=2#x')).toBe('/home?tab=2#x');
  });
});

describe('end to end: portal → app link with stoken → session → clean URL', () => {
  // the kit's app (session, passport) behind a real port, so the portal can be given the app's URL
  let site: StrategyApp | undefined;
  const server = createServer((req, res) => site!.app(req, res));
  let appOrigin = '';
  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    appOrigin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  const portal = useEmulator(() => startDisabledAidEmulator({ appURL: `${appOrigin}/home?tab=2` }));
  beforeAll(() => {
    const strategy = new DisabledAidStrategy(
      { baseURL: portal.current.url, side: 'service', appID: DEFAULT_APP_ID, fetchPermissions: true },
      async (_c, profile) => ({ id: profile.id, name: profile.displayName, menu: profile.menu!.map((m) => m.name) }),
    );
    site = strategyApp(strategy, { prefix: 'da-e2e' });
    passport.serializeUser((user, done) => done(null, user));
    passport.deserializeUser((user: Express.User, done) => done(null, user));
    site.app.use(passport.session());
    // the platform may append stoken to any app link: log in, then drop it from the address bar
    site.app.use((req, res, next) => {
      if (req.query.stoken === undefined) return next();
      passport.authenticate(site!.name, { failureRedirect: '/denied' })(req, res, () =>
        res.redirect(strategy.cleanURL(req.originalUrl)),
      );
    });
    site.app.get('/home', (req, res) => void res.json({ user: req.user ?? null, url: req.originalUrl }));
  });
  afterAll(async () => {
    passport.unuse(site!.name);
    await new Promise((r) => server.close(r));
  });

  it('a user picked on the portal ends up logged in on a URL without the stoken', async () => {
    const page = await (await fetch(`${portal.current.url}/`)).text();
    const wang = userOf('service');
    const href = new RegExp(`data-user="${wang.useruuid}"[^>]*href="([^"]+)"`).exec(page)![1].replace(/&amp;/g, '&');
    const open = await fetch(`${portal.current.url}${href}`, { redirect: 'manual' });
    const appLink = open.headers.get('location')!;
    expect(appLink).toMatch(new RegExp(`^${appOrigin}/home\\?tab=2&stoken=[0-9a-f]{32}$`));

    const agent = request.agent(server);
    const first = await agent.get(appLink.slice(appOrigin.length));
    expect(first.status).toBe(302);
    expect(first.headers.location).toBe('/home?tab=2');
    const home = await agent.get(first.headers.location);
    expect(home.body).toEqual({
      user: { id: wang.useruuid, name: wang.username, menu: ['首页', '服务管理'] },
      url: '/home?tab=2',
    });
  });
});

// The conformance matrix, with the signature check on and roles + permissions fetched, so every
// platform call is signed and the signing secret must never leak.
let conformanceEmu: DisabledAidEmulator;
describeConformance({
  title: 'disabled-aid strategy (signed, roles + permissions)',
  async startEmulator() {
    conformanceEmu = await startDisabledAidEmulator({ signatureSecret: SIGNING_SECRET });
    return conformanceEmu;
  },
  createStrategy: (emulator, { timeout }) =>
    new DisabledAidStrategy(
      {
        baseURL: emulator.url,
        timeout,
        appID: DEFAULT_APP_ID,
        fetchRoles: true,
        fetchPermissions: true,
        signRequest: hmacSigner(SIGNING_SECRET, { now: () => emulator.clock.now() }),
      },
      async (_c, profile) => ({ id: profile.id }),
    ),
  credentialParam: 'stoken',
  missingCredential: 'fail',
  async validCallback() {
    return { params: { stoken: conformanceEmu.issueStoken(LI.useruuid) } };
  },
  secrets: [SIGNING_SECRET],
});

// …and the plain configuration (no signer, user call only), with the stoken in a POST body.
let plainEmu: DisabledAidEmulator;
describeConformance({
  title: 'disabled-aid strategy (plain, stoken posted)',
  async startEmulator() {
    plainEmu = await startDisabledAidEmulator();
    return plainEmu;
  },
  createStrategy: (emulator, { timeout }) =>
    new DisabledAidStrategy({ baseURL: emulator.url, timeout }, async (_c, p) => ({ id: p.id })),
  credentialParam: 'stoken',
  credentialIn: 'body',
  missingCredential: 'fail',
  async validCallback() {
    return { params: { stoken: plainEmu.issueStoken() } };
  },
  secrets: [],
});
