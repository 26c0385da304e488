/**
 * Emulator of TMPL_TITLE_EN (TMPL_TITLE_ZH), scaffolded by `pnpm new:platform tmpl`.
 *
 * A minimal authorization-code flow: code → access token → user. Every behaviour below is
 * *unconfirmed* until it is held to the platform's official source: replace each
 * `unconfirmed (template)` comment with the source it follows — official repository and path, or
 * `seed: <file>` — and change the behaviour wherever that source says otherwise. Where the
 * platform publishes nothing, stay lenient and keep the *unconfirmed* mark.
 *
 *   GET  /oauth/authorize?app_id&redirect_uri&state  the login page: pick a seeded user, or refuse
 *   POST /oauth/authorize                            → 302 redirect_uri?code&state (or ?error=access_denied)
 *   POST /oauth/token   app_id, app_secret, code     → { code: 0, msg, data: { access_token, expires_in } }
 *   GET  /api/user      Authorization: Bearer <token> → { code: 0, msg, data: { id, name, student_id, department } }
 */
import type { Request, Response } from 'express';
import { createClock, startEmulator, type Clock, type Emulator } from '../../harness';
import { CredentialStore, isLocalRedirect, loginPage, page, param, withQuery } from '../../kit';

/** The fixed local port `campus-mock` and the demo use. */
export const DEFAULT_PORT = TMPL_PORT;

export interface TmplApp {
  appId: string;
  appSecret: string;
  /** Registered redirect URIs; without them any http(s)://localhost or 127.0.0.1 URI is accepted. */
  redirectUris?: string[];
}

/** The demo app registered out of the box. */
export const TMPL_APP: Readonly<TmplApp> = Object.freeze({
  appId: 'campus-passport-demo',
  appSecret: 'tmpl-demo-app-secret-3b9f1c7e5a',
});

export interface TmplUser {
  /** The platform's stable account id. */
  id: string;
  name: string;
  studentId: string;
  department: string;
}

/** Seeded test users (the login page lists them). */
export const TMPL_USERS: readonly TmplUser[] = Object.freeze([
  { id: '10001', name: '张三', studentId: '2023010001', department: '计算机学院' },
  { id: '10002', name: '李四', studentId: '2023020002', department: '外国语学院' },
]);

/** Codes live 5 minutes and are single-use; access tokens live 2 hours. unconfirmed (template) */
export const CODE_TTL_MS = 5 * 60_000;
export const TOKEN_TTL_S = 7200;

/** The platform's answer codes: [code, HTTP status, message]. unconfirmed (template) */
export const TMPL_CODES = {
  badRequest: [40000, 400, '参数错误'],
  badApp: [40001, 401, '应用不存在或密钥错误'],
  badCode: [40002, 400, 'code 无效或已被使用'],
  expiredCode: [40003, 400, 'code 已过期'],
  badToken: [40101, 401, 'access_token 无效或已过期'],
} as const satisfies Record<string, readonly [number, number, string]>;

export interface TmplEmulatorOptions {
  /** 0 (default) = a free port; the CLI uses DEFAULT_PORT. */
  port?: number;
  host?: string;
  clock?: Clock;
  /** Registered apps (default: the demo app). */
  apps?: TmplApp[];
  users?: readonly TmplUser[];
}

export interface TmplEmulator extends Emulator {
  readonly users: readonly TmplUser[];
  /** What picking a user on the login page mints: a single-use code for that app. */
  issueCode(userId?: string, options?: { appId?: string }): string;
}

