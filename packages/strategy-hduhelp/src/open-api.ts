/**
 * A neo service API call as `client.openApi()` takes it, checked before anything is sent. Every
 * neo security scheme is `Bearer` (hduhelp-neo-sdk-go openapi.yaml securitySchemes); a tenant or
 * app token picks the person it acts on with the `X-Staff-Id` header (openapi.yaml parameters;
 * README "StaffID is required when the automatic tenant token targets a user"), a user token
 * carries its own.
 */
import type { HttpMethod, QueryValue } from '@campus-passport/core';
import type { OptionChecks } from '@campus-passport/core/kit';

/** Which token a neo service API call carries. */
export type HduHelpOpenApiAuth = 'user' | 'tenant' | 'app';

/** One neo service API call (`client.openApi()`). */
export interface HduHelpOpenApiRequest {
  /** Default GET. */
  method?: HttpMethod;
  /** Under `baseURL`, e.g. `/hduhelp-neo/academic/person/info`. */
  path: string;
  /** 'user': `accessToken` is required; 'tenant' / 'app': the client's cached token unless `accessToken` is given. */
  auth: HduHelpOpenApiAuth;
  /** The token to send. For 'tenant' / 'app' it replaces the cached one (and is not renewed). */
  accessToken?: string;
  /** The person a tenant / app token acts on: the `X-Staff-Id` header. */
  staffId?: string;
  query?: Record<string, QueryValue>;
  json?: unknown;
}

/** A neo service API answer: the envelope's `data`, its `msg` and the platform's request id. */
export interface HduHelpOpenApiResponse<T = unknown> {
  data: T;
  msg?: string;
  requestId?: string;
  status: number;
}

const METHODS: readonly HttpMethod[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
const AUTHS: readonly HduHelpOpenApiAuth[] = ['user', 'tenant', 'app'];

/** The request checked (ERR_CONFIG naming what is wrong) and its headers built, but for the token. */
export function checkOpenApiRequest(
  check: OptionChecks,
  req: HduHelpOpenApiRequest,
): Required<Pick<HduHelpOpenApiRequest, 'method' | 'path' | 'auth'>> &
  Pick<HduHelpOpenApiRequest, 'accessToken' | 'query' | 'json'> & { headers: (token: string) => Record<string, string> } {
  const r = check.object(req, 'openApi() request');
  const method = r.method ?? 'GET';
  if (!METHODS.includes(method)) throw check.fail(`openApi() method must be one of ${METHODS.join(', ')}`);
  if (typeof r.path !== 'string' || !r.path.startsWith('/') || r.path.startsWith('//'))
    throw check.fail('openApi() path must be a path starting with "/"');
  if (!AUTHS.includes(r.auth)) throw check.fail('openApi() auth must be "user", "tenant" or "app"');
  const accessToken = check.optString(r.accessToken, 'accessToken');
  const staffId = check.optString(r.staffId, 'staffId');
  if (r.auth === 'user' && !accessToken) throw check.fail('openApi() with auth "user" needs the user\'s accessToken');
  return {
    method,
    path: r.path,
    auth: r.auth,
    accessToken,
    query: r.query,
    json: r.json,
    headers: (token) => ({ authorization: `Bearer ${token}`, ...(staffId ? { 'x-staff-id': staffId } : {}) }),
  };
}
