/**
 * The login side of the emulator: the login page (the platform's SPA reduced to a list of seeded
 * users) and the public login API it calls (router/public/login/init.go, router/public/app.go,
 * controllers/public/login/thirdPartyLogin.go) behind the rate limit (middlewares/secure.go).
 * That is where codes 7 / 26 / 19 come from. Paths are in ncuhome/GeniusAuthoritarian.
 */
import type { NextFunction, Request, Response } from 'express';
import type { EmulatorContext } from '../../harness';
import { escapeHtml, loginPage, page as htmlPage, param, rawBody, withQuery } from '../../kit';
import { ok, send } from './callback';
import { APP_CODE_FIELDS, CODE_FIELDS, LOGIN_APPS, NCUOS_CODES, type CodeName, type NcuosApp, type NcuosSeedUser } from './data';
import { ginClientIp, shouldBind, type GinRoutes } from './gin';
import { decodeFirstValue, type Bound, type GoValue } from './gojson';

export interface LoginSideOptions {
  apps: Map<string, NcuosApp>;
  users: readonly NcuosSeedUser[];
  /** Requests per minute per client IP (0 = no limit). */
  rateLimit: number;
  now: () => number;
  /** GenerateLoginToken: what the login hands the app. */
  mintLoginToken(user: NcuosSeedUser, appCode: string, ip: string): string;
}

export interface LoginSide {
  /** ThirdPartyLogin's checks of a user picked for an app. */
  check(appCode: string, userCode: string): LoginCheck;
  /** Mount the login page and the public login API. */
  mount(routes: GinRoutes, ctx: EmulatorContext): void;
  /** Forget the rate-limit counters. */
  resetRateLimit(): void;
}

export type LoginCheck = { ok: true; user: NcuosSeedUser; app: NcuosApp } | { ok: false; code: CodeName };

