/**
 * Emulator of the Hangzhou disabled-aid digital platform (智慧助残数字化平台).
 *
 * - A portal page (GET /) lists the seeded users of each side (治理端 / 服务端 / 协同端); clicking one
 *   starts a platform session and opens the app with `?stoken=` appended, as the real platform does.
 * - stoken lives as long as its platform session: `sessionTTL` on the emulator clock, or until the
 *   session is ended (`endSession(stoken)` or POST /portal/logout). It is not single-use.
 * - POST /acis/udsa/userbytoken, /acis/udsd/szzcbytoken, /acis/udsx/userbytoken (form `stoken`): each
 *   resolves only stokens of its own side. POST /acis/udsa/roleset and /acis/udsa/permits (form
 *   `aid`, `uid` = useruuid, `uac` = areacode), POST /acis/udsa/authorz (JSON).
 * - Envelope: `{ meta: { code, message, timestamp }, success, message, data }`. Business refusals are
 *   HTTP 200 with `success: false`; a missing or bad request signature (only when a signature
 *   secret is set) is HTTP 401 with `success: false`.
 * - Optional signature check (the platform's "chapter 2" is not public, so this scheme is the
 *   emulator's own): headers x-da-timestamp (epoch ms, ±5 min of the emulator clock), x-da-nonce
 *   (single-use) and x-da-signature = hex HMAC-SHA256(secret, METHOD \n path?query \n timestamp \n
 *   nonce \n raw body). See `disabledAidSignature`.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'express';
import { escapeHtml, page, startEmulator, type Clock, type Emulator, type RecordedRequest } from '../../harness';
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

export * from './data';

/** The user endpoint of each side. */
export const USER_ENDPOINTS: Record<DisabledAidSide, string> = {
  governance: '/acis/udsa/userbytoken',
  service: '/acis/udsd/szzcbytoken',
  collaboration: '/acis/udsx/userbytoken',
};

export const SIGNATURE_HEADERS = {
  timestamp: 'x-da-timestamp',
  nonce: 'x-da-nonce',
  signature: 'x-da-signature',
} as const;

/** How far a signed timestamp may be from the emulator clock, ms. */
export const SIGNATURE_MAX_SKEW = 5 * 60_000;

/** Meta codes the emulator answers with (meta.code). */
export const META_CODES = {
  ok: 200,
  badRequest: 40000,
  invalidToken: 40001,
  expiredToken: 40003,
  badSignature: 40101,
  notFound: 40401,
} as const;

/** The emulator's signature: hex HMAC-SHA256 over METHOD, path?query, timestamp, nonce and raw body. */
export function disabledAidSignature(
  secret: string,
  parts: { method: string; path: string; timestamp: string; nonce: string; body: string },
): string {
  return createHmac('sha256', secret)
    .update([parts.method.toUpperCase(), parts.path, parts.timestamp, parts.nonce, parts.body].join('\n'))
    .digest('hex');
}

