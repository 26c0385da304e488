/**
 * The ZAFU emulator's website login — UNCONFIRMED throughout: the platform's "website access"
 * document is not public, so this is a lenient standard OAuth 2.0 authorization-code server.
 * GET /oauth/authorize shows a login page (a button per seeded user with `data-user`, and a deny
 * button), POST /oauth/authorize issues a single-use code (5 min); /oauth/token grant_type
 * `authorization_code` (query, form or JSON; client auth in the parameters or HTTP Basic; PKCE
 * S256 / plain) and `refresh_token`; GET|POST /oauth/userinfo (Bearer or `access_token` query).
 */
import { createHash } from 'node:crypto';
import type { Express, Request, Response } from 'express';
import type { Clock } from '../../harness';
import { CredentialStore, escapeHtml, isLocalRedirect, loginPage, page, params, withQuery } from '../../kit';
import { CODE_TTL, USER_TOKEN_TTL, ZAFU_DEFAULT_APP, type ZafuApp, type ZafuUser } from './data';

export type Params = Record<string, string>;

const isObjectBody = (req: Request) => !!req.body && typeof req.body === 'object' && !Array.isArray(req.body);
/** The query's parameters (the first of a repeated key). */
export const queryOf = (req: Request): Params => params(req, ['query']);
/** A JSON object body (Content-Type: application/json), or undefined. */
export const jsonOf = (req: Request): Params | undefined =>
  req.is('application/json') && isObjectBody(req) ? params(req, ['body']) : undefined;
/** A form body (Content-Type: application/x-www-form-urlencoded), or undefined. */
export const formOf = (req: Request): Params | undefined =>
  req.is('application/x-www-form-urlencoded') && isObjectBody(req) ? params(req, ['body']) : undefined;

export interface ZafuAuthorizeInput {
  userId?: string;
  clientId?: string;
  redirectUri: string;
  state?: string;
  scope?: string;
  codeChallenge?: string;
  codeChallengeMethod?: 'S256' | 'plain';
}

interface CodeGrant {
  clientId: string;
  userId: string;
  redirectUri?: string;
  scope: string;
  challenge?: string;
  method?: 'S256' | 'plain';
}

interface UserGrant {
  userId: string;
  clientId: string;
  scope: string;
}

export interface WebsiteLogin {
  /** Mount /oauth/authorize (GET page, POST choice) and /oauth/userinfo. */
  mount(app: Express): void;
  /** /oauth/token for grant_type authorization_code and refresh_token. */
  grant(req: Request, res: Response, grant: string, p: Params): void;
  /** Issue a code as if the user clicked "login" on the authorize page; returns the redirect URL. */
  issueCode(input: ZafuAuthorizeInput): string;
  /** Forget every code and user token. */
  clear(): void;
}

