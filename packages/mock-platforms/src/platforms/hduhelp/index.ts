/**
 * The HDU Helper (杭电助手) emulator: classic OAuth (the seed's /oauth/* and data endpoints) and the
 * "neo" OAuth (/hduhelp-neo/open-apis/authen/*, PKCE S256), the serverVerify jump, a login page
 * listing the seeded users, single-use codes bound to client + redirect_uri that expire after
 * 5 minutes, and expiring access tokens — all on the emulator's clock.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Express, Request, Response } from 'express';
import { escapeHtml, page, startEmulator, type Clock, type Emulator } from '../../harness';

export const DEFAULT_PORT = 4101;

/** The default classic app registration (works out of the box with the demo app). */
export const HDUHELP_CLIENT_ID = 'campus-passport-demo';
export const HDUHELP_CLIENT_SECRET = 'hduhelp-demo-client-secret-0d6f2c1e9b';
/** The default neo app registration. */
export const HDUHELP_NEO_APP_ID = 'cli_campus_passport_demo';
export const HDUHELP_NEO_APP_SECRET = 'hduhelp-neo-demo-app-secret-7a41e5c3';

/** Classic `error` codes of the emulator (the platform answers them with HTTP 200). */
export const HDUHELP_ERRORS = {
  invalidClient: 40001,
  unsupportedGrantType: 40002,
  invalidCode: 40003,
  stateMismatch: 40004,
  invalidToken: 40101,
  tokenExpired: 40102,
} as const;

/** Neo `code` values of the emulator. */
export const HDUHELP_NEO_ERRORS = {
  invalidApp: 20001,
  unsupportedGrantType: 20002,
  invalidCode: 20003,
  pkceFailed: 20004,
  invalidRefreshToken: 20005,
  invalidAccessToken: 20006,
  invalidParams: 20007,
} as const;

/** staffType: 1 undergraduate, 2 graduate, 3 staff (as the token answer documents it). */
export interface HduHelpUser {
  userId: string;
  staffId: string;
  staffName: string;
  staffType: 1 | 2 | 3;
  staffState: string;
  unitCode: string;
  unitName: string;
  grade: string;
  avatar: string;
}

export const HDUHELP_USERS: readonly HduHelpUser[] = [
  {
    userId: '3f1b2c4d-0001-4a6b-9c21-5e7f80a1b201',
    staffId: '22051234',
    staffName: '张三',
    staffType: 1,
    staffState: '在校',
    unitCode: '05',
    unitName: '计算机学院',
    grade: '2022',
    avatar: 'https://static.hduhelp.com/avatar/22051234.png',
  },
  {
    userId: '3f1b2c4d-0002-4a6b-9c21-5e7f80a1b202',
    staffId: '232050077',
    staffName: '李四',
    staffType: 2,
    staffState: '在校',
    unitCode: '08',
    unitName: '电子信息学院',
    grade: '2023',
    avatar: 'https://static.hduhelp.com/avatar/232050077.png',
  },
  {
    userId: '3f1b2c4d-0003-4a6b-9c21-5e7f80a1b203',
    staffId: '40123',
    staffName: '王老师',
    staffType: 3,
    staffState: '在职',
    unitCode: '05',
    unitName: '计算机学院',
    grade: '',
    avatar: 'https://static.hduhelp.com/avatar/40123.png',
  },
];

const STAFF_TYPE_TEXT: Record<number, string> = { 1: '本科生', 2: '研究生', 3: '教职工' };

export interface HduHelpClientRegistration {
  clientId: string;
  clientSecret: string;
  /** 'classic' (default) or 'neo'. */
  api?: 'classic' | 'neo';
  /** Pinned redirect URIs; when absent any http://localhost:* / http://127.0.0.1:* URI is accepted. */
  redirectUris?: string[];
  /** Where the serverVerify jump sends users (default: the last redirect_uri seen at authorize). */
  defaultRedirectUri?: string;
  /** Neo scopes the app may ask for (default: 'user:read,profile:read'). */
  scopes?: string[];
}

export interface HduHelpEmulatorOptions {
  port?: number;
  host?: string;
  clock?: Clock;
  /** App registrations (default: the demo classic client and the demo neo app). */
  clients?: HduHelpClientRegistration[];
  /** Neo: refuse an authorize without a PKCE challenge. Default false. */
  requirePkce?: boolean;
  /** Lifetimes, ms. */
  codeTtl?: number;
  accessTokenTtl?: number;
  refreshTokenTtl?: number;
}

