import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import session from 'express-session';
import passport from 'passport';
import request from 'supertest';
import { isCampusAuthError, request as coreRequest, type Transport, type TransportRequest } from '@campus-passport/core';
import { countActions, describeConformance } from '@campus-passport/mock-platforms/testing';
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
import { SIGNING_SECRET, hmacSigner } from './helpers';

let emu: DisabledAidEmulator;
beforeAll(async () => {
  emu = await startDisabledAidEmulator();
});
afterAll(() => emu.close());
afterEach(() => {
  emu.clearFaults();
  emu.clearRequests();
  emu.setSignatureSecret(undefined);
  emu.clock.reset();
});

const userOf = (side: DisabledAidSide) => DISABLED_AID_USERS.find((u) => u.side === side)!;
const LI = DISABLED_AID_USERS[1];
const CHEN = DISABLED_AID_USERS[3];
const CALLBACK = '/auth/disabled-aid/callback';

let seq = 0;
const actions = new Map<string, string[]>();
const byUser = (async (credentials: DisabledAidCredentials, profile: DisabledAidProfile) => ({
  credentials,
  profile,
})) as DisabledAidVerify;

/** An app that answers every outcome as JSON (status, fail info, error code). */
function appWith(options: Partial<DisabledAidStrategyOptions> = {}, verify: DisabledAidVerify = byUser): Express {
  const name = `da-${++seq}`;
  passport.use(name, countActions(new DisabledAidStrategy({ baseURL: emu.url, name, ...options }, verify), actions));
  const app = express();
  app.use(express.urlencoded({ extended: false }));
  app.use(passport.initialize());
  const handler = (req: Request, res: Response, next: NextFunction) =>
    passport.authenticate(name, { session: false }, (err: Error | null, user: unknown, info: unknown, status?: number) => {
      if (err)
        return void res.status(500).json({ outcome: 'error', code: (err as { code?: string }).code, message: err.message });
      if (!user) return void res.status(status ?? 401).json({ outcome: 'fail', info });
      res.json({ outcome: 'success', user });
    })(req, res, next);
  app.get(CALLBACK, handler);
  app.post(CALLBACK, handler);
  return app;
}

async function hit(app: Express, query: string) {
  const id = `r${++seq}`;
  const res = await request(app).get(`${CALLBACK}${query}`).set('x-test-id', id);
  await new Promise((r) => setTimeout(r, 20));
  expect(actions.get(id)).toHaveLength(1);
  return res;
}

function menuIds(nodes: DisabledAidMenuNode[]): unknown[] {
  return nodes.map((n) => (n.children.length ? { [n.id]: menuIds(n.children) } : n.id));
}

