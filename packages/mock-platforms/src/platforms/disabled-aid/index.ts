/**
 * Emulator of the Hangzhou disabled-aid digital platform (智慧助残数字化平台).
 *
 * Sources: seeds/disabled-aid-platform.md (the platform's doc page; no code is public) and
 * PLATFORMS.md §3. Sections are the seed's own: 原理, 前缀, 1.用户信息接口, 2.用户角色接口,
 * 3.用户权限接口, 4.用户三方接入. The signing chapter ("第二章节") is not public.
 *
 * - The API answers under the root and under the seed's test prefix `/disable-mis-bidp` (§前缀), so
 *   a base URL with or without that path prefix works.
 * - A portal page (GET /) lists the seeded users of each side (治理端 / 服务端 / 协同端); clicking one
 *   starts a platform session and opens the app with `?stoken=` appended, as the real platform does.
 * - stoken lives as long as its platform session: `sessionTTL` on the emulator clock, or until the
 *   session is ended (`endSession(stoken)` or POST /portal/logout). It is not single-use.
 * - POST /acis/udsa/userbytoken, /acis/udsd/szzcbytoken, /acis/udsx/userbytoken (form `stoken`): each
 *   resolves only stokens of its own side. POST /acis/udsa/roleset and /acis/udsa/permits (form
 *   `aid`, `uid` = useruuid, `uac` = areacode), POST /acis/udsa/authorz (JSON).
 * - Envelope (seed): `{ meta, success, message, data }`. Unconfirmed: the shape of `meta` (here
 *   `{ code, message, timestamp }`), its codes, and that refusals are HTTP 200 with `success: false`;
 *   a missing or bad request signature (only when a signature secret is set) is HTTP 401.
 * - Wrong method (405), wrong encoding or a missing field (`success: false`, meta.code 40000) are
 *   refused; the seed documents the method, encoding and fields, not the refusals.
 * - Optional signature check (the platform's "chapter 2" is not public, so this scheme is the
 *   emulator's own): see ./signature.ts.
 */
import { randomBytes } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import { createClock, startEmulator, type Clock, type Emulator } from '../../harness';
import { CredentialStore, escapeHtml, isLocalRedirect, page, param, rawBody } from '../../kit';
import {
  DEFAULT_APP_ID,
  DEFAULT_APP_URL,
  DEFAULT_SESSION_TTL,
  DISABLED_AID_PERMISSIONS,
  DISABLED_AID_ROLES,
  DISABLED_AID_USERS,
  SIDE_LABELS,
  type DisabledAidSide,
  type SeedUser,
} from './data';
import { SignatureCheck } from './signature';

export * from './data';
export { SIGNATURE_HEADERS, SIGNATURE_MAX_SKEW, disabledAidSignature } from './signature';

/** The seed's test-environment path prefix (§前缀: https://xxx.xxx/disable-mis-bidp). */
export const TEST_PREFIX = '/disable-mis-bidp';

/** The user endpoint of each side. */
// seed: disabled-aid-platform.md §1.用户信息接口 — 治理端 udsa, 服务端 udsd/szzcbytoken, 协同端 udsx
export const USER_ENDPOINTS: Record<DisabledAidSide, string> = {
  governance: '/acis/udsa/userbytoken',
  service: '/acis/udsd/szzcbytoken',
  collaboration: '/acis/udsx/userbytoken',
};

/** Meta codes the emulator answers with (meta.code). */
// unconfirmed: the seed types meta as "Meta" (响应头部) and documents no codes; these are the emulator's
export const META_CODES = {
  ok: 200,
  badRequest: 40000,
  invalidToken: 40001,
  expiredToken: 40003,
  badSignature: 40101,
  notFound: 40401,
} as const;

export interface DisabledAidEmulatorOptions {
  /** 0 (default) = a free port; the CLI uses DEFAULT_PORT. */
  port?: number;
  host?: string;
  clock?: Clock;
  /** Where the portal opens the app (the platform appends ?stoken=). Default DEFAULT_APP_URL. */
  appURL?: string;
  /**
   * Only these app URLs (as listed, or their origin + path) may be opened through `?app=`. Default:
   * any http(s) URL on localhost or 127.0.0.1.
   */
  allowedAppURLs?: string[];
  /** The registered app id (aid / appid). Default DEFAULT_APP_ID. */
  appId?: string;
  /** Platform session (stoken) lifetime, ms. Default 30 min. */
  sessionTTL?: number;
  /** When set, every /acis/* call must carry a valid signature (see disabledAidSignature). */
  signatureSecret?: string;
}

