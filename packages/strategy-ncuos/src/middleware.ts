/**
 * `requireAccessToken(client, { verify })`: Express middleware for an app's API routes, checking
 * `Authorization: Bearer <accessToken>` and setting `req.ncuos = { uid, payload }`.
 * - `verify: 'local'` (default): the Ed25519 signature and claims, here, against the server key the
 *   client caches (`client.verifyAccessTokenLocally`; ./local-verify.ts) — no platform call per request.
 * - `verify: 'remote'`: one signed `POST /api/v1/app/token/access/verify` per request
 *   (ncuhome/GeniusAuthoritarian internal/api/middlewares/app.go RequireAccessToken), which also sees
 *   revocations: a destroyed refresh token, a user changed on the platform.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isCampusAuthError } from '@campus-passport/core';
import { OptionChecks } from '@campus-passport/core/kit';
import type { NcuosLocalAccessInfo } from './access-token';
import { PLATFORM, type NcuosAccessInfo } from './profile';

/** What `requireAccessToken()` puts on the request (the same in both modes). */
export interface NcuosAccess {
  uid: number;
  payload: string;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** Set by requireAccessToken(). */
      ncuos?: NcuosAccess;
    }
  }
}

export type AccessTokenRequest = IncomingMessage & { ncuos?: NcuosAccess };
export type AccessTokenMiddleware = (req: AccessTokenRequest, res: ServerResponse, next: (err?: unknown) => void) => void;

/** What the middleware needs of a client (a GeniusAuthClient has both). */
export interface AccessTokenVerifier {
  /** `verify: 'remote'`. */
  verifyAccessToken(accessToken: string): Promise<NcuosAccessInfo>;
  /** `verify: 'local'` (the default). */
  verifyAccessTokenLocally?(accessToken: string): Promise<NcuosLocalAccessInfo>;
}

export const ACCESS_TOKEN_CHECKS = ['local', 'remote'] as const;
export type AccessTokenCheck = (typeof ACCESS_TOKEN_CHECKS)[number];

export interface RequireAccessTokenOptions {
  /**
   * 'local' (default): verified here against the cached server key, 0 platform calls per request,
   * blind to revocation until the token expires (≤ 5 minutes). 'remote': one signed platform call
   * per request, sees revocation at once.
   */
  verify?: AccessTokenCheck;
}

/** A Bearer token: printable ASCII, at most 4096 characters. */
const BEARER = /^Bearer\s+([\x21-\x7e]{1,4096})\s*$/i;

const check = new OptionChecks(PLATFORM);

/**
 * Check `Authorization: Bearer <accessToken>` and set `req.ncuos`. A missing or refused token
 * answers 401 JSON `{ code, message }`; any other failure (the platform, the key fetch) goes to
 * `next(err)` (a CampusAuthError). Options are checked here: ERR_CONFIG naming the option.
 */
export function requireAccessToken(client: AccessTokenVerifier, options: RequireAccessTokenOptions = {}): AccessTokenMiddleware {
  const mode = check.oneOf(check.object(options, 'requireAccessToken options').verify, 'verify', ACCESS_TOKEN_CHECKS, 'local');
  if (mode === 'local' && typeof client?.verifyAccessTokenLocally !== 'function')
    throw check.fail(
      'requireAccessToken: the client has no verifyAccessTokenLocally; pass { verify: "remote" } or a GeniusAuthClient',
    );
  const verify: (token: string) => Promise<NcuosAccessInfo> =
    mode === 'local' ? (token) => client.verifyAccessTokenLocally!(token) : (token) => client.verifyAccessToken(token);
  return (req, res, next) => {
    const header = req.headers.authorization;
    const m = typeof header === 'string' ? BEARER.exec(header) : null;
    const deny = (code: string, message: string, error?: string) => {
      res.statusCode = 401;
      res.setHeader('www-authenticate', error ? `Bearer realm="ncuos", error="${error}"` : 'Bearer realm="ncuos"');
      res.setHeader('content-type', 'application/json; charset=utf-8');
      res.end(JSON.stringify({ code, message }));
    };
    if (!m) return deny('ERR_NO_CREDENTIAL', 'ncuos: the request carries no access token (Authorization: Bearer …)');
    verify(m[1]).then(
      ({ uid, payload }) => {
        req.ncuos = { uid, payload };
        next();
      },
      (err: unknown) => {
        if (isCampusAuthError(err) && err.isUserError) return deny(err.code, err.message, 'invalid_token');
        next(err);
      },
    );
  };
}