/** Start the TMPL_TITLE_EN emulator. */
export async function startTmplEmulator(options: TmplEmulatorOptions = {}): Promise<TmplEmulator> {
  const clock = options.clock ?? createClock();
  const apps = new Map((options.apps ?? [TMPL_APP]).map((a) => [a.appId, a]));
  const users = options.users ?? TMPL_USERS;
  const codes = new CredentialStore<{ userId: string; appId: string }>(() => clock.now(), CODE_TTL_MS);
  const tokens = new CredentialStore<{ userId: string; appId: string }>(() => clock.now(), TOKEN_TTL_S * 1000);

  /** The `{ code, msg }` error envelope with its HTTP status. unconfirmed (template) */
  function refuse(res: Response, [code, status, msg]: readonly [number, number, string]): void {
    res.status(status).json({ code, msg });
  }

  function issueCode(userId = users[0].id, o: { appId?: string } = {}): string {
    return codes.mint({ userId, appId: o.appId ?? TMPL_APP.appId });
  }

  /** The authorize request's app and redirect URI, or an HTML error page. unconfirmed (template) */
  function authorizeRequest(req: Request, res: Response): { app: TmplApp; redirectUri: string; state?: string } | undefined {
    const app = apps.get(param(req, 'app_id') ?? '');
    const redirectUri = param(req, 'redirect_uri') ?? '';
    if (!app) return void res.status(400).type('html').send(page('授权失败', '<p>应用不存在（app_id）</p>'));
    if (!isLocalRedirect(redirectUri, app.redirectUris))
      return void res.status(400).type('html').send(page('授权失败', '<p>redirect_uri 未登记</p>'));
    return { app, redirectUri, state: param(req, 'state') };
  }

  const emulator = await startEmulator({
    name: 'tmpl',
    port: options.port,
    host: options.host,
    clock,
    routes(app) {
      // GET /oauth/authorize: the login page lists the seeded users. unconfirmed (template)
      app.get('/oauth/authorize', (req, res) => {
        const ok = authorizeRequest(req, res);
        if (!ok) return;
        res.type('html').send(
          loginPage({
            platform: 'TMPL_TITLE_ZH',
            action: '/oauth/authorize',
            hidden: { app_id: ok.app.appId, redirect_uri: ok.redirectUri, state: ok.state },
            users: users.map((u) => ({ value: u.id, label: `${u.name}（${u.department}）` })),
            deny: '拒绝授权',
          }),
        );
      });

      // POST /oauth/authorize: a picked user → a code on the redirect URI; deny → error=access_denied. unconfirmed (template)
      app.post('/oauth/authorize', (req, res) => {
        const ok = authorizeRequest(req, res);
        if (!ok) return;
        if (param(req, 'deny', ['body']))
          return void res.redirect(302, withQuery(ok.redirectUri, { error: 'access_denied', state: ok.state }));
        const user = users.find((u) => u.id === param(req, 'user', ['body']));
        if (!user) return void res.status(400).type('html').send(page('授权失败', '<p>未选择用户</p>'));
        const code = issueCode(user.id, { appId: ok.app.appId });
        res.redirect(302, withQuery(ok.redirectUri, { code, state: ok.state }));
      });

      // POST /oauth/token (form or JSON): app_id, app_secret, code → an access token. unconfirmed (template)
      app.post('/oauth/token', (req, res) => {
        const appId = param(req, 'app_id', ['body']);
        const secret = param(req, 'app_secret', ['body']);
        const code = param(req, 'code', ['body']);
        if (!appId || !secret || !code) return refuse(res, TMPL_CODES.badRequest);
        const registered = apps.get(appId);
        if (!registered || registered.appSecret !== secret) return refuse(res, TMPL_CODES.badApp);
        const entry = codes.take(code);
        if (entry === 'expired') return refuse(res, TMPL_CODES.expiredCode);
        if (!entry || entry.appId !== appId) return refuse(res, TMPL_CODES.badCode);
        const accessToken = tokens.mint({ userId: entry.userId, appId }, { prefix: 'at-' });
        res.json({ code: 0, msg: 'ok', data: { access_token: accessToken, expires_in: TOKEN_TTL_S } });
      });

      // GET /api/user with Authorization: Bearer <access token> → the user. unconfirmed (template)
      app.get('/api/user', (req, res) => {
        const auth = req.headers.authorization ?? '';
        const token = auth.startsWith('Bearer ') ? auth.slice(7) : undefined;
        const entry = tokens.peek(token);
        const user = entry && entry !== 'expired' ? users.find((u) => u.id === entry.userId) : undefined;
        if (!user) return refuse(res, TMPL_CODES.badToken);
        res.json({
          code: 0,
          msg: 'ok',
          data: { id: user.id, name: user.name, student_id: user.studentId, department: user.department },
        });
      });
    },
  });
  return Object.assign(emulator, { users, issueCode });
}
