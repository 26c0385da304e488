/**
 * `requireAccessToken(client)`: Express middleware for an app's API routes, checking
 * `Authorization: Bearer <accessToken>` with the platform (`POST /api/v1/app/token/access/verify`,
 * ncuhome/GeniusAuthoritarian internal/api/middlewares/app.go RequireAccessToken) and setting
 * `req.ncuos = { uid, payload }`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isCampusAuthError } from '@campus-passport/core';
import type { NcuosAccessInfo } from './profile';

/** What `requireAccessToken()` puts on the request. */
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

/** What the middleware needs of a client: `GeniusAuthClient#verifyAccessToken`. */
export interface AccessTokenVerifier {
  verifyAccessToken(accessToken: string): Promise<NcuosAccessInfo>;
}

/** A Bearer token: printable ASCII, at most 4096 characters. */
const BEARER = /^Bearer\s+([\x21-\x7e]{1,4096})\s*$/i;

/**
 * Check `Authorization: Bearer <accessToken>` with the platform and set `req.ncuos`. A missing or
 * refused token answers 401 JSON `{ code, message }`; a platform failure goes to `next(err)` (a
 * CampusAuthError).
 */
export function requireAccessToken(client: AccessTokenVerifier): AccessTokenMiddleware {
  return (req, res, next) => {
    const header = req.headers.authorization;
    const m = typeof header === 'string' ? BEARER.exec(header) : null;
    const deny = (code: string, message: string, error?: string) => {
      res.statusCode = 401;
      res.setHeader('www-authenticate', error ? `Bearer realm="ncuos", error="${error}"` : 'Bearer realm="ncuos"');
      res.setHeader('content-type', 'application/json; charset=utf-8');
      res.end(JSON.stringify({ code, message }));
    };
    if (!m) return deny('ERR_NO_CREDENTIAL', 'an ncuos access token is required (Authorization: Bearer …)');
    client.verifyAccessToken(m[1]).then(
      (info) => {
        req.ncuos = info;
        next();
      },
      (err: unknown) => {
        if (isCampusAuthError(err) && err.isUserError) return deny(err.code, err.message, 'invalid_token');
        next(err);
      },
    );
  };
}