export interface DisabledAidEmulator extends Emulator {
  readonly appURL: string;
  readonly appId: string;
  readonly users: readonly SeedUser[];
  /** Start a platform session for a seeded user and return its stoken. */
  issueStoken(useruuid?: string): string;
  /** End a platform session (its stoken stops working). True when there was one. */
  endSession(stoken: string): boolean;
  /** End every platform session. */
  endAllSessions(): void;
  /** Switch the signature check on (a secret) or off (undefined). */
  setSignatureSecret(secret: string | undefined): void;
  /** The link the portal opens for this user: the app URL with ?stoken= appended. */
  appLink(stoken: string, appURL?: string): string;
}

/** A platform session: whose, and on which side. */
interface Session {
  useruuid: string;
  side: DisabledAidSide;
}

/**
 * Append a query parameter to a URL, keeping its query (as written) and fragment. Not the kit's
 * `withQuery()`: that re-encodes the app's own query, where the platform only appends.
 */
function appendParam(url: string, key: string, value: string): string {
  const hashAt = url.indexOf('#');
  const base = hashAt === -1 ? url : url.slice(0, hashAt);
  const hash = hashAt === -1 ? '' : url.slice(hashAt);
  const sep = base.includes('?') ? (base.endsWith('?') || base.endsWith('&') ? '' : '&') : '?';
  return `${base}${sep}${encodeURIComponent(key)}=${encodeURIComponent(value)}${hash}`;
}