describe('DisabledAidStrategy: login by stoken', () => {
  it.each(['governance', 'service', 'collaboration'] as DisabledAidSide[])('%s side → success with the profile', async (side) => {
    const u = userOf(side);
    const stoken = emu.issueStoken(u.useruuid);
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
    expect(emu.requests.map((r) => r.path)).toEqual([
      { governance: '/acis/udsa/userbytoken', service: '/acis/udsd/szzcbytoken', collaboration: '/acis/udsx/userbytoken' }[side],
    ]);
  });

  it('roles and permissions on → roles, permissions and the menu tree (uid = useruuid, uac = areacode)', async () => {
    const app = appWith({ appId: DEFAULT_APP_ID, fetchRoles: true, fetchPermissions: true });
    const res = await hit(app, `?stoken=${emu.issueStoken(LI.useruuid)}`);
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
    expect(emu.requests[0].path).toBe('/acis/udsa/userbytoken');
    expect(
      emu.requests
        .slice(1)
        .map((r) => r.path)
        .sort(),
    ).toEqual(['/acis/udsa/permits', '/acis/udsa/roleset']);
    for (const r of emu.requests.slice(1)) expect(r.body).toEqual({ aid: DEFAULT_APP_ID, uid: LI.useruuid, uac: LI.areacode });
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
    const app = appWith({ appId: DEFAULT_APP_ID, fetchRoles: true, fetchPermissions: true, transport });
    expect((await hit(app, `?stoken=${emu.issueStoken(LI.useruuid)}`)).body.outcome).toBe('success');
    // the user call ends before the others start; both others start before either ends
    expect(events.slice(0, 4)).toEqual(['start userbytoken', 'end userbytoken', 'start roleset', 'start permits']);
    expect(events.slice(4).sort()).toEqual(['end permits', 'end roleset']);
  });

  it('a permission whose parent the user lacks is placed at the top of the menu', async () => {
    const app = appWith({ side: 'collaboration', appId: DEFAULT_APP_ID, fetchPermissions: true });
    const profile = (await hit(app, `?stoken=${emu.issueStoken(CHEN.useruuid)}`)).body.user.profile as DisabledAidProfile;
    expect(profile.roles).toBeUndefined();
    expect(menuIds(profile.menu!)).toEqual(['100', '201']);
    expect(emu.requests.map((r) => r.path)).toEqual(['/acis/udsx/userbytoken', '/acis/udsa/permits']);
  });

  it('only roles on → no permits call; a user without roles gets []', async () => {
    const u = DISABLED_AID_USERS[4];
    const app = appWith({ side: 'collaboration', appId: DEFAULT_APP_ID, fetchRoles: true });
    const profile = (await hit(app, `?stoken=${emu.issueStoken(u.useruuid)}`)).body.user.profile as DisabledAidProfile;
    expect(profile.roles).toEqual([]);
    expect(profile.permissions).toBeUndefined();
    expect(profile.menu).toBeUndefined();
    expect(emu.requests.map((r) => r.path)).toEqual(['/acis/udsx/userbytoken', '/acis/udsa/roleset']);
  });

  it('the stoken lives as long as the platform session: reusable until it ends', async () => {
    const app = appWith();
    const stoken = emu.issueStoken();
    expect((await hit(app, `?stoken=${stoken}`)).body.outcome).toBe('success');
    expect((await hit(app, `?stoken=${stoken}`)).body.outcome).toBe('success');
    emu.endSession(stoken);
    const res = await hit(app, `?stoken=${stoken}`);
    expect(res.status).toBe(401);
    expect(res.body.info).toEqual({ code: 'ERR_INVALID_CREDENTIAL', message: '登录会话码无效' });
  });

  it('an invalid stoken → fail ERR_INVALID_CREDENTIAL with the platform message', async () => {
    const res = await hit(appWith(), '?stoken=0123456789abcdef');
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ outcome: 'fail', info: { code: 'ERR_INVALID_CREDENTIAL', message: '登录会话码无效' } });
  });

  it('an expired stoken (platform session over on the emulator clock) → fail ERR_INVALID_CREDENTIAL', async () => {
    const stoken = emu.issueStoken();
    emu.clock.advance(DEFAULT_SESSION_TTL + 1);
    const res = await hit(appWith(), `?stoken=${stoken}`);
    expect(res.status).toBe(401);
    expect(res.body.info).toEqual({ code: 'ERR_INVALID_CREDENTIAL', message: '登录会话已过期,请重新登录' });
  });

  it('success:false → fail with exactly the platform message, verify not called', async () => {
    const verify = jest.fn(async (credentials: DisabledAidCredentials, profile: DisabledAidProfile) => ({
      credentials,
      profile,
    }));
    emu.inject({ kind: 'json', body: { meta: { code: 1 }, success: false, message: '用户已被禁用', data: null } });
    const res = await hit(appWith({}, verify as DisabledAidVerify), `?stoken=${emu.issueStoken()}`);
    expect(res.status).toBe(401);
    expect(res.body.info).toEqual({ code: 'ERR_INVALID_CREDENTIAL', message: '用户已被禁用' });
    expect(verify).not.toHaveBeenCalled();
  });

  it('success without data.useruuid → error ERR_BAD_RESPONSE', async () => {
    emu.inject({ kind: 'json', body: { success: true, message: '操作成功', data: { username: '张慧' } } });
    const res = await hit(appWith(), `?stoken=${emu.issueStoken()}`);
    expect(res.status).toBe(500);
    expect(res.body).toMatchObject({ outcome: 'error', code: 'ERR_BAD_RESPONSE' });
  });

  it('roles refused (success:false) → error ERR_PLATFORM, not a user fail', async () => {
    const res = await hit(appWith({ appId: 'unregistered-app', fetchRoles: true }), `?stoken=${emu.issueStoken()}`);
    expect(res.body).toMatchObject({ outcome: 'error', code: 'ERR_PLATFORM' });
    expect(res.body.message).toContain('应用不存在');
  });

  it('no stoken and no portalURL → fail ERR_NO_CREDENTIAL (401), no platform call', async () => {
    const res = await hit(appWith(), '');
    expect(res.status).toBe(401);
    expect(res.body.info.code).toBe('ERR_NO_CREDENTIAL');
    expect(emu.requests).toHaveLength(0);
  });

  it('no stoken with portalURL → redirect to the portal', async () => {
    const res = await hit(appWith({ portalURL: `${emu.url}/portal` }), '?tab=2');
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe(`${emu.url}/portal`);
  });

  it('a stoken in a POST form body is accepted; a custom tokenParam too', async () => {
    const id = `r${++seq}`;
    const res = await request(appWith()).post(CALLBACK).set('x-test-id', id).type('form').send({ stoken: emu.issueStoken() });
    expect(res.body.outcome).toBe('success');
    const custom = await hit(appWith({ tokenParam: 'ticket' }), `?ticket=${emu.issueStoken()}`);
    expect(custom.body.outcome).toBe('success');
    expect((await hit(appWith({ tokenParam: 'ticket' }), `?stoken=${emu.issueStoken()}`)).body.info.code).toBe(
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
    expect((await hit(app, `?stoken=${emu.issueStoken()}`)).body.user).toEqual({
      same: true,
      id: DISABLED_AID_USERS[0].useruuid,
    });
  });
});

