/**
 * Emulator of the ZAFU open platform (浙江农林大学 open.zafu.edu.cn).
 *
 * Sources: seeds/zafu-open-platform.md (the platform's doc pages; no code is public) and
 * PLATFORMS.md §2. The seed has no headings: a "§" below names the call whose section it is.
 *
 * - Client credentials (seed §POST /oauth/token): POST with a JSON body `{grant_type:
 *   "client_credentials", client_id, client_secret}` — or, as a later page shows (PLATFORMS.md §2),
 *   GET with the same query parameters — → top-level `{access_token, expires_in: 1209600, scope:
 *   "base_api", token_type: "Bearer"}`. Every fetch INVALIDATES the app's previous token. Errors:
 *   401 bad secret, 403 `access_denied` (bad scope), 400 `unsupported_grant_type`. Any other
 *   encoding of this grant (a form body, a POST with query parameters) is refused with 400
 *   `invalid_request` (the refusal's shape is unconfirmed).
 * - Open APIs (seed, each its own §; POST only, `access_token` in the query): /api/menulist,
 *   /api/menusubmit, /api/menudelete, /api/msgcreate, /api/msgsend, /api/getMessageStatus,
 *   /api/mustTaskList, /api/scanrecord.jhtm. Other parameters are read from the query (as the seed's
 *   URLs show) or a form body (unconfirmed); a JSON body is not read. A stale (invalidated or
 *   expired) token → 403 `{error:"invalid_grant", error_description:"Access token is expired"}`;
 *   no token or an unknown one → 401. Envelopes `{type, code, content, anchor, errorFields, data}`
 *   and, for msgcreate and msgsend, `{status, message}`.
 * - Website login — UNCONFIRMED throughout: the platform's "website access" document is not public,
 *   so this is a lenient standard OAuth 2.0 authorization-code server. GET /oauth/authorize shows a
 *   login page (a button per seeded user with `data-user`, and a deny button), POST /oauth/authorize
 *   issues a single-use code (5 min); /oauth/token grant_type `authorization_code` (query, form or
 *   JSON; client auth in the parameters or HTTP Basic; PKCE S256 / plain) and `refresh_token`;
 *   GET|POST /oauth/userinfo (Bearer or `access_token` query).
 * - scanrecord's idCard must decrypt with AES-128 keyed by the appId left-padded with '0' to 16
 *   characters (seed §scanrecord.jhtm); mode, padding and encoding are unpublished (default ECB +
 *   PKCS#7 + Base64; `aes` option).
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
import { escapeHtml, page, startEmulator, type Clock, type Emulator } from '../../harness';
import {
  APP_TOKEN_TTL,
  CODE_TTL,
  USER_TOKEN_TTL,
  ZAFU_DEFAULT_APP,
  ZAFU_SEED_MENUS,
  ZAFU_SEED_TASKS,
  ZAFU_USERS,
  type ZafuApp,
  type ZafuUser,
} from './data';

export * from './data';

export interface ZafuEmulatorOptions {
  /** 0 (default) = a free port; the CLI uses DEFAULT_PORT. */
  port?: number;
  host?: string;
  clock?: Clock;
  /** Registered apps. Default: [ZAFU_DEFAULT_APP]. */
  apps?: ZafuApp[];
  users?: readonly ZafuUser[];
  /** How scanrecord's idCard is encrypted (the platform does not publish it). */
  aes?: { mode?: 'ecb' | 'cbc'; encoding?: 'base64' | 'hex'; iv?: string };
  /** Client-credentials token lifetime, seconds. Default 1 209 600 (2 weeks). */
  appTokenTtl?: number;
}

/** What the emulator saw of app tokens: fetches, invalidations and stale uses. */
export interface ZafuTokenEvent {
  at: number;
  clientId: string;
  event: 'issued' | 'invalidated' | 'rejected-stale' | 'rejected-unknown' | 'rejected-missing';
  path?: string;
}

export interface ZafuSentMessage {
  id: number;
  clientId: string;
  api: 'msgcreate' | 'msgsend';
  params: Record<string, string>;
  is_read: '0' | '1';
  read_date: number | null;
}

export interface ZafuScanRecord {
  clientId: string;
  params: Record<string, string>;
  /** The decrypted idCard. */
  idCard: string;
}

export interface ZafuAuthorizeInput {
  userId?: string;
  clientId?: string;
  redirectUri: string;
  state?: string;
  scope?: string;
  codeChallenge?: string;
  codeChallengeMethod?: 'S256' | 'plain';
}