export async function startDisabledAidEmulator(options: DisabledAidEmulatorOptions = {}): Promise<DisabledAidEmulator> {
  const appURL = options.appURL ?? DEFAULT_APP_URL;
  const appId = options.appId ?? DEFAULT_APP_ID;
  const ttl = options.sessionTTL ?? DEFAULT_SESSION_TTL;
  let signatureSecret = options.signatureSecret;
  const clock = options.clock ?? createClock();
  // seed §1: 会话码时效和平台一致 — a stoken lives as long as its platform session (`sessionTTL` here)
  const sessions = new CredentialStore<Session>(() => clock.now(), ttl);
  const signatures = new SignatureCheck(() => clock.now());
  // the harness records each request with the very body object it put on req.body

  const findUser = (id: unknown) => DISABLED_AID_USERS.find((u) => u.useruuid === id);
  // unconfirmed: the stoken's form (32 hex) is the emulator's; seed §1: it lives as long as the platform session
  const issue = (user: SeedUser): string =>
    sessions.mint({ useruuid: user.useruuid, side: user.side }, { credential: randomBytes(16).toString('hex') });
  // unconfirmed: the app link must be local (or one of allowedAppURLs) — the emulator's rule, not the platform's
  const appAllowed = (url: string) => isLocalRedirect(url, options.allowedAppURLs);

  const emu = await startEmulator({
    name: 'disabled-aid',
    port: options.port,
    host: options.host,
    clock,
    routes(app, ctx) {
      // seed §1–§4: every answer is {meta, success, message, data}; unconfirmed: meta's fields
      const envelope = (success: boolean, message: string, data: unknown, code: number = META_CODES.ok) => ({
        meta: { code, message: success ? 'success' : 'failure', timestamp: ctx.clock.now() },
        success,
        message,
        data,
      });
      // unconfirmed: refusals as HTTP 200 with success:false (seed: success "false:失败"), meta.code ours
      const refuse = (res: Response, code: number, message: string, status = 200) =>
        void res.status(status).json(envelope(false, message, null, code));

      // ---- portal (the platform's own UI) ----
      // seed §原理: 用户点击应用时平台自动追加用户 stoken 参数; unconfirmed: the portal page itself is the emulator's
      const portal = (req: Request, res: Response) => {
        const target = param(req, 'app', ['query']);
        if (target !== undefined && !appAllowed(target))
          return void res
            .status(400)
            .type('html')
            .send(page('智慧助残数字化平台 · 应用地址不允许', '<p>这个应用地址不在允许打开的列表中。</p>'));
        const q = target ? `&app=${encodeURIComponent(target)}` : '';
        const sides = (Object.keys(SIDE_LABELS) as DisabledAidSide[]).map((side) => {
          const links = DISABLED_AID_USERS.filter((u) => u.side === side)
            .map(
              (u) =>
                `<a class="user" data-user="${escapeHtml(u.useruuid)}" data-side="${side}" href="/portal/open?user=${encodeURIComponent(u.useruuid)}${escapeHtml(q)}">${escapeHtml(u.username)} · ${escapeHtml(u.deptname)}</a>`,
            )
            .join('\n');
          return `<section data-side="${side}"><h2>${SIDE_LABELS[side]} (${side})</h2>${links}</section>`;
        });
        res
          .type('html')
          .send(
            page(
              '智慧助残数字化平台 · 门户（模拟）',
              `<p>选择一位测试用户打开应用 (${escapeHtml(target ?? appURL)})</p>${sides.join('\n')}`,
            ),
          );
      };
      app.get('/', portal);
      app.get('/portal', portal);

      // seed §原理: clicking the app opens its link with ?stoken= appended (the rest of the link kept)
      app.get('/portal/open', (req, res) => {
        const user = findUser(param(req, 'user', ['query']));
        if (!user)
          return void res.status(404).type('html').send(page('智慧助残数字化平台 · 用户不存在', '<p>没有这个测试用户。</p>'));
        const target = param(req, 'app', ['query']) ?? appURL;
        if (target !== appURL && !appAllowed(target))
          return void res
            .status(400)
            .type('html')
            .send(page('智慧助残数字化平台 · 应用地址不允许', '<p>这个应用地址不在允许打开的列表中。</p>'));
        res.redirect(302, appendParam(target, 'stoken', issue(user)));
      });

      // seed §1 (会话码时效和平台一致): ending the platform session ends the stoken; unconfirmed: this route is the emulator's
      app.post('/portal/logout', (req, res) => {
        const stoken = param(req, 'stoken', ['body']);
        const ended = stoken !== undefined && sessions.delete(stoken);
        res.json(envelope(ended, ended ? '已退出' : '会话不存在', null, ended ? META_CODES.ok : META_CODES.invalidToken));
      });

      const api = Router();

      // ---- every API call: POST only; the optional signature check ----
      api.use('/acis', (req, res, next) => {
        // seed §1–§4: Method: POST; unconfirmed: the 405 and its envelope
        if (req.method !== 'POST') return refuse(res, META_CODES.badRequest, '请求方法不支持', 405);
        // seed: 所有后端接口调用必须携带合法令牌 (第二章节); unconfirmed: the chapter is not public, so off by default
        if (signatureSecret && !signatures.verify(req, signatureSecret, rawBody(req)))
          return refuse(res, META_CODES.badSignature, '接口授权签名无效', 401); // unconfirmed: the emulator's scheme (./signature.ts)
        next();
      });

      // seed §1–§3: Content-Type: application/x-www-form-urlencoded — any other body reads as no fields
      const field = (req: Request, name: string): string | undefined =>
        req.is('application/x-www-form-urlencoded') ? param(req, name, ['body']) : undefined;

      // ---- 1. user by token, one endpoint per side ----
      for (const side of Object.keys(USER_ENDPOINTS) as DisabledAidSide[]) {
        // seed §1.用户信息接口: POST form `stoken` (a query parameter is not read)
        api.post(USER_ENDPOINTS[side], (req, res) => {
          const stoken = field(req, 'stoken');
          if (!stoken) return refuse(res, META_CODES.badRequest, '缺少登录会话码'); // unconfirmed
          // seed §1: 会话码时效和平台一致 — it lives as long as the platform session (not single-use: peek, not take)
          const session = sessions.peek(stoken);
          if (session === 'expired') return refuse(res, META_CODES.expiredToken, '登录会话已过期,请重新登录'); // unconfirmed: the text and code
          // unconfirmed: a stoken resolves only on its own side's endpoint (seed: 三端用户对应接口各不相同)
          if (!session || session.side !== side) return refuse(res, META_CODES.invalidToken, '登录会话码无效');
          const u = findUser(session.useruuid)!;
          // seed §1: data {useruuid, username, areacode, deptuuid, deptname}, all String
          res.json(
            envelope(true, '操作成功', {
              useruuid: u.useruuid,
              username: u.username,
              areacode: u.areacode,
              deptuuid: u.deptuuid,
              deptname: u.deptname,
            }),
          );
        });
      }

      // ---- 2./3. roles and permissions of a user in an app ----
      // seed §2, §3: POST form `aid` (the app), `uid` (useruuid of §1), `uac` (areacode of §1), all String
      const rolesOf = (req: Request, res: Response) => {
        const body = { aid: field(req, 'aid'), uid: field(req, 'uid'), uac: field(req, 'uac') };
        if (body.aid === undefined || body.uid === undefined || body.uac === undefined) {
          refuse(res, META_CODES.badRequest, '参数错误: aid, uid, uac 必填'); // unconfirmed: the refusal
          return undefined;
        }
        if (body.aid !== appId) {
          refuse(res, META_CODES.notFound, '应用不存在'); // unconfirmed
          return undefined;
        }
        const user = findUser(body.uid);
        if (!user) {
          refuse(res, META_CODES.notFound, '用户不存在'); // unconfirmed
          return undefined;
        }
        // unconfirmed: roles are granted per area, so another uac yields none
        const roles = body.uac === user.areacode ? DISABLED_AID_ROLES.filter((r) => user.roleIds.includes(r.roleId)) : [];
        return { user, roles };
      };
      // seed §2.用户角色接口: data Array of {uid, uname, roleId, roleCode, roleLeve, roleName}, all String
      api.post('/acis/udsa/roleset', (req, res) => {
        const found = rolesOf(req, res);
        if (!found) return;
        res.json(
          envelope(
            true,
            '操作成功',
            found.roles.map((r) => ({
              // unconfirmed: the seed's uid/uname descriptions (接口访问授权码 / 授权码有效时长) look copied; the user's id and name here
              uid: found.user.useruuid,
              uname: found.user.username,
              roleId: r.roleId,
              roleCode: r.roleCode,
              roleLeve: r.roleLeve, // seed: 2 省级 / 4 市级 / 6 区县 / 9 街镇 / 12 村社
              roleName: r.roleName,
            })),
          ),
        );
      });
      // seed §3.用户权限接口: data Array of the role fields plus permId, permPid, permNkey, permName, permIcon, permPath, permSort
      api.post('/acis/udsa/permits', (req, res) => {
        const found = rolesOf(req, res);
        if (!found) return;
        // unconfirmed: one row per role × permission (the seed's table joins both)
        const rows = found.roles.flatMap((r) =>
          r.permIds.map((id) => {
            const p = DISABLED_AID_PERMISSIONS.find((x) => x.permId === id)!;
            return {
              uid: found.user.useruuid,
              uname: found.user.username,
              roleId: r.roleId,
              roleCode: r.roleCode,
              roleLeve: r.roleLeve,
              roleName: r.roleName,
              ...p,
            };
          }),
        );
        res.json(envelope(true, '操作成功', rows));
      });

      // ---- 4. third-party jump link ----
      // seed §4.用户三方接入: POST Content-Type: application/json {appid, agent, useruuid, parameters (Object)}
      api.post('/acis/udsa/authorz', (req, res) => {
        // read typed, not with the kit's param(): the seed types these fields String, and param() would stringify a number
        const body =
          req.is('application/json') && req.body && typeof req.body === 'object' && !Array.isArray(req.body)
            ? (req.body as Record<string, unknown>)
            : undefined;
        if (!body || typeof body.appid !== 'string' || typeof body.agent !== 'string' || typeof body.useruuid !== 'string')
          return refuse(res, META_CODES.badRequest, '参数错误: appid, agent, useruuid 必填'); // unconfirmed: the refusal
        // seed §4: agent PURI 电脑端 / MURI 手机端 / TURI 大屏端
        if (!['PURI', 'MURI', 'TURI'].includes(body.agent)) return refuse(res, META_CODES.badRequest, '客户端类型错误');
        const params = body.parameters;
        // seed §4: parameters is an Object; unconfirmed: that it may be left out
        if (params !== undefined && (params === null || typeof params !== 'object' || Array.isArray(params)))
          return refuse(res, META_CODES.badRequest, '参数错误: parameters 须为对象');
        if (body.appid !== appId) return refuse(res, META_CODES.notFound, '应用不存在'); // unconfirmed
        const user = findUser(body.useruuid);
        if (!user) return refuse(res, META_CODES.notFound, '用户不存在'); // unconfirmed
        // unconfirmed: the link's form (the app URL with a fresh stoken and the parameters appended)
        let link = appendParam(appURL, 'stoken', issue(user));
        if (params && typeof params === 'object') {
          for (const [k, v] of Object.entries(params as Record<string, unknown>))
            if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') link = appendParam(link, k, String(v));
        }
        // seed §4: data (typed Object) is 跳转链接, the jump link; unconfirmed: a plain string here
        res.json(envelope(true, '操作成功', link));
      });

      // seed §前缀: the test environment serves the API under /disable-mis-bidp; unconfirmed: the root as well
      app.use(TEST_PREFIX, api);
      app.use(api);
    },
  });

  return Object.assign(emu, {
    appURL,
    appId,
    users: DISABLED_AID_USERS,
    issueStoken(useruuid: string = DISABLED_AID_USERS[0].useruuid) {
      const user = findUser(useruuid);
      if (!user) throw new Error(`disabled-aid emulator: no seeded user ${useruuid}`);
      return issue(user);
    },
    endSession: (stoken: string) => sessions.delete(stoken),
    endAllSessions: () => sessions.clear(),
    setSignatureSecret(secret: string | undefined) {
      signatureSecret = secret;
    },
    appLink: (stoken: string, url: string = appURL) => appendParam(url, 'stoken', stoken),
  });
}
