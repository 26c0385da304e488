/**
 * What the GeniusAuth server's web framework does around its handlers, reproduced for the emulator:
 * gin 1.10 under gin.Default (go.mod; internal/router/*.go in ncuhome/GeniusAuthoritarian) and the
 * SPA served by GinWebServe — the client IP, the Content-Type, c.JSON's escaping, c.ShouldBind's
 * binding by method and Content-Type, tools.ShouldBindReused (internal/tools/api.go), and the
 * router: case-sensitive, strict about the trailing slash, RedirectTrailingSlash, HEAD / OPTIONS
 * without a route, the SPA for any other GET.
 */
import { isIP } from 'node:net';
import express, { type Express, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { rawBody } from '../../kit';
import { BindError, bindForm, bindJson, goMarshal, parseGoQuery, type Bound, type GoField, type GoValue } from './gojson';

export function normalizeIp(ip: string | undefined): string {
  if (!ip) return '';
  return ip.startsWith('::ffff:') ? ip.slice(7) : ip;
}

/** gin's c.ClientIP() under gin.Default() (every proxy trusted): X-Forwarded-For, X-Real-IP, then the peer. */
export function ginClientIp(req: Request): string {
  for (const name of ['x-forwarded-for', 'x-real-ip']) {
    const header = req.headers[name];
    if (typeof header !== 'string' || header === '') continue;
    const items = header.split(',').map((s) => s.trim());
    if (items.every((s) => isIP(s) !== 0)) return items[0];
  }
  return normalizeIp(req.socket.remoteAddress);
}

/** gin's c.ContentType(): the header up to the first space or `;`, case kept. */
function ginContentType(req: Request): string {
  const ct = req.headers['content-type'] ?? '';
  const cut = ct.search(/[ ;]/);
  return cut === -1 ? ct : ct.slice(0, cut);
}

/** The query string exactly as received (Go parses it itself: see parseGoQuery). */
export function rawQueryOf(req: Request): string {
  const q = req.originalUrl.indexOf('?');
  return q === -1 ? '' : req.originalUrl.slice(q + 1);
}

/** c.JSON: encoding/json escapes <, >, & and U+2028/9 (goMarshal). */
export function goJson(res: Response, status: number, body: unknown): void {
  res.status(status).type('application/json; charset=utf-8').send(goMarshal(body));
}

/**
 * c.ShouldBind: the binding chosen by method and Content-Type (gin binding.Default). `body` is the
 * JSON body as decoded (the signature check decodes it first). Throws BindError.
 */
export function shouldBind(req: Request, body: GoValue, fields: GoField[]): Bound {
  const ct = req.method === 'GET' ? '' : ginContentType(req); // GET always binds the form (the query)
  if (ct === 'application/json') return bindJson(body, fields);
  if (ct === 'application/x-yaml' || ct === 'application/yaml') return bindJson(body, fields, 'yaml'); // JSON is YAML; yaml.v3 keys are lower-cased field names
  // XML, protobuf, TOML and multipart cannot decode the JSON body the signature required
  // (msgpack is not among them: Dockerfile.core builds with -tags nomsgpack, so it falls to Form)
  if (['application/xml', 'text/xml', 'application/x-protobuf', 'application/toml', 'multipart/form-data'].includes(ct))
    throw new BindError(`${ct} binding of a JSON body`);
  // binding.Form: req.ParseForm — an urlencoded body (Content-Type parsed case-insensitively), then the query
  const values = new Map<string, string[]>();
  const bodyForm =
    req.method !== 'GET' &&
    (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase() === 'application/x-www-form-urlencoded';
  const parts = [bodyForm ? parseGoQuery(rawBody(req)) : undefined, parseGoQuery(rawQueryOf(req))];
  for (const p of parts) {
    if (!p) continue;
    if (p.error) throw new BindError(p.error);
    for (const [k, vs] of p.values) values.set(k, [...(values.get(k) ?? []), ...vs]);
  }
  return bindForm(values, fields);
}

/** tools.ShouldBindReused: JSON from the signed body (any Content-Type), else the query (form tags). Throws BindError. */
export function shouldBindReused(signed: { body?: GoValue; query?: Map<string, string[]> }, fields: GoField[]): Bound {
  return signed.body !== undefined ? bindJson(signed.body, fields) : bindForm(signed.query ?? new Map(), fields);
}

export type Method = 'get' | 'post' | 'patch' | 'delete';

export interface GinRoutes {
  /** A route of the server's gin engine (one RedirectTrailingSlash knows). */
  route(method: Method, path: string, ...handlers: RequestHandler[]): void;
  /** A page only the emulator has (the login page standing for the SPA): GET, no trailing-slash redirect. */
  page(path: string, handler: RequestHandler): void;
}

/**
 * Mount the routes `define` declares as gin would serve them; `spa` is the HTML GinWebServe answers
 * for a GET no route takes.
 */
export function ginEngine(app: Express, spa: string, define: (routes: GinRoutes) => void): void {
  // gin answers HEAD / OPTIONS on no route (GinWebServe serves GET only): 404 text
  app.use((req: Request, res: Response, next: NextFunction) => {
    if (req.method === 'HEAD' || req.method === 'OPTIONS')
      return void res.status(404).type('text/plain').send('404 page not found');
    next();
  });

  /** gin routes are case-sensitive and strict about the trailing slash. */
  const router = express.Router({ strict: true, caseSensitive: true });
  const table: Array<{ method: string; re: RegExp }> = [];
  define({
    route(method, path, ...handlers) {
      table.push({
        method: method.toUpperCase(),
        re: new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:[A-Za-z]+/g, '[^/]+')}$`),
      });
      router[method](path, ...handlers);
    },
    page: (path, handler) => void router.get(path, handler),
  });
  app.use(router);

  // ---- no route (gin.Default + GinWebServe): trailing-slash redirect, else the SPA for GET, else 404 text
  app.use((req: Request, res: Response) => {
    const p = req.path;
    const alt = p.length > 1 && p.endsWith('/') ? p.slice(0, -1) : `${p}/`;
    if (table.some((r) => r.method === req.method && r.re.test(alt))) {
      // RedirectTrailingSlash: 301 for GET, 307 otherwise, the query kept
      const q = rawQueryOf(req);
      res.redirect(req.method === 'GET' ? 301 : 307, q ? `${alt}?${q}` : alt);
      return;
    }
    if (req.method === 'GET') return void res.status(200).type('text/html').send(spa); // GinWebServe: index.html
    res.status(404).type('text/plain').send('404 page not found');
  });
}