export interface ZafuEmulator extends Emulator {
  /** Every app-token event, oldest first. */
  readonly tokenEvents: ZafuTokenEvent[];
  /** Counts derived from tokenEvents plus API outcomes. */
  stats(): { tokenFetches: number; invalidations: number; staleRejections: number; apiSuccesses: number };
  /** The app's currently valid client-credentials token (undefined when none or expired). */
  currentAppToken(clientId?: string): string | undefined;
  /** Issue a code as if the user clicked "login" on the authorize page; returns the redirect URL. */
  authorize(input: ZafuAuthorizeInput): string;
  /** The app's current menus. */
  menus(clientId?: string): unknown[];
  readonly messages: ZafuSentMessage[];
  /** Mark a sent message read (for getMessageStatus). */
  markRead(id: number): void;
  readonly scanRecords: ZafuScanRecord[];
}

type Params = Record<string, string>;

interface CodeEntry {
  clientId: string;
  userId: string;
  redirectUri?: string;
  scope: string;
  challenge?: string;
  method?: 'S256' | 'plain';
  exp: number;
}

/** The grant types /oauth/token knows; any other is `unsupported_grant_type`. */
const GRANTS = ['client_credentials', 'authorization_code', 'refresh_token'];

const b64url = (b: Buffer) => b.toString('base64url');

const isPlainObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/** Scalar values of a parsed query, form or JSON object (the first of a repeated key), as strings. */
function flat(src: unknown): Params {
  const out: Params = {};
  if (!isPlainObject(src)) return out;
  for (const [k, v] of Object.entries(src)) {
    const first = Array.isArray(v) ? v[0] : v;
    if (typeof first === 'string') out[k] = first;
    else if (typeof first === 'number' || typeof first === 'boolean') out[k] = String(first);
  }
  return out;
}
const queryOf = (req: Request): Params => flat(req.query);
/** A JSON object body (Content-Type: application/json), or undefined. */
const jsonOf = (req: Request): Params | undefined =>
  req.is('application/json') && isPlainObject(req.body) ? flat(req.body) : undefined;
/** A form body (Content-Type: application/x-www-form-urlencoded), or undefined. */
const formOf = (req: Request): Params | undefined =>
  req.is('application/x-www-form-urlencoded') && isPlainObject(req.body) ? flat(req.body) : undefined;

// seed §POST /api/menulist (and every other open-API example): the success envelope
const envelopeOk = (data: unknown, code = '成功') => ({
  type: 'success',
  code,
  content: '成功',
  anchor: 'undefined',
  errorFields: [],
  data,
});
// seed §POST /api/menusubmit, §/api/menudelete: a success envelope without `data`
const envelopeDone = () => ({ type: 'success', code: '成功', content: '成功', anchor: 'undefined', errorFields: [] });
// unconfirmed: no refusal is shown; `type: "error"` is the seed's word (§getMessageStatus, §mustTaskList), code and content are ours
const envelopeError = (content: string, errorFields: string[], code = '失败') => ({
  type: 'error',
  code,
  content,
  anchor: 'undefined',
  errorFields,
  data: null,
});

/** unconfirmed: the seed documents one method per route and never shows a refusal of another. */
function methodNotAllowed(allow: string) {
  return (req: Request, res: Response) =>
    void res
      .status(405)
      .set('allow', allow)
      .json({ error: 'method_not_allowed', error_description: `Request method '${req.method.slice(0, 16)}' not supported` });
}

function localRedirect(uri: string): boolean {
  try {
    const u = new URL(uri);
    return u.protocol === 'http:' && (u.hostname === 'localhost' || u.hostname === '127.0.0.1');
  } catch {
    return false;
  }
}