export interface IssueCodeOptions {
  userId?: string;
  clientId?: string;
  redirectUri?: string;
  state?: string;
  codeChallenge?: string;
  scope?: string;
}

export interface HduHelpEmulator extends Emulator {
  readonly users: readonly HduHelpUser[];
  /** Issue a code directly (as if the user approved). Defaults: first user, demo classic client. */
  issueCode(options?: IssueCodeOptions): string;
  /** The URL of the serverVerify jump page (app.hduhelp.com signed-in case) for a client. */
  serverVerifyURL(clientId?: string, userId?: string): string;
  /** Set the default redirect URI of a registered client (serverVerify jumps there). */
  setDefaultRedirect(clientId: string, uri: string): void;
  /** Whether a token (access or refresh) is currently accepted. */
  isTokenActive(token: string): boolean;
}

interface CodeEntry {
  api: 'classic' | 'neo';
  clientId: string;
  redirectUri: string;
  userId: string;
  state?: string;
  codeChallenge?: string;
  scope: string;
  exp: number;
  used: boolean;
}

interface TokenEntry {
  kind: 'access' | 'refresh';
  api: 'classic' | 'neo';
  clientId: string;
  userId: string;
  scope: string;
  exp: number;
  revoked: boolean;
  /** The access token a refresh token belongs to (revoked together). */
  pair?: string;
}

const NEO_PREFIX = '/hduhelp-neo/open-apis/authen';
const NEO_PATHS = {
  authorize: [`${NEO_PREFIX}/authorize`, `${NEO_PREFIX}/v1/authorize`],
  accessToken: [`${NEO_PREFIX}/access-token`, `${NEO_PREFIX}/v1/access_token`],
  refresh: [`${NEO_PREFIX}/refresh-access-token`, `${NEO_PREFIX}/v1/refresh_access_token`],
  userInfo: [`${NEO_PREFIX}/user-info`, `${NEO_PREFIX}/v1/user_info`],
  revoke: [`${NEO_PREFIX}/revoke`, `${NEO_PREFIX}/v1/revoke`],
};

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}
function param(req: Request, name: string): string | undefined {
  const fromQuery = str((req.query as Record<string, unknown>)[name]);
  if (fromQuery !== undefined) return fromQuery;
  const body = req.body as Record<string, unknown> | undefined;
  return body && typeof body === 'object' ? str(body[name]) : undefined;
}
function token(): string {
  return randomBytes(24).toString('base64url');
}
function isLocalUri(uri: string): boolean {
  try {
    const u = new URL(uri);
    return u.protocol === 'http:' && (u.hostname === 'localhost' || u.hostname === '127.0.0.1');
  } catch {
    return false;
  }
}
function withQuery(uri: string, params: Record<string, string | undefined>): string {
  const u = new URL(uri);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) u.searchParams.set(k, v);
  return u.toString();
}