/** The website login of the given apps and users, on the emulator's clock. */
export function websiteLogin(apps: ReadonlyMap<string, ZafuApp>, users: readonly ZafuUser[], clock: Clock): WebsiteLogin {
  const now = () => clock.now();
  // unconfirmed (website login): a code lives 5 minutes, bound to client, redirect_uri and PKCE challenge
  const codes = new CredentialStore<CodeGrant>(now, CODE_TTL);
  // unconfirmed: the user token's lifetime (USER_TOKEN_TTL) is the emulator's choice
  const userTokens = new CredentialStore<UserGrant>(now, USER_TOKEN_TTL * 1000);
  // unconfirmed: refresh tokens do not expire and are not used up
  const refreshTokens = new CredentialStore<UserGrant>(now, Number.POSITIVE_INFINITY);

  function issueCode(input: ZafuAuthorizeInput): string {
    const app = apps.get(input.clientId ?? ZAFU_DEFAULT_APP.clientId);
    if (!app) throw new Error(`unknown client ${input.clientId}`);
    const code = codes.mint({
      clientId: app.clientId,
      userId: input.userId ?? users[0].id,
      redirectUri: input.redirectUri,
      scope: input.scope ?? 'base',
      challenge: input.codeChallenge,
      method: input.codeChallenge ? (input.codeChallengeMethod ?? 'plain') : undefined,
    });
    return withQuery(input.redirectUri, { code, state: input.state || undefined });
  }

  /** Check the /oauth/authorize parameters; a string is the error to show (no redirect possible). */
  function checkAuthorize(p: Params): string | { app: ZafuApp; redirectUri: string } {
    const app = apps.get(p.client_id ?? '');
    if (!app) return '未知的应用 (client_id)';
    const redirectUri = p.redirect_uri ?? '';
    // unconfirmed: registered redirect URIs when the app has some, else any local URL (RFC 6749 §3.1.2; the kit's rule)
    if (!isLocalRedirect(redirectUri, app.redirectUris)) return '回调地址 (redirect_uri) 未登记';
    return { app, redirectUri };
  }

  const refusePage = (res: Response, message: string) =>
    void res
      .status(400)
      .type('html')
      .send(page('浙江农林大学统一身份认证 · 授权失败', `<p>${escapeHtml(message)}</p>`));

  // unconfirmed: errors go back to the redirect_uri as RFC 6749 §4.1.2.1 says
  function redirectError(res: Response, redirectUri: string, error: string, description: string, state?: string) {
    res.redirect(302, withQuery(redirectUri, { error, error_description: description, state: state || undefined }));
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

  // unconfirmed: the user token's shape is the emulator's choice
  function issueUserToken(grant: UserGrant) {
    const access = userTokens.mint(grant);
    const refresh = refreshTokens.mint(grant);
    return { access_token: access, token_type: 'bearer', expires_in: USER_TOKEN_TTL, refresh_token: refresh, scope: grant.scope };
  }

  /** unconfirmed throughout: the website-login grants of a standard OAuth 2.0 server (RFC 6749 §4.1.3, §6). */
  function grant(req: Request, res: Response, grantType: string, p: Params) {
    const app = clientOf(req, p);
    if (!app) return void res.status(401).json({ error: 'invalid_client', error_description: 'Bad client credentials' });
    if (grantType === 'refresh_token') {
      const entry = refreshTokens.peek(p.refresh_token);
      if (typeof entry !== 'object' || entry.clientId !== app.clientId)
        return void res.status(400).json({ error: 'invalid_grant', error_description: 'Invalid refresh token' });
      return void res.json(issueUserToken({ userId: entry.userId, clientId: app.clientId, scope: entry.scope }));
    }
    // authorization_code: single-use, expiring, bound to client, redirect_uri and PKCE challenge (RFC 7636)
    const entry = codes.take(p.code);
    const bad = (why: string) => void res.status(400).json({ error: 'invalid_grant', error_description: why });
    if (typeof entry !== 'object') return bad('Invalid authorization code');
    if (entry.clientId !== app.clientId) return bad('Invalid authorization code');
    if (entry.redirectUri !== undefined && p.redirect_uri !== entry.redirectUri) return bad('Redirect URI mismatch.');
    if (entry.challenge) {
      const verifier = p.code_verifier ?? '';
      const computed = entry.method === 'S256' ? createHash('sha256').update(verifier).digest('base64url') : verifier;
      if (!/^[A-Za-z0-9._~-]{43,128}$/.test(verifier) || computed !== entry.challenge) return bad('PKCE verification failed');
    }
    res.json(issueUserToken({ userId: entry.userId, clientId: app.clientId, scope: entry.scope }));
  }

  function mount(app: Express) {
    // unconfirmed: GET /oauth/authorize shows the login page (RFC 6749 §4.1.1 parameters)
    app.get('/oauth/authorize', (req, res) => {
      const p = { ...queryOf(req), ...formOf(req) };
      const checked = checkAuthorize(p);
      if (typeof checked === 'string') return refusePage(res, checked);
      if (p.response_type !== 'code')
        return redirectError(res, checked.redirectUri, 'unsupported_response_type', 'Unsupported response types', p.state);
      if (p.code_challenge_method && !['S256', 'plain'].includes(p.code_challenge_method))
        return redirectError(res, checked.redirectUri, 'invalid_request', 'Unsupported code_challenge_method', p.state);
      const keep = ['response_type', 'client_id', 'redirect_uri', 'scope', 'state', 'code_challenge', 'code_challenge_method'];
      res.type('html').send(
        loginPage({
          platform: '浙江农林大学统一身份认证',
          note: `<p>应用「${escapeHtml(checked.app.name)}」请求使用你的浙农林帐号登录。选择一个测试用户：</p>`,
          action: '/oauth/authorize',
          hidden: Object.fromEntries(keep.map((k) => [k, p[k]])),
          users: users.map((u) => ({ value: u.id, label: `${u.name}（${u.xgh}，${u.userType}，${u.department}）` })),
          deny: '拒绝授权',
        }),
      );
    });
    // unconfirmed: the login page's form posts here; a code (or error=access_denied) goes back to redirect_uri
    app.post('/oauth/authorize', (req, res) => {
      const p = { ...queryOf(req), ...formOf(req) };
      const checked = checkAuthorize(p);
      if (typeof checked === 'string') return refusePage(res, checked);
      if (p.deny) return redirectError(res, checked.redirectUri, 'access_denied', 'User denied access', p.state);
      const user = users.find((u) => u.id === p.user);
      if (!user) return refusePage(res, '未知用户');
      res.redirect(
        302,
        issueCode({
          userId: user.id,
          clientId: checked.app.clientId,
          redirectUri: checked.redirectUri,
          state: p.state,
          scope: p.scope,
          codeChallenge: p.code_challenge,
          codeChallengeMethod: p.code_challenge_method === 'S256' ? 'S256' : 'plain',
        }),
      );
    });
    // unconfirmed: the user-info path, its auth (Bearer, or the open platform's access_token query) and fields
    const userinfo = (req: Request, res: Response) => {
      const auth = req.headers.authorization;
      const entry = userTokens.peek(auth?.startsWith('Bearer ') ? auth.slice(7) : queryOf(req).access_token);
      if (typeof entry !== 'object')
        return void res.status(401).json({ error: 'invalid_token', error_description: 'Invalid access token' });
      const u = users.find((x) => x.id === entry.userId)!;
      res.json({ id: u.id, xgh: u.xgh, name: u.name, userType: u.userType, department: u.department });
    };
    app.get('/oauth/userinfo', userinfo);
    app.post('/oauth/userinfo', userinfo);
  }

  return {
    mount,
    grant,
    issueCode,
    clear() {
      codes.clear();
      userTokens.clear();
      refreshTokens.clear();
    },
  };
}