describe('DisabledAidStrategy: signRequest', () => {
  it('is called for every platform call and satisfies the emulator signature check', async () => {
    emu.setSignatureSecret(SIGNING_SECRET);
    const seen: DisabledAidSignableRequest[] = [];
    const app = appWith({
      appId: DEFAULT_APP_ID,
      fetchRoles: true,
      fetchPermissions: true,
      signRequest: hmacSigner(SIGNING_SECRET, { now: () => emu.clock.now(), seen }),
    });
    const stoken = emu.issueStoken(LI.useruuid);
    const res = await hit(app, `?stoken=${stoken}`);
    expect(res.body.outcome).toBe('success');
    expect(res.body.user.profile.roles).toHaveLength(2);
    expect(seen.map((r) => `${r.method} ${new URL(r.url).pathname}`).sort()).toEqual([
      'POST /acis/udsa/permits',
      'POST /acis/udsa/roleset',
      'POST /acis/udsa/userbytoken',
    ]);
    expect(seen.find((r) => r.url.endsWith('userbytoken'))!.form).toEqual({ stoken });
    expect(emu.requests.every((r) => /^[0-9a-f]{64}$/.test(r.headers['x-da-signature']))).toBe(true);
  });

  it('without signRequest the platform refuses the call → error ERR_PLATFORM', async () => {
    emu.setSignatureSecret(SIGNING_SECRET);
    const verify = jest.fn(async (credentials: DisabledAidCredentials, profile: DisabledAidProfile) => ({
      credentials,
      profile,
    }));
    const res = await hit(appWith({}, verify as DisabledAidVerify), `?stoken=${emu.issueStoken()}`);
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

  it('cleanURL strips the stoken and the configured tokenParam', () => {
    const s = new DisabledAidStrategy({ baseURL: 'http://x', tokenParam: 'ticket' }, ok);
    expect(s.cleanURL('/home?ticket=t&stoken=s&tab=2#x')).toBe('/home?tab=2#x');
  });
});

describe('end to end: portal → app link with stoken → session → clean URL', () => {
  let server: Server;
  let appOrigin: string;
  let portalEmu: DisabledAidEmulator;

  beforeAll(async () => {
    const app = express();
    app.use(session({ secret: 'e2e-session-secret', resave: false, saveUninitialized: false }));
    app.use(passport.initialize());
    app.use(passport.session());
    passport.serializeUser((user, done) => done(null, user));
    passport.deserializeUser((user: Express.User, done) => done(null, user));
    const holder: { strategy?: DisabledAidStrategy } = {};
    // the platform may append stoken to any app link: log in, then drop it from the address bar
    app.use((req, res, next) => {
      if (req.query.stoken === undefined) return next();
      passport.authenticate('disabled-aid-e2e', { failureRedirect: '/denied' })(req, res, () =>
        res.redirect(holder.strategy!.cleanURL(req.originalUrl)),
      );
    });
    app.get('/home', (req, res) => void res.json({ user: req.user ?? null, url: req.originalUrl }));
    server = createServer(app);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    appOrigin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    portalEmu = await startDisabledAidEmulator({ appURL: `${appOrigin}/home?tab=2` });
    const strategy = new DisabledAidStrategy(
      { baseURL: portalEmu.url, side: 'service', appId: DEFAULT_APP_ID, fetchPermissions: true },
      async (_c, profile) => ({ id: profile.id, name: profile.displayName, menu: profile.menu!.map((m) => m.name) }),
    );
    holder.strategy = strategy;
    passport.use('disabled-aid-e2e', strategy);
  });
  afterAll(async () => {
    passport.unuse('disabled-aid-e2e');
    await portalEmu.close();
    await new Promise((r) => server.close(r));
  });

  it('a user picked on the portal ends up logged in on a URL without the stoken', async () => {
    const portal = await (await fetch(`${portalEmu.url}/`)).text();
    const wang = userOf('service');
    const href = new RegExp(`data-user="${wang.useruuid}"[^>]*href="([^"]+)"`).exec(portal)![1].replace(/&amp;/g, '&');
    const open = await fetch(`${portalEmu.url}${href}`, { redirect: 'manual' });
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
        appId: DEFAULT_APP_ID,
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