export async function startHduhelpEmulator(options: HduHelpEmulatorOptions = {}): Promise<HduHelpEmulator> {
  const codeTtl = options.codeTtl ?? 5 * 60_000;
  const accessTtl = options.accessTokenTtl ?? 2 * 60 * 60_000;
  const refreshTtl = options.refreshTokenTtl ?? 30 * 24 * 60 * 60_000;
  const clients = new Map<string, HduHelpClientRegistration>();
  for (const c of options.clients ?? [
    { clientId: HDUHELP_CLIENT_ID, clientSecret: HDUHELP_CLIENT_SECRET, api: 'classic' as const },
    { clientId: HDUHELP_NEO_APP_ID, clientSecret: HDUHELP_NEO_APP_SECRET, api: 'neo' as const },
  ])
    clients.set(c.clientId, { ...c });
  const lastRedirect = new Map<string, string>();
  const codes = new Map<string, CodeEntry>();
  const tokens = new Map<string, TokenEntry>();
  let clock: Clock | undefined;
  const now = () => (clock ? clock.now() : Date.now());
  const findUser = (id: string | undefined) => HDUHELP_USERS.find((u) => u.userId === id || u.staffId === id);

  function issueCode(o: IssueCodeOptions & { api?: 'classic' | 'neo' } = {}): string {
    const clientId = o.clientId ?? HDUHELP_CLIENT_ID;
    const reg = clients.get(clientId);
    const code = randomBytes(16).toString('hex');
    codes.set(code, {
      api: o.api ?? reg?.api ?? 'classic',
      clientId,
      redirectUri: o.redirectUri ?? reg?.defaultRedirectUri ?? lastRedirect.get(clientId) ?? 'http://127.0.0.1/callback',
      userId: findUser(o.userId)?.userId ?? HDUHELP_USERS[0].userId,
      state: o.state,
      codeChallenge: o.codeChallenge,
      scope: o.scope ?? '',
      exp: now() + codeTtl,
      used: false,
    });
    return code;
  }

  function issueTokens(api: 'classic' | 'neo', clientId: string, userId: string, scope: string) {
    const access = token();
    const refresh = token();
    const t = now();
    tokens.set(access, { kind: 'access', api, clientId, userId, scope, exp: t + accessTtl, revoked: false });
    tokens.set(refresh, { kind: 'refresh', api, clientId, userId, scope, exp: t + refreshTtl, revoked: false, pair: access });
    return { access, refresh, accessExp: t + accessTtl, refreshExp: t + refreshTtl };
  }

  /** Look a code up and burn it; every check the platform makes on a code. */
  function takeCode(code: string | undefined, clientId: string, api: 'classic' | 'neo', redirectUri?: string) {
    const entry = code ? codes.get(code) : undefined;
    if (!entry) return { error: 'the code does not exist' } as const;
    if (entry.used) return { error: 'the code was already used' } as const;
    entry.used = true; // single-use, even when the exchange then fails
    if (entry.exp <= now()) return { error: 'the code expired' } as const;
    if (entry.clientId !== clientId || entry.api !== api) return { error: 'the code was issued to another client' } as const;
    if (redirectUri !== undefined && redirectUri !== entry.redirectUri)
      return { error: 'the redirect_uri differs from the one the code was issued for' } as const;
    return { entry } as const;
  }

  function bearer(req: Request, scheme: 'token' | 'bearer'): TokenEntry | 'expired' | undefined {
    const h = req.headers.authorization ?? '';
    const m = /^(\S+)\s+(\S+)$/.exec(h);
    if (!m || m[1].toLowerCase() !== scheme) return undefined;
    const entry = tokens.get(m[2]);
    if (!entry || entry.kind !== 'access' || entry.revoked) return undefined;
    if (entry.exp <= now()) return 'expired';
    return entry;
  }

  function errorPage(res: Response, status: number, code: number, why: string): void {
    res
      .status(status)
      .type('html')
      .send(page('杭电助手 · 授权失败', `<p>错误码 <strong class="error-code">${code}</strong></p><p>${escapeHtml(why)}</p>`));
  }

  /** Validate an authorize request; answer the error page and return undefined when it is bad. */
  function checkAuthorize(req: Request, res: Response, api: 'classic' | 'neo') {
    const clientId = param(req, api === 'classic' ? 'client_id' : 'app_id');
    const redirectUri = param(req, 'redirect_uri');
    const reg = clientId ? clients.get(clientId) : undefined;
    if (!reg || (reg.api ?? 'classic') !== api) return void errorPage(res, 400, 40001, '应用不存在 (unknown client)');
    if (param(req, 'response_type') !== 'code') return void errorPage(res, 400, 40002, 'response_type 必须为 code');
    if (!redirectUri) return void errorPage(res, 400, 40005, '缺少 redirect_uri');
    const allowed = reg.redirectUris ? reg.redirectUris.includes(redirectUri) : isLocalUri(redirectUri);
    if (!allowed) return void errorPage(res, 400, 40006, 'redirect_uri 未登记');
    let challenge: string | undefined;
    let scope = '';
    if (api === 'neo') {
      challenge = param(req, 'code_challenge');
      const method = param(req, 'code_challenge_method');
      if (challenge && method !== 'S256') return void errorPage(res, 400, 20004, 'code_challenge_method 仅支持 S256');
      if (!challenge && options.requirePkce) return void errorPage(res, 400, 20004, '缺少 code_challenge (PKCE)');
      scope = param(req, 'scope') ?? '';
      const granted = reg.scopes ?? ['user:read', 'profile:read'];
      const bad = scope
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s && !granted.includes(s));
      if (bad.length) return void errorPage(res, 400, 20007, `scope 未开通: ${bad.join(',')}`);
    }
    lastRedirect.set(reg.clientId, redirectUri);
    return { reg, redirectUri, state: param(req, 'state'), challenge, scope };
  }

  function loginPage(req: Request, res: Response, action: string, hidden: Record<string, string | undefined>): void {
    const fields = Object.entries(hidden)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v!)}">`)
      .join('');
    const buttons = HDUHELP_USERS.map(
      (u) =>
        `<button type="submit" name="user" value="${escapeHtml(u.userId)}" data-user="${escapeHtml(u.userId)}">${escapeHtml(u.staffName)} · ${escapeHtml(u.staffId)} · ${STAFF_TYPE_TEXT[u.staffType]}</button>`,
    ).join('');
    res
      .type('html')
      .send(
        page(
          '杭电助手 · 授权登录',
          `<p>选择一个测试用户登录（emulator）</p><form method="post" action="${escapeHtml(action)}">${fields}${buttons}<button type="submit" name="deny" value="1" data-deny="1">拒绝授权</button></form>`,
        ),
      );
  }

  function approve(req: Request, res: Response, api: 'classic' | 'neo'): void {
    const ok = checkAuthorize(req, res, api);
    if (!ok) return;
    if (param(req, 'deny')) {
      return void res.redirect(302, withQuery(ok.redirectUri, { error: 'access_denied', state: ok.state }));
    }
    const user = findUser(param(req, 'user'));
    if (!user) return void errorPage(res, 400, 40007, '请选择一个用户');
    const code = issueCode({
      api,
      clientId: ok.reg.clientId,
      redirectUri: ok.redirectUri,
      userId: user.userId,
      state: ok.state,
      codeChallenge: ok.challenge,
      scope: ok.scope,
    });
    res.redirect(302, withQuery(ok.redirectUri, { code, state: ok.state }));
  }

  const classicEnv = (res: Response, error: number, msg: string, data: unknown = null, status = 200) =>
    void res.status(status).json({ error, msg, data });
  const neoEnv = (res: Response, code: number, msg: string, data: unknown = null, status = 200) =>
    void res.status(status).json({ code, msg, data });

  function neoApp(req: Request): HduHelpClientRegistration | undefined {
    const reg = clients.get(param(req, 'app_id') ?? '');
    if (!reg || reg.api !== 'neo' || reg.clientSecret !== param(req, 'app_secret')) return undefined;
    return reg;
  }

  function neoTokenData(t: ReturnType<typeof issueTokens>, userId: string, scope: string) {
    return {
      accessToken: t.access,
      refreshToken: t.refresh,
      expiresIn: Math.floor(accessTtl / 1000),
      scope,
      tenantKey: 'hdu',
      tokenType: 'Bearer',
      userId,
      patId: '',
    };
  }

  function routes(app: Express): void {
    // ---------- classic ----------
    app.get('/oauth/authorize', (req, res) => {
      const ok = checkAuthorize(req, res, 'classic');
      if (!ok) return;
      loginPage(req, res, '/oauth/authorize', {
        response_type: 'code',
        client_id: ok.reg.clientId,
        redirect_uri: ok.redirectUri,
        state: ok.state,
      });
    });
    app.post('/oauth/authorize', (req, res) => approve(req, res, 'classic'));

    app.get('/oauth/token', (req, res) => {
      const reg = clients.get(param(req, 'client_id') ?? '');
      if (!reg || (reg.api ?? 'classic') !== 'classic' || reg.clientSecret !== param(req, 'client_secret'))
        return classicEnv(res, HDUHELP_ERRORS.invalidClient, 'invalid client');
      if (param(req, 'grant_type') !== 'authorization_code')
        return classicEnv(res, HDUHELP_ERRORS.unsupportedGrantType, 'unsupported grant_type');
      const taken = takeCode(param(req, 'code'), reg.clientId, 'classic', param(req, 'redirect_uri'));
      if ('error' in taken) return classicEnv(res, HDUHELP_ERRORS.invalidCode, `invalid code: ${taken.error}`);
      const { entry } = taken;
      if (entry.state !== undefined && entry.state !== param(req, 'state'))
        return classicEnv(res, HDUHELP_ERRORS.stateMismatch, 'state mismatch');
      const user = findUser(entry.userId)!;
      const t = issueTokens('classic', reg.clientId, user.userId, '');
      classicEnv(res, 0, 'success', {
        access_token: t.access,
        access_token_expire: Math.floor(t.accessExp / 1000),
        refresh_token: t.refresh,
        refresh_token_expire: Math.floor(t.refreshExp / 1000),
        staff_id: user.staffId,
        staff_name: user.staffName,
        staff_type: user.staffType,
        user_id: user.userId,
      });
    });

    const classicAuth = (req: Request, res: Response): TokenEntry | undefined => {
      const entry = bearer(req, 'token');
      if (entry === 'expired') return void classicEnv(res, HDUHELP_ERRORS.tokenExpired, 'access token expired', null, 401);
      if (!entry || entry.api !== 'classic')
        return void classicEnv(res, HDUHELP_ERRORS.invalidToken, 'invalid access token', null, 401);
      return entry;
    };

    app.get('/oauth/token/validate', (req, res) => {
      const entry = classicAuth(req, res);
      if (!entry) return;
      const h = req.headers.authorization!.split(/\s+/)[1];
      classicEnv(res, 0, 'success', {
        access_token: h,
        access_token_expire: Math.floor(entry.exp / 1000),
        staff_id: findUser(entry.userId)!.staffId,
      });
    });

    app.get('/salmon_base/person/info', (req, res) => {
      const entry = classicAuth(req, res);
      if (!entry) return;
      const u = findUser(entry.userId)!;
      classicEnv(res, 0, 'success', {
        staffId: u.staffId,
        staffName: u.staffName,
        staffState: u.staffState,
        staffType: String(u.staffType),
        unitCode: u.unitCode,
      });
    });

    // the deprecated form (the seed's): upper-case fields, the type as text
    app.get('/base/person/info', (req, res) => {
      const entry = classicAuth(req, res);
      if (!entry) return;
      const u = findUser(entry.userId)!;
      classicEnv(res, 0, 'success', {
        STAFFID: u.staffId,
        GRADE: u.grade,
        STAFFNAME: u.staffName,
        STAFFTYPE: STAFF_TYPE_TEXT[u.staffType],
        STAFFSTATE: u.staffState,
        UNITCODE: u.unitCode,
        UNITNAME: u.unitName,
      });
    });

    // serverVerify: the user is signed in to app.hduhelp.com; the gateway jumps straight to the
    // app's default redirect URL with serverVerify=true and a code (no state of the app's).
    app.get('/oauth/server-verify', (req, res) => {
      // the app checks the Referer origin instead of a state: make sure the browser sends at least
      // the platform's origin, from the page of users and across the 302, whatever its own default
      res.set('Referrer-Policy', 'origin');
      const reg = clients.get(param(req, 'client_id') ?? HDUHELP_CLIENT_ID);
      if (!reg || (reg.api ?? 'classic') !== 'classic') return void errorPage(res, 400, 40001, '应用不存在 (unknown client)');
      const target = reg.defaultRedirectUri ?? lastRedirect.get(reg.clientId);
      if (!target) return void errorPage(res, 400, 40008, '应用未配置默认 redirect url');
      const user = findUser(param(req, 'user'));
      if (!user) {
        const links = HDUHELP_USERS.map(
          (u) =>
            `<a class="user" data-user="${escapeHtml(u.userId)}" href="/oauth/server-verify?client_id=${encodeURIComponent(reg.clientId)}&amp;user=${encodeURIComponent(u.userId)}">${escapeHtml(u.staffName)} · ${escapeHtml(u.staffId)}</a>`,
        ).join('');
        return void res.type('html').send(page('app.hduhelp.com · 已登录，直接进入应用', links));
      }
      const code = issueCode({ clientId: reg.clientId, redirectUri: target, userId: user.userId });
      res.redirect(302, withQuery(target, { code, serverVerify: 'true' }));
    });

    // ---------- neo ----------
    app.get(NEO_PATHS.authorize, (req, res) => {
      const ok = checkAuthorize(req, res, 'neo');
      if (!ok) return;
      loginPage(req, res, NEO_PATHS.authorize[0], {
        response_type: 'code',
        app_id: ok.reg.clientId,
        redirect_uri: ok.redirectUri,
        scope: ok.scope || undefined,
        state: ok.state,
        code_challenge: ok.challenge,
        code_challenge_method: ok.challenge ? 'S256' : undefined,
      });
    });
    app.post(NEO_PATHS.authorize, (req, res) => approve(req, res, 'neo'));

    app.post(NEO_PATHS.accessToken, (req, res) => {
      const reg = neoApp(req);
      if (!reg) return neoEnv(res, HDUHELP_NEO_ERRORS.invalidApp, 'invalid app_id or app_secret', null, 401);
      if (param(req, 'grant_type') !== 'authorization_code')
        return neoEnv(res, HDUHELP_NEO_ERRORS.unsupportedGrantType, 'unsupported grant_type', null, 400);
      const taken = takeCode(param(req, 'code'), reg.clientId, 'neo', param(req, 'redirect_uri'));
      if ('error' in taken) return neoEnv(res, HDUHELP_NEO_ERRORS.invalidCode, `invalid code: ${taken.error}`, null, 400);
      const { entry } = taken;
      if (entry.codeChallenge) {
        const verifier = param(req, 'code_verifier') ?? '';
        const computed = createHash('sha256').update(verifier).digest('base64url');
        if (computed !== entry.codeChallenge)
          return neoEnv(res, HDUHELP_NEO_ERRORS.pkceFailed, 'code_verifier does not match', null, 400);
      }
      const t = issueTokens('neo', reg.clientId, entry.userId, entry.scope);
      neoEnv(res, 0, 'success', neoTokenData(t, entry.userId, entry.scope));
    });

    app.post(NEO_PATHS.refresh, (req, res) => {
      const reg = neoApp(req);
      if (!reg) return neoEnv(res, HDUHELP_NEO_ERRORS.invalidApp, 'invalid app_id or app_secret', null, 401);
      if (param(req, 'grant_type') !== 'refresh_token')
        return neoEnv(res, HDUHELP_NEO_ERRORS.unsupportedGrantType, 'unsupported grant_type', null, 400);
      const rt = param(req, 'refresh_token') ?? '';
      const entry = tokens.get(rt);
      if (!entry || entry.kind !== 'refresh' || entry.revoked || entry.exp <= now() || entry.clientId !== reg.clientId)
        return neoEnv(res, HDUHELP_NEO_ERRORS.invalidRefreshToken, 'invalid refresh token', null, 400);
      // refresh tokens are single-use and rotate; the old access token goes with them
      entry.revoked = true;
      const old = entry.pair ? tokens.get(entry.pair) : undefined;
      if (old) old.revoked = true;
      const t = issueTokens('neo', reg.clientId, entry.userId, entry.scope);
      neoEnv(res, 0, 'success', neoTokenData(t, entry.userId, entry.scope));
    });

    app.get(NEO_PATHS.userInfo, (req, res) => {
      const entry = bearer(req, 'bearer');
      if (!entry || entry === 'expired' || entry.api !== 'neo')
        return neoEnv(
          res,
          HDUHELP_NEO_ERRORS.invalidAccessToken,
          entry === 'expired' ? 'access token expired' : 'invalid access token',
          null,
          401,
        );
      const u = findUser(entry.userId)!;
      neoEnv(res, 0, 'success', {
        userId: u.userId,
        name: u.staffName,
        avatar: u.avatar,
        school: '杭州电子科技大学',
        staffId: u.staffId,
        scopes: entry.scope ? entry.scope.split(',') : [],
      });
    });

    app.post(NEO_PATHS.revoke, (req, res) => {
      const reg = neoApp(req);
      if (!reg) return neoEnv(res, HDUHELP_NEO_ERRORS.invalidApp, 'invalid app_id or app_secret', null, 401);
      const t = param(req, 'token');
      if (!t) return neoEnv(res, HDUHELP_NEO_ERRORS.invalidParams, 'token is required', null, 400);
      const entry = tokens.get(t);
      if (entry && entry.clientId === reg.clientId) {
        entry.revoked = true;
        const pair = entry.pair ? tokens.get(entry.pair) : undefined;
        if (pair) pair.revoked = true;
      }
      // like RFC 7009: revoking an unknown token is not an error
      neoEnv(res, 0, 'success');
    });
  }

  const emu = await startEmulator({
    name: 'hduhelp',
    port: options.port,
    host: options.host,
    clock: options.clock,
    routes(app, ctx) {
      clock = ctx.clock;
      routes(app);
    },
  });

  return Object.assign(emu, {
    users: HDUHELP_USERS,
    issueCode: (o: IssueCodeOptions = {}) => issueCode(o),
    serverVerifyURL(clientId = HDUHELP_CLIENT_ID, userId?: string) {
      const u = new URL('/oauth/server-verify', emu.url);
      u.searchParams.set('client_id', clientId);
      if (userId) u.searchParams.set('user', userId);
      return u.toString();
    },
    setDefaultRedirect(clientId: string, uri: string) {
      const reg = clients.get(clientId);
      if (!reg) throw new Error(`hduhelp emulator: no client ${clientId}`);
      reg.defaultRedirectUri = uri;
    },
    isTokenActive(t: string) {
      const e = tokens.get(t);
      return !!e && !e.revoked && e.exp > now();
    },
  });
}