export interface DisabledAidEmulatorOptions {
  /** 0 (default) = a free port; the CLI uses DEFAULT_PORT. */
  port?: number;
  host?: string;
  clock?: Clock;
  /** Where the portal opens the app (the platform appends ?stoken=). Default DEFAULT_APP_URL. */
  appURL?: string;
  /**
   * Only these app URLs may be opened through `?app=`. Default: any http(s) URL on localhost or
   * 127.0.0.1.
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

interface Session {
  useruuid: string;
  side: DisabledAidSide;
  exp: number;
}

/** Append a query parameter to a URL, keeping its query and fragment. */
function appendParam(url: string, key: string, value: string): string {
  const hashAt = url.indexOf('#');
  const base = hashAt === -1 ? url : url.slice(0, hashAt);
  const hash = hashAt === -1 ? '' : url.slice(hashAt);
  const sep = base.includes('?') ? (base.endsWith('?') || base.endsWith('&') ? '' : '&') : '?';
  return `${base}${sep}${encodeURIComponent(key)}=${encodeURIComponent(value)}${hash}`;
}

function isLocalAppURL(url: string): boolean {
  try {
    const u = new URL(url);
    return (u.protocol === 'http:' || u.protocol === 'https:') && (u.hostname === 'localhost' || u.hostname === '127.0.0.1');
  } catch {
    return false;
  }
}

export async function startDisabledAidEmulator(options: DisabledAidEmulatorOptions = {}): Promise<DisabledAidEmulator> {
  const appURL = options.appURL ?? DEFAULT_APP_URL;
  const appId = options.appId ?? DEFAULT_APP_ID;
  const ttl = options.sessionTTL ?? DEFAULT_SESSION_TTL;
  let signatureSecret = options.signatureSecret;
  const sessions = new Map<string, Session>();
  const nonces = new Map<string, number>();
  let now: () => number = Date.now;
  let recorded: RecordedRequest[] = [];
  // the harness records each request with the very body object it put on req.body
  const rawBodyOf = (body: unknown): string => {
    if (body === undefined) return '';
    for (let i = recorded.length - 1; i >= 0; i--) if (recorded[i].body === body) return recorded[i].rawBody;
    return typeof body === 'string' ? body : '';
  };

  const findUser = (id: unknown) => DISABLED_AID_USERS.find((u) => u.useruuid === id);
  const issue = (user: SeedUser): string => {
    const stoken = randomBytes(16).toString('hex');
    sessions.set(stoken, { useruuid: user.useruuid, side: user.side, exp: now() + ttl });
    return stoken;
  };
  const appAllowed = (url: string) => (options.allowedAppURLs ? options.allowedAppURLs.includes(url) : isLocalAppURL(url));

  const emu = await startEmulator({
    name: 'disabled-aid',
    port: options.port,
    host: options.host,
    clock: options.clock,
    routes(app, ctx) {
      now = () => ctx.clock.now();
      const envelope = (success: boolean, message: string, data: unknown, code: number = META_CODES.ok) => ({
        meta: { code, message: success ? 'success' : 'failure', timestamp: ctx.clock.now() },
        success,
        message,
        data,
      });
      const refuse = (res: Response, code: number, message: string, status = 200) =>
        void res.status(status).json(envelope(false, message, null, code));

      // ---- portal (the platform's own UI) ----
      const portal = (req: Request, res: Response) => {
        const target = typeof req.query.app === 'string' ? req.query.app : undefined;
        if (target !== undefined && !appAllowed(target))
          return void res.status(400).type('html').send(page('应用地址不允许', ''));
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
              '智慧助残数字化平台 · 模拟门户',
              `<p>选择一位测试用户打开应用 (${escapeHtml(target ?? appURL)})</p>${sides.join('\n')}`,
            ),
          );
      };
      app.get('/', portal);
      app.get('/portal', portal);

      app.get('/portal/open', (req, res) => {
        const user = findUser(req.query.user);
        if (!user) return void res.status(404).type('html').send(page('用户不存在', ''));
        const target = typeof req.query.app === 'string' ? req.query.app : appURL;
        if (target !== appURL && !appAllowed(target)) return void res.status(400).type('html').send(page('应用地址不允许', ''));
        res.redirect(302, appendParam(target, 'stoken', issue(user)));
      });

      // the platform-side logout: ends the session, so the stoken stops working
      app.post('/portal/logout', (req, res) => {
        const body = (req.body ?? {}) as Record<string, unknown>;
        const stoken = typeof body.stoken === 'string' ? body.stoken : undefined;
        const ended = stoken !== undefined && sessions.delete(stoken);
        res.json(envelope(ended, ended ? '已退出' : '会话不存在', null, ended ? META_CODES.ok : META_CODES.invalidToken));
      });

      // ---- the optional signature check on every API call ----
      app.use('/acis', (req, res, next) => {
        if (req.method !== 'POST') return refuse(res, META_CODES.badRequest, '请求方法不支持', 405);
        if (!signatureSecret) return next();
        const h = (name: string) => (typeof req.headers[name] === 'string' ? (req.headers[name] as string) : '');
        const timestamp = h(SIGNATURE_HEADERS.timestamp);
        const nonce = h(SIGNATURE_HEADERS.nonce);
        const given = h(SIGNATURE_HEADERS.signature);
        const t = Number(timestamp);
        const current = ctx.clock.now();
        for (const [n, exp] of nonces) if (exp < current) nonces.delete(n);
        if (
          !timestamp ||
          !nonce ||
          !given ||
          !Number.isFinite(t) ||
          Math.abs(current - t) > SIGNATURE_MAX_SKEW ||
          nonces.has(nonce)
        )
          return refuse(res, META_CODES.badSignature, '接口授权签名无效', 401);
        const rawBody = rawBodyOf(req.body);
        const expected = disabledAidSignature(signatureSecret, {
          method: req.method,
          path: req.originalUrl,
          timestamp,
          nonce,
          body: rawBody,
        });
        const a = Buffer.from(expected);
        const b = Buffer.from(given);
        if (a.length !== b.length || !timingSafeEqual(a, b)) return refuse(res, META_CODES.badSignature, '接口授权签名无效', 401);
        nonces.set(nonce, current + 2 * SIGNATURE_MAX_SKEW);
        next();
      });

      const form = (req: Request): Record<string, unknown> | undefined =>
        req.body && typeof req.body === 'object' && !Array.isArray(req.body) && req.is('application/x-www-form-urlencoded')
          ? (req.body as Record<string, unknown>)
          : undefined;

      // ---- 1. user by token, one endpoint per side ----
      for (const side of Object.keys(USER_ENDPOINTS) as DisabledAidSide[]) {
        app.post(USER_ENDPOINTS[side], (req, res) => {
          const body = form(req);
          const stoken = body?.stoken;
          if (typeof stoken !== 'string' || !stoken) return refuse(res, META_CODES.badRequest, '缺少登录会话码');
          const session = sessions.get(stoken);
          if (!session || session.side !== side) return refuse(res, META_CODES.invalidToken, '登录会话码无效');
          if (session.exp < ctx.clock.now()) {
            sessions.delete(stoken);
            return refuse(res, META_CODES.expiredToken, '登录会话已过期,请重新登录');
          }
          const u = findUser(session.useruuid)!;
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
      const rolesOf = (req: Request, res: Response) => {
        const body = form(req);
        if (!body || typeof body.aid !== 'string' || typeof body.uid !== 'string' || typeof body.uac !== 'string') {
          refuse(res, META_CODES.badRequest, '参数错误: aid, uid, uac 必填');
          return undefined;
        }
        if (body.aid !== appId) {
          refuse(res, META_CODES.notFound, '应用不存在');
          return undefined;
        }
        const user = findUser(body.uid);
        if (!user) {
          refuse(res, META_CODES.notFound, '用户不存在');
          return undefined;
        }
        const roles = body.uac === user.areacode ? DISABLED_AID_ROLES.filter((r) => user.roleIds.includes(r.roleId)) : [];
        return { user, roles };
      };
      app.post('/acis/udsa/roleset', (req, res) => {
        const found = rolesOf(req, res);
        if (!found) return;
        res.json(
          envelope(
            true,
            '操作成功',
            found.roles.map((r) => ({
              uid: found.user.useruuid,
              uname: found.user.username,
              roleId: r.roleId,
              roleCode: r.roleCode,
              roleLeve: r.roleLeve,
              roleName: r.roleName,
            })),
          ),
        );
      });
      app.post('/acis/udsa/permits', (req, res) => {
        const found = rolesOf(req, res);
        if (!found) return;
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
      app.post('/acis/udsa/authorz', (req, res) => {
        const body =
          req.is('application/json') && req.body && typeof req.body === 'object'
            ? (req.body as Record<string, unknown>)
            : undefined;
        if (!body || typeof body.appid !== 'string' || typeof body.agent !== 'string' || typeof body.useruuid !== 'string')
          return refuse(res, META_CODES.badRequest, '参数错误: appid, agent, useruuid 必填');
        if (!['PURI', 'MURI', 'TURI'].includes(body.agent)) return refuse(res, META_CODES.badRequest, '客户端类型错误');
        if (body.appid !== appId) return refuse(res, META_CODES.notFound, '应用不存在');
        const user = findUser(body.useruuid);
        if (!user) return refuse(res, META_CODES.notFound, '用户不存在');
        let link = appendParam(appURL, 'stoken', issue(user));
        const params = body.parameters;
        if (params && typeof params === 'object' && !Array.isArray(params)) {
          for (const [k, v] of Object.entries(params as Record<string, unknown>))
            if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') link = appendParam(link, k, String(v));
        }
        res.json(envelope(true, '操作成功', link));
      });
    },
  });

  recorded = emu.requests;
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