/** Start the ZAFU emulator on 127.0.0.1. */
export async function startZafuEmulator(options: ZafuEmulatorOptions = {}): Promise<ZafuEmulator> {
  const apps = new Map((options.apps ?? [ZAFU_DEFAULT_APP]).map((a) => [a.clientId, { ...a }]));
  const users = options.users ?? ZAFU_USERS;
  const appTtl = options.appTokenTtl ?? APP_TOKEN_TTL;
  const aes = options.aes ?? {};
  let clock: Clock;

  const current = new Map<string, { token: string; exp: number }>(); // clientId → current app token
  const retired = new Map<string, string>(); // invalidated token → clientId
  const userTokens = new Map<string, { userId: string; clientId: string; exp: number; scope: string }>();
  const refreshTokens = new Map<string, { userId: string; clientId: string; scope: string }>();
  const codes = new Map<string, CodeEntry>();
  const menus = new Map<string, unknown[]>();
  const tokenEvents: ZafuTokenEvent[] = [];
  const messages: ZafuSentMessage[] = [];
  const scanRecords: ZafuScanRecord[] = [];
  let apiSuccesses = 0;
  let msgSeq = 404100; // seed §getMessageStatus: message ids like 404105

  const menusOf = (clientId: string) => {
    if (!menus.has(clientId)) menus.set(clientId, structuredClone(ZAFU_SEED_MENUS));
    return menus.get(clientId)!;
  };

  // unconfirmed (website login): a code lives 5 minutes, bound to client, redirect_uri and PKCE challenge
  function issueCode(input: ZafuAuthorizeInput): string {
    const app = apps.get(input.clientId ?? ZAFU_DEFAULT_APP.clientId);
    if (!app) throw new Error(`unknown client ${input.clientId}`);
    const code = b64url(randomBytes(18));
    codes.set(code, {
      clientId: app.clientId,
      userId: input.userId ?? users[0].id,
      redirectUri: input.redirectUri,
      scope: input.scope ?? 'base',
      challenge: input.codeChallenge,
      method: input.codeChallenge ? (input.codeChallengeMethod ?? 'plain') : undefined,
      exp: clock.now() + CODE_TTL,
    });
    const u = new URL(input.redirectUri);
    u.searchParams.set('code', code);
    if (input.state) u.searchParams.set('state', input.state);
    return u.toString();
  }

  /** Check the /oauth/authorize parameters; a string is the error to show (no redirect possible). */
  function checkAuthorize(p: Params): string | { app: ZafuApp; redirectUri: string } {
    const app = apps.get(p.client_id ?? '');
    if (!app) return '未知的应用 (client_id)';
    const redirectUri = p.redirect_uri ?? '';
    // unconfirmed: registered redirect URIs when the app has some, else any local http URL (RFC 6749 §3.1.2)
    const allowed = app.redirectUris ? app.redirectUris.includes(redirectUri) : localRedirect(redirectUri);
    if (!allowed) return '回调地址 (redirect_uri) 未登记';
    return { app, redirectUri };
  }

  // unconfirmed: errors go back to the redirect_uri as RFC 6749 §4.1.2.1 says
  function redirectError(res: Response, redirectUri: string, error: string, description: string, state?: string) {
    const u = new URL(redirectUri);
    u.searchParams.set('error', error);
    u.searchParams.set('error_description', description);
    if (state) u.searchParams.set('state', state);
    res.redirect(302, u.toString());
  }

  /** unconfirmed (website login): the client by HTTP Basic or client_id/client_secret parameters (RFC 6749 §2.3.1). */
  function clientOf(req: Request, p: Params): ZafuApp | undefined {
    let id = p.client_id;
    let secret = p.client_secret;
    const auth = req.headers.authorization;
    if (auth?.startsWith('Basic ')) {
      const [u, s] = Buffer.from(auth.slice(6), 'base64').toString('utf8').split(':');
      id = decodeURIComponent(u ?? '');
      secret = decodeURIComponent(s ?? '');
    }
    const app = apps.get(id ?? '');
    return app && secret === app.clientSecret ? app : undefined;
  }

  function tokenEndpoint(req: Request, res: Response) {
    res.set('cache-control', 'no-store'); // unconfirmed: RFC 6749 §5.1
    const query = queryOf(req);
    const json = jsonOf(req);
    // unconfirmed: the website-login grants are read from the query, a form body or a JSON body
    const lenient: Params = { ...query, ...(json ?? formOf(req) ?? {}) };
    const grant = req.method === 'GET' ? query.grant_type : (json?.grant_type ?? lenient.grant_type);
    // unconfirmed: a missing grant_type, in Spring Security OAuth2's wording (which the seed's errors match)
    if (!grant) return void res.status(400).json({ error: 'invalid_request', error_description: 'Missing grant type' });
    // seed §POST /oauth/token: HTTP 400 {error:"unsupported_grant_type", error_description:"Unsupported grant type: …"}
    if (!GRANTS.includes(grant))
      return void res
        .status(400)
        .json({ error: 'unsupported_grant_type', error_description: `Unsupported grant type: ${grant.slice(0, 64)}` });
    if (grant === 'client_credentials')
      // seed §POST /oauth/token: POST with a JSON body; PLATFORMS.md §2: a later page shows GET with query parameters
      return clientCredentials(res, req.method === 'GET' ? query : json?.grant_type === grant ? json : undefined);
    websiteGrant(req, res, grant, lenient);
  }

  function clientCredentials(res: Response, p: Params | undefined) {
    // unconfirmed: how the server refuses an undocumented encoding (form body, POST with query parameters)
    if (!p)
      return void res.status(400).json({
        error: 'invalid_request',
        error_description: 'client_credentials takes a JSON body (Content-Type: application/json), or GET query parameters',
      });
    const app = apps.get(p.client_id ?? '');
    // seed §POST /oauth/token: a wrong secret is HTTP 401 (the seed shows no body; this one is Spring's, unconfirmed)
    if (!app || p.client_secret !== app.clientSecret)
      return void res.status(401).json({ error: 'unauthorized', error_description: 'Bad credentials' });
    // seed §POST /oauth/token: a bad scope is HTTP 403 {error:"access_denied", error_description:"Unauthorized scope: …"}
    if (p.scope !== undefined && p.scope !== 'base_api')
      return void res
        .status(403)
        .json({ error: 'access_denied', error_description: `Unauthorized scope: ${p.scope.slice(0, 64)}` });
    const now = clock.now();
    const prev = current.get(app.clientId);
    // seed §POST /oauth/token: 重复获取将导致上次获取的Access Token失效 — a new token invalidates the previous one
    if (prev) {
      retired.set(prev.token, app.clientId);
      tokenEvents.push({ at: now, clientId: app.clientId, event: 'invalidated' });
    }
    const token = b64url(randomBytes(24));
    current.set(app.clientId, { token, exp: now + appTtl * 1000 }); // seed: 有效期目前为2周 (expires_in 1209600)
    tokenEvents.push({ at: now, clientId: app.clientId, event: 'issued' });
    // seed §POST /oauth/token: top level, not enveloped; expires_in a number as in the example (the table says string)
    res.json({ access_token: token, expires_in: appTtl, scope: 'base_api', token_type: 'Bearer' });
  }

  /** unconfirmed throughout: the website-login grants of a standard OAuth 2.0 server (RFC 6749 §4.1.3, §6). */
  function websiteGrant(req: Request, res: Response, grant: string, p: Params) {
    const app = clientOf(req, p);
    if (!app) return void res.status(401).json({ error: 'invalid_client', error_description: 'Bad client credentials' });
    if (grant === 'refresh_token') {
      const entry = refreshTokens.get(p.refresh_token ?? '');
      if (!entry || entry.clientId !== app.clientId)
        return void res.status(400).json({ error: 'invalid_grant', error_description: 'Invalid refresh token' });
      return void res.json(issueUserToken(entry.userId, app.clientId, entry.scope));
    }
    // authorization_code: single-use, expiring, bound to client, redirect_uri and PKCE challenge (RFC 7636)
    const entry = codes.get(p.code ?? '');
    if (entry) codes.delete(p.code!);
    const bad = (why: string) => void res.status(400).json({ error: 'invalid_grant', error_description: why });
    if (!entry || entry.exp < clock.now()) return bad('Invalid authorization code');
    if (entry.clientId !== app.clientId) return bad('Invalid authorization code');
    if (entry.redirectUri !== undefined && p.redirect_uri !== entry.redirectUri) return bad('Redirect URI mismatch.');
    if (entry.challenge) {
      const verifier = p.code_verifier ?? '';
      const computed = entry.method === 'S256' ? b64url(createHash('sha256').update(verifier).digest()) : verifier;
      if (!/^[A-Za-z0-9._~-]{43,128}$/.test(verifier) || computed !== entry.challenge) return bad('PKCE verification failed');
    }
    res.json(issueUserToken(entry.userId, app.clientId, entry.scope));
  }

  // unconfirmed: the user token's shape and lifetime (USER_TOKEN_TTL) are the emulator's choice
  function issueUserToken(userId: string, clientId: string, scope: string) {
    const access = b64url(randomBytes(24));
    const refresh = b64url(randomBytes(24));
    userTokens.set(access, { userId, clientId, scope, exp: clock.now() + USER_TOKEN_TTL * 1000 });
    refreshTokens.set(refresh, { userId, clientId, scope });
    return { access_token: access, token_type: 'bearer', expires_in: USER_TOKEN_TTL, refresh_token: refresh, scope };
  }

  /** The app behind the request's app token, or answer 401/403 and return undefined. */
  function appOfToken(req: Request, res: Response): ZafuApp | undefined {
    // seed (each open API's URL) and PLATFORMS.md §2: access_token is a query parameter; one in a body is not read
    const token = queryOf(req).access_token;
    const now = clock.now();
    if (!token) {
      tokenEvents.push({ at: now, clientId: '', event: 'rejected-missing', path: req.path });
      // seed: 验证失败则返回的http状态码为401或403 — 401 here; the body is Spring's wording, unconfirmed
      res
        .status(401)
        .json({ error: 'unauthorized', error_description: 'Full authentication is required to access this resource' });
      return undefined;
    }
    for (const [clientId, cur] of current) {
      if (cur.token !== token) continue;
      if (cur.exp > now) return apps.get(clientId);
      tokenEvents.push({ at: now, clientId, event: 'rejected-stale', path: req.path });
      // seed: an expired access_token is HTTP 403 {error:"invalid_grant", error_description:"Access token is expired"}
      res.status(403).json({ error: 'invalid_grant', error_description: 'Access token is expired' });
      return undefined;
    }
    const retiredOf = retired.get(token);
    if (retiredOf !== undefined) {
      tokenEvents.push({ at: now, clientId: retiredOf, event: 'rejected-stale', path: req.path });
      // seed: the documented access_token error (403 invalid_grant); that an invalidated token gets it is unconfirmed
      res.status(403).json({ error: 'invalid_grant', error_description: 'Access token is expired' });
      return undefined;
    }
    tokenEvents.push({ at: now, clientId: '', event: 'rejected-unknown', path: req.path });
    // seed: 401 or 403 on a failed check — 401 for a token never issued; the body is unconfirmed
    res.status(401).json({ error: 'invalid_token', error_description: 'Invalid access token' });
    return undefined;
  }

  // seed §scanrecord.jhtm: AES, key = appId left-padded with '0' to 16; unconfirmed: mode, padding, encoding (`aes` option)
  function decryptIdCard(encrypted: string, appId: string): string | undefined {
    try {
      const key = Buffer.from(appId.padStart(16, '0'), 'utf8');
      if (key.length !== 16) return undefined;
      const iv = aes.mode === 'cbc' ? (aes.iv ? Buffer.from(aes.iv, 'utf8') : key) : null;
      const d = createDecipheriv(aes.mode === 'cbc' ? 'aes-128-cbc' : 'aes-128-ecb', key, iv);
      return Buffer.concat([d.update(Buffer.from(encrypted, aes.encoding ?? 'base64')), d.final()]).toString('utf8');
    } catch {
      return undefined;
    }
  }

  const missing = (p: Params, keys: string[]) => keys.filter((k) => !p[k]);

  const emu = await startEmulator({
    name: 'zafu',
    port: options.port,
    host: options.host,
    clock: options.clock,
    routes(app, ctx) {
      clock = ctx.clock;

      // ── client credentials and the (unconfirmed) authorization-code token endpoint ──
      app
        .route('/oauth/token')
        .get(tokenEndpoint) // PLATFORMS.md §2: a later page shows the token call as a GET with query parameters
        .post(tokenEndpoint) // seed §POST /oauth/token
        .all(methodNotAllowed('GET, POST'));

      // ── website login: unconfirmed throughout (the "website access" document is not public) ──
      // unconfirmed: GET /oauth/authorize shows the login page (RFC 6749 §4.1.1 parameters)
      app.get('/oauth/authorize', (req, res) => {
        const p = { ...queryOf(req), ...formOf(req) };
        const checked = checkAuthorize(p);
        if (typeof checked === 'string')
          return void res
            .status(400)
            .type('html')
            .send(page('授权失败', `<p>${escapeHtml(checked)}</p>`));
        if (p.response_type !== 'code')
          return redirectError(res, checked.redirectUri, 'unsupported_response_type', 'Unsupported response types', p.state);
        if (p.code_challenge_method && !['S256', 'plain'].includes(p.code_challenge_method))
          return redirectError(res, checked.redirectUri, 'invalid_request', 'Unsupported code_challenge_method', p.state);
        const keep = ['response_type', 'client_id', 'redirect_uri', 'scope', 'state', 'code_challenge', 'code_challenge_method'];
        const hidden = keep
          .filter((k) => p[k] !== undefined)
          .map((k) => `<input type="hidden" name="${k}" value="${escapeHtml(p[k])}">`)
          .join('');
        const buttons = users
          .map(
            (u) =>
              `<button type="submit" name="user" value="${escapeHtml(u.id)}" data-user="${escapeHtml(u.id)}">${escapeHtml(u.name)}（${escapeHtml(u.xgh)}，${escapeHtml(u.userType)}，${escapeHtml(u.department)}）</button>`,
          )
          .join('');
        res.type('html').send(
          page(
            '浙江农林大学统一身份认证 · 模拟',
            `<p>应用「${escapeHtml(checked.app.name)}」请求使用你的浙农林帐号登录。选择一个测试用户：</p>
<form method="post" action="/oauth/authorize">${hidden}${buttons}
<button type="submit" name="deny" value="1" data-deny="1">拒绝授权</button></form>`,
          ),
        );
      });
      // unconfirmed: the login page's form posts here; a code (or error=access_denied) goes back to redirect_uri
      app.post('/oauth/authorize', (req, res) => {
        const p = { ...queryOf(req), ...formOf(req) };
        const checked = checkAuthorize(p);
        if (typeof checked === 'string')
          return void res
            .status(400)
            .type('html')
            .send(page('授权失败', `<p>${escapeHtml(checked)}</p>`));
        if (p.deny) return redirectError(res, checked.redirectUri, 'access_denied', 'User denied access', p.state);
        const user = users.find((u) => u.id === p.user);
        if (!user) return void res.status(400).type('html').send(page('授权失败', '<p>未知用户</p>'));
        const method = p.code_challenge_method === 'S256' ? 'S256' : 'plain';
        res.redirect(
          302,
          issueCode({
            userId: user.id,
            clientId: checked.app.clientId,
            redirectUri: checked.redirectUri,
            state: p.state,
            scope: p.scope,
            codeChallenge: p.code_challenge,
            codeChallengeMethod: method,
          }),
        );
      });
      // unconfirmed: the user-info path, its auth (Bearer, or the open platform's access_token query) and fields
      const userinfo = (req: Request, res: Response) => {
        const auth = req.headers.authorization;
        const token = auth?.startsWith('Bearer ') ? auth.slice(7) : queryOf(req).access_token;
        const entry = token ? userTokens.get(token) : undefined;
        if (!entry || entry.exp < clock.now())
          return void res.status(401).json({ error: 'invalid_token', error_description: 'Invalid access token' });
        const u = users.find((x) => x.id === entry.userId)!;
        res.json({ id: u.id, xgh: u.xgh, name: u.name, userType: u.userType, department: u.department });
      };
      app.get('/oauth/userinfo', userinfo);
      app.post('/oauth/userinfo', userinfo);

      // ── open APIs ──
      // seed: every open API is POST with access_token (in the query); other methods → 405 (unconfirmed)
      const api = (path: string, handler: (p: Params, zapp: ZafuApp, res: Response) => void) =>
        app
          .route(path)
          .post((req, res) => {
            const zapp = appOfToken(req, res);
            if (!zapp) return;
            const json = res.json.bind(res);
            res.json = (body: unknown) => {
              const b = body as { type?: string; status?: number };
              if (b?.type === 'success' || b?.status === 1) apiSuccesses++;
              return json(body);
            };
            // seed: parameters in the URL's query; unconfirmed: a form body too (a servlet reads both); a JSON body is not read
            handler({ ...formOf(req), ...queryOf(req) }, zapp, res);
          })
          .all(methodNotAllowed('POST'));

      // seed §POST /api/menulist: the app's menu tree in `data`
      api('/api/menulist', (_p, zapp, res) => void res.json(envelopeOk(menusOf(zapp.clientId))));

      // seed §POST /api/menusubmit?json=…: json (required) = the whole menu tree, in the format of menulist's data
      api('/api/menusubmit', (p, zapp, res) => {
        if (!p.json) return void res.json(envelopeError('菜单json不能为空', ['json'])); // seed: json 必填; refusal unconfirmed
        let parsed: unknown;
        try {
          parsed = JSON.parse(p.json);
        } catch {
          return void res.json(envelopeError('菜单json格式错误', ['json'])); // unconfirmed
        }
        // unconfirmed: how strictly the tree is checked (an array of {id, name, childs?} here)
        const valid = (m: unknown): boolean =>
          !!m &&
          typeof m === 'object' &&
          typeof (m as { name?: unknown }).name === 'string' &&
          Number.isFinite(Number((m as { id?: unknown }).id)) &&
          ((m as { childs?: unknown }).childs === undefined ||
            (Array.isArray((m as { childs?: unknown }).childs) && (m as { childs: unknown[] }).childs.every(valid)));
        if (!Array.isArray(parsed) || !parsed.every(valid)) return void res.json(envelopeError('菜单json格式错误', ['json']));
        menus.set(zapp.clientId, parsed); // seed: 全部菜单 — the tree replaces the app's menus
        res.json(envelopeDone());
      });

      // seed §POST /api/menudelete?id=…: id (required)
      api('/api/menudelete', (p, zapp, res) => {
        if (!p.id) return void res.json(envelopeError('菜单id不能为空', ['id'])); // seed: id 必填; refusal unconfirmed
        const remove = (list: unknown[]): boolean => {
          const i = list.findIndex((m) => String((m as { id?: unknown }).id) === p.id);
          if (i !== -1) return (list.splice(i, 1), true);
          return list.some(
            (m) => Array.isArray((m as { childs?: unknown }).childs) && remove((m as { childs: unknown[] }).childs),
          );
        };
        if (!remove(menusOf(zapp.clientId))) return void res.json(envelopeError('菜单不存在', ['id'])); // unconfirmed
        res.json(envelopeDone());
      });

      // seed §POST /api/msgcreate: content, scope, userno, channel, appId required; mobile optional → {message, status}
      api('/api/msgcreate', (p, zapp, res) => {
        // seed: the example refusal {message:"推送内容、推送范围或推送渠道为空", status:0}
        if (missing(p, ['content', 'scope', 'channel']).length)
          return void res.json({ message: '推送内容、推送范围或推送渠道为空', status: 0 });
        if (!p.userno) return void res.json({ message: '学工号为空', status: 0 }); // seed: userno 必填; message unconfirmed
        if (!p.appId) return void res.json({ message: 'appId为空', status: 0 }); // seed: appId 必填; message unconfirmed
        if (p.appId !== zapp.appId) return void res.json({ message: 'appId错误', status: 0 }); // unconfirmed: checked against the app
        // seed: scope 1 全体师生 … 6 单人 (Integer)
        if (!/^[1-6]$/.test(p.scope)) return void res.json({ message: '推送范围错误', status: 0 });
        // seed: channel "1.短信 2.app通知等" — the list ends in 等 (etc.), so any positive number passes (unconfirmed)
        if (!/^[1-9]\d{0,3}$/.test(p.channel)) return void res.json({ message: '推送渠道错误', status: 0 });
        messages.push({ id: ++msgSeq, clientId: zapp.clientId, api: 'msgcreate', params: p, is_read: '0', read_date: null });
        res.json({ message: '推送成功', status: 1 }); // seed: status 1 成功; the message text is unconfirmed
      });

      // seed §POST /api/msgsend: → {status, message, errorFields}
      api('/api/msgsend', (p, zapp, res) => {
        // unconfirmed: the refusal texts; status 0 = 失败 and errorFields are the seed's
        const refuse = (message: string, field: string) => void res.json({ status: 0, message, errorFields: field });
        if (!p.content) return refuse('消息内容不能为空', 'content'); // seed: content 必填
        // seed: messageType 1 短信, 3 微信公众号, 4 邮件, 5 App普通消息, 6 App重要消息, 7 App必做任务, 8 App通知公告
        if (!/^[1345678]$/.test(p.messageType ?? '')) return refuse('消息类型错误', 'messageType');
        const type = Number(p.messageType);
        // seed: xgh — App内部消息时,必填 (App messages and tasks, 5–8)
        if ([5, 6, 7, 8].includes(type) && !p.xgh) return refuse('App消息学工号必填', 'xgh');
        // seed: messageTo — phone (1), OpenId (3), e-mail (4), task id (7/8) 必填; a jump url for 5/6 选填
        if ([1, 3, 4, 7, 8].includes(type) && !p.messageTo) return refuse('接收方必填', 'messageTo');
        // seed: templateId — 发送微信公众号消息,传模板id,必填
        if (type === 3 && !p.templateId) return refuse('微信公众号消息模板id必填', 'templateId');
        // seed: 7/8 传任务id (参考查询任务列表); that an unknown task is refused is unconfirmed
        if ([7, 8].includes(type) && !ZAFU_SEED_TASKS.some((t) => String(t.id) === p.messageTo))
          return refuse('任务不存在', 'messageTo');
        // seed: appId optional; unconfirmed: a given one is checked against the app
        if (p.appId !== undefined && p.appId !== zapp.appId) return refuse('appId错误', 'appId');
        messages.push({ id: ++msgSeq, clientId: zapp.clientId, api: 'msgsend', params: p, is_read: '0', read_date: null });
        res.json({ status: 1, message: '发送成功', errorFields: null }); // seed: status 1 成功; message text unconfirmed
      });

      // seed §POST /api/getMessageStatus: xgh, messageType required; messageTo required for 8; dataKey optional
      api('/api/getMessageStatus', (p, zapp, res) => {
        const absent = missing(p, ['xgh', 'messageType']);
        if (absent.length) return void res.json(envelopeError('参数不能为空', absent)); // refusal unconfirmed
        // seed: messageType 5, 6 or 8 (its labels swap 5/6 against msgsend's: the numbers are what counts)
        if (!/^[568]$/.test(p.messageType)) return void res.json(envelopeError('消息类型错误', ['messageType']));
        // seed: messageTo — 8.发App任务,传任务id 必填
        if (p.messageType === '8' && !p.messageTo) return void res.json(envelopeError('任务id不能为空', ['messageTo']));
        // unconfirmed: which messages match (this app's msgsend messages to xgh of that type, narrowed by messageTo/dataKey)
        const data = messages
          .filter(
            (m) =>
              m.clientId === zapp.clientId &&
              m.api === 'msgsend' &&
              m.params.xgh === p.xgh &&
              m.params.messageType === p.messageType &&
              (!p.messageTo || m.params.messageTo === p.messageTo) &&
              (!p.dataKey || m.params.dataKey === p.dataKey),
          )
          // seed: {is_read: "0"|"1", message_content, id, read_date (epoch ms)}; read_date null while unread is unconfirmed
          .map((m) => ({ is_read: m.is_read, message_content: m.params.content, id: m.id, read_date: m.read_date }));
        res.json({ ...envelopeOk(data, '0'), errorFields: null }); // seed: this example has code "0", errorFields null
      });

      // seed §POST /api/mustTaskList: no parameters → data [{id, title}] (the example says title, the table text)
      api('/api/mustTaskList', (_p, _zapp, res) => void res.json(envelopeOk(ZAFU_SEED_TASKS)));

      // seed §POST /api/scanrecord.jhtm: all of termName, termSn, name, xgh, idCard, userType, scanDate, appId required
      api('/api/scanrecord.jhtm', (p, zapp, res) => {
        // unconfirmed: every refusal here (code "0" mirrors the success example's code "1")
        const absent = missing(p, ['termName', 'termSn', 'name', 'xgh', 'idCard', 'userType', 'scanDate', 'appId']);
        if (absent.length) return void res.json(envelopeError('参数不能为空', absent, '0'));
        if (p.appId !== zapp.appId) return void res.json(envelopeError('appId错误', ['appId'], '0'));
        const idCard = decryptIdCard(p.idCard, zapp.appId);
        if (!idCard || !/^\d{17}[\dXx]$/.test(idCard)) return void res.json(envelopeError('身份证号解密失败', ['idCard'], '0'));
        // seed: scanDate "yy-MM-dd hh:mm:ss"; unconfirmed: a 4-digit year is accepted too
        if (!/^\d{2,4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(p.scanDate))
          return void res.json(envelopeError('扫码时间格式错误', ['scanDate'], '0'));
        scanRecords.push({ clientId: zapp.clientId, params: p, idCard });
        res.json(envelopeOk(null, '1')); // seed: {type:"success", code:"1", content:"成功", …, data:null}
      });
    },
  });

  return Object.assign(emu, {
    tokenEvents,
    stats() {
      const count = (e: ZafuTokenEvent['event']) => tokenEvents.filter((t) => t.event === e).length;
      return {
        tokenFetches: count('issued'),
        invalidations: count('invalidated'),
        staleRejections: count('rejected-stale'),
        apiSuccesses,
      };
    },
    currentAppToken(clientId = ZAFU_DEFAULT_APP.clientId) {
      const cur = current.get(clientId);
      return cur && cur.exp > emu.clock.now() ? cur.token : undefined;
    },
    authorize: issueCode,
    menus: (clientId = ZAFU_DEFAULT_APP.clientId) => menusOf(clientId),
    messages,
    markRead(id: number) {
      const m = messages.find((x) => x.id === id);
      if (m) {
        m.is_read = '1';
        m.read_date = emu.clock.now();
      }
    },
    scanRecords,
  });
}

/** Encrypt like a well-behaved client would (for tests and the demo): AES-128, appId-derived key. */
export function zafuEncryptIdCard(
  plain: string,
  appId: string,
  aes: { mode?: 'ecb' | 'cbc'; encoding?: 'base64' | 'hex'; iv?: string } = {},
): string {
  const key = Buffer.from(appId.padStart(16, '0'), 'utf8'); // seed §scanrecord.jhtm: appId 向前补0到16位
  const iv = aes.mode === 'cbc' ? (aes.iv ? Buffer.from(aes.iv, 'utf8') : key) : null;
  const c = createCipheriv(aes.mode === 'cbc' ? 'aes-128-cbc' : 'aes-128-ecb', key, iv);
  return Buffer.concat([c.update(plain, 'utf8'), c.final()]).toString(aes.encoding ?? 'base64');
}