export function loginSide({ apps, users, rateLimit, now, mintLoginToken }: LoginSideOptions): LoginSide {
  const hits = new Map<string, number[]>();
  /** ThirdPartyLogin's checks, in its order (thirdPartyLogin.go). `userCode` stands for the Feishu/DingTalk code. */
  const check = (appCode: string, userCode: string): LoginCheck => {
    const app = apps.get(appCode);
    if (!app) return { ok: false, code: 'appCodeNotFound' }; // CheckAppCode → ErrAppCodeNotFound
    const user = users.find((u) => String(u.id) === userCode);
    if (!user) return { ok: false, code: 'remoteFailed' }; // loginFeishu: GetUser(code) failed → ErrRemoteOperationFailed
    if (user.noIdentity) return { ok: false, code: 'noIdentity' }; // FirstByPhone not found / GetForAppCode not found → ErrUserIdentity
    if (user.groups.length === 0 && !app.permitAllGroup) return { ok: false, code: 'noGroup' }; // checkUserPermission → ErrFindUnit
    return { ok: true, user, app };
  };

  /** secure.go + Mmx233/secure v2.0.6: refused once `limit` requests were accepted within the last minute. */
  const rateLimited = (req: Request): boolean => {
    if (!rateLimit) return false;
    const ip = ginClientIp(req);
    const t = now();
    const recent = (hits.get(ip) ?? []).filter((at) => t - at < 60_000);
    if (recent.length >= rateLimit) {
      hits.set(ip, recent);
      return true;
    }
    recent.push(t);
    hits.set(ip, recent);
    return false;
  };
  const secure = (req: Request, res: Response, next: NextFunction) => (rateLimited(req) ? send(res, 'rateLimited') : next());

  return {
    check,
    resetRateLimit: () => hits.clear(),
    mount({ route, page }, ctx) {
      // ---- the login page: the platform's SPA reduced to a list of seeded users (emulator-specific
      // pages; each stands for the SPA's calls to the rate-limited public login API below)
      const errorPage = (res: Response, name: CodeName) => {
        const [code, status, msg] = NCUOS_CODES[name];
        res
          .status(status)
          .type('html')
          .send(htmlPage('GeniusAuth 统一登录', `<p class="error" data-code="${code}">${escapeHtml(msg)} (code ${code})</p>`));
      };

      // stands for the SPA's GET /api/v1/public/app/?appCode= (rate limited, code 3 for an unknown app)
      page('/', (req: Request, res: Response) => {
        if (rateLimited(req)) return errorPage(res, 'rateLimited');
        const appCode = param(req, 'appCode', ['query']) ?? '';
        if (!apps.get(appCode)) return errorPage(res, 'appCodeNotFound');
        const html = loginPage({
          platform: 'GeniusAuth',
          heading: '统一登录',
          note: `<p>应用 <code>${escapeHtml(appCode)}</code> 请求登录。选择一位测试用户：</p>`,
          action: '/login/authorize',
          method: 'get',
          hidden: { appCode },
          users: users.map((u) => ({
            value: String(u.id),
            label: `${u.name} #${u.id} ${u.groups.join(' / ') || '(无身份组)'}`,
          })),
        });
        res.type('html').send(html);
      });

      // stands for the SPA's POST /api/v1/public/login/:app/:appCode and its navigation to `callback`:
      // refused users (7, 26) see the error on the login page and never reach the app
      page('/login/authorize', (req: Request, res: Response) => {
        if (rateLimited(req)) return errorPage(res, 'rateLimited');
        const appCode = param(req, 'appCode', ['query']) ?? '';
        const picked = check(appCode, param(req, 'user', ['query']) ?? '');
        if (!picked.ok) return errorPage(res, picked.code);
        const token = mintLoginToken(picked.user, appCode, ginClientIp(req));
        res.redirect(302, withQuery(picked.app.callbackURL, { token })); // tools.GenCallback
      });

      // ---- the public login API (router/public/login/init.go, router/public/app.go), behind Secure()
      // GET /api/v1/public/app/ (controllers/public/app/data.go AppInfo)
      route('get', '/api/v1/public/app/', secure, (req: Request, res: Response) => {
        let f: Bound;
        try {
          f = shouldBind(req, null, APP_CODE_FIELDS);
        } catch {
          return send(res, 'form');
        }
        if (f.appCode === '') return ok(res, { name: 'GeniusAuth', host: req.headers.host ?? '' }); // global.ThisAppName: unconfirmed value
        const a = apps.get(f.appCode as string);
        if (!a) return send(res, 'appCodeNotFound');
        ok(res, { name: a.name ?? a.appCode, host: new URL(a.callbackURL).host });
      });

      // GET /api/v1/public/login/:app/link/:appCode (GetLoginLink): app check, then the :app name
      const linkTo = (req: Request, res: Response, appCode: string) => {
        if (!LOGIN_APPS.includes(req.params.app as string)) return send(res, 'form');
        // the real link is Feishu's / DingTalk's OAuth page; the emulator's is its own login page
        ok(res, { url: `${ctx.url}/?appCode=${encodeURIComponent(appCode)}` });
      };
      route('get', '/api/v1/public/login/:app/link/', secure, (req: Request, res: Response) => linkTo(req, res, ''));
      route('get', '/api/v1/public/login/:app/link/:appCode', secure, (req: Request, res: Response) => {
        const appCode = req.params.appCode as string;
        if (!apps.has(appCode)) return send(res, 'appCodeNotFound');
        linkTo(req, res, appCode);
      });

      // POST /api/v1/public/login/:app/:appCode (ThirdPartyLogin): the emulator takes a seeded user id as `code`
      route('post', '/api/v1/public/login/:app/:appCode', secure, (req: Request, res: Response) => {
        let body: GoValue;
        try {
          body = decodeFirstValue(rawBody(req)); // c.ShouldBind: JSON only under application/json
        } catch {
          body = null;
        }
        let f: Bound;
        try {
          f = shouldBind(req, body, CODE_FIELDS);
        } catch {
          return send(res, 'form');
        }
        if (f.code === '') return send(res, 'form');
        const appCode = req.params.appCode as string;
        if (!apps.has(appCode)) return send(res, 'appCodeNotFound');
        if (!LOGIN_APPS.includes(req.params.app as string)) return send(res, 'form'); // loadUserIdentity default
        const picked = check(appCode, f.code as string);
        if (!picked.ok) return send(res, picked.code);
        const token = mintLoginToken(picked.user, appCode, ginClientIp(req));
        ok(res, { token, mfa: false, callback: withQuery(picked.app.callbackURL, { token }) }); // response.ThirdPartyLogin (no MFA users seeded)
      });

      // POST /api/v1/public/login/:app/ (ThirdPartySelfLogin, the dashboard's own login): not emulated beyond
      // its form and app checks — unconfirmed for feishu/dingTalk, answered code 1
      route('post', '/api/v1/public/login/:app/', secure, (_req: Request, res: Response) => send(res, 'form'));
    },
  };
}
