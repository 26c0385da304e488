/**
 * The emulator kit: what every platform emulator needs besides its own platform — a single-use
 * credential store with expiry on the emulator's clock, one parameter reader, the local-redirect
 * rule, URL helpers, random credentials and the login-page shell. Each emulator then holds only
 * its platform's routes, envelopes and codes.
 */
import { randomBytes } from 'node:crypto';
import type { Request } from 'express';
import { escapeHtml, rawBody } from './harness';

/** A fresh random credential (URL-safe), optionally prefixed. */
export function randomCredential(prefix = '', bytes = 24): string {
  return `${prefix}${randomBytes(bytes).toString('base64url')}`;
}

/**
 * Single-use credentials (codes, login tokens, stokens) that expire on the emulator's clock. Every
 * emulator mints a credential a user would get with `mint()` and the platform's exchange consumes
 * it with `take()`.
 */
export class CredentialStore<T> {
  private readonly entries = new Map<string, { data: T; exp: number }>();

  /**
   * @param now the emulator clock (epoch ms)
   * @param ttl lifetime of a credential, ms
   */
  constructor(
    private readonly now: () => number,
    readonly ttl: number,
  ) {}

  /** Store `data` under a new credential (or the one given) and return it. */
  mint(data: T, options: { credential?: string; ttl?: number; prefix?: string } = {}): string {
    this.prune();
    const credential = options.credential ?? randomCredential(options.prefix);
    this.entries.set(credential, { data, exp: this.now() + (options.ttl ?? this.ttl) });
    return credential;
  }

  /**
   * Use a credential up: its data, or `'expired'` (kept so that a late retry hears "expired"
   * again, as platforms answer), or `undefined` when unknown or already used.
   */
  take(credential: string | undefined): T | 'expired' | undefined {
    const hit = this.peek(credential);
    if (hit !== undefined && hit !== 'expired' && credential !== undefined) this.entries.delete(credential);
    return hit;
  }

  /** Read a credential without using it up (for platforms whose credential is not single-use). */
  peek(credential: string | undefined): T | 'expired' | undefined {
    if (credential === undefined) return undefined;
    const entry = this.entries.get(credential);
    if (!entry) return undefined;
    return entry.exp <= this.now() ? 'expired' : entry.data;
  }

  /** When a credential expires (epoch ms on the emulator clock), if it is known. */
  expiresAt(credential: string): number | undefined {
    return this.entries.get(credential)?.exp;
  }

  /** Drop entries that expired more than one lifetime ago (memory stays bounded). */
  private prune(): void {
    const horizon = this.now() - this.ttl;
    for (const [k, v] of this.entries) if (v.exp <= horizon) this.entries.delete(k);
  }

  /** Forget a credential (logout, revocation). */
  delete(credential: string): boolean {
    return this.entries.delete(credential);
  }

  get size(): number {
    return this.entries.size;
  }

  clear(): void {
    this.entries.clear();
  }
}

/** Where a parameter may come from. */
export type ParamSource = 'query' | 'body';

/**
 * One parameter as a string: the first string value found in the sources, in order (query, then
 * body, by default). A repeated parameter yields its first value; numbers and booleans in a JSON
 * body are stringified.
 */
export function param(req: Request, name: string, from: readonly ParamSource[] = ['query', 'body']): string | undefined {
  for (const source of from) {
    const bag = source === 'query' ? req.query : req.body;
    if (!bag || typeof bag !== 'object' || Array.isArray(bag)) continue;
    const raw = (bag as Record<string, unknown>)[name];
    const first = Array.isArray(raw) ? raw[0] : raw;
    if (typeof first === 'string') return first;
    if (source === 'body' && (typeof first === 'number' || typeof first === 'boolean')) return String(first);
  }
  return undefined;
}

/** Every parameter (first value each) of the given sources, earlier sources winning. */
export function params(req: Request, from: readonly ParamSource[] = ['query', 'body']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const source of from) {
    const bag = source === 'query' ? req.query : req.body;
    if (!bag || typeof bag !== 'object' || Array.isArray(bag)) continue;
    for (const k of Object.keys(bag as object))
      if (!(k in out)) {
        const v = param(req, k, [source]);
        if (v !== undefined) out[k] = v;
      }
  }
  return out;
}

/**
 * The emulators' redirect rule: send a browser back only to an app on this machine
 * (http(s)://localhost or 127.0.0.1, any port), unless the emulator was given a list of
 * registered URLs.
 */
export function isLocalRedirect(uri: string, allowed?: readonly string[]): boolean {
  let u: URL;
  try {
    u = new URL(uri);
  } catch {
    return false;
  }
  if (allowed) return allowed.includes(uri) || allowed.includes(`${u.origin}${u.pathname}`);
  return (u.protocol === 'http:' || u.protocol === 'https:') && (u.hostname === 'localhost' || u.hostname === '127.0.0.1');
}

/** Set query parameters on a URL (undefined values are left out), keeping its fragment. */
export function withQuery(uri: string, values: Record<string, string | undefined>): string {
  const u = new URL(uri);
  for (const [k, v] of Object.entries(values)) if (v !== undefined) u.searchParams.set(k, v);
  return u.toString();
}

/** One choice on a login page: a seeded test user. */
export interface LoginChoice {
  /** Submitted as `user`. */
  value: string;
  /** What the button says. */
  label: string;
}

export interface LoginPageOptions {
  /** The platform's name, as its own page shows it (e.g. 杭电助手). */
  platform: string;
  /** The page's heading after the platform name (default 授权登录). */
  heading?: string;
  /** Where the form posts. */
  action: string;
  /** Hidden fields carried through the form (undefined ones are left out). */
  hidden?: Record<string, string | undefined>;
  users: readonly LoginChoice[];
  /** The deny button's label; none when undefined. */
  deny?: string;
  /** Extra HTML under the heading (already escaped). */
  note?: string;
  /** Form method (default post). */
  method?: 'get' | 'post';
}

/** What marks an emulator page: in its title, its heading and its banner. */
export const MOCK_MARK = '（模拟）';

/**
 * The one stylesheet of every emulator page (login pages, portals, error pages, SPA shells), so
 * that the five emulators look like one family and never like the real platforms.
 */
export const EMULATOR_CSS = `
:root{color-scheme:light;--mock:#b45309;--mock-bg:#fff7e6;--line:#e5e7eb;--ink:#1f2937;--muted:#6b7280;--accent:#2563eb}
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif;max-width:38rem;margin:0 auto;padding:0 1rem 3rem;color:var(--ink);line-height:1.55;background:#fafafa}
.mock-banner{margin:0 -1rem 1.5rem;padding:.55rem 1rem;background:repeating-linear-gradient(135deg,var(--mock-bg) 0 12px,#fdecc8 12px 24px);border-bottom:2px solid var(--mock);color:var(--mock);font-size:.9rem;font-weight:600}
.mock-banner small{display:block;font-weight:400;color:#92400e}
main{background:#fff;border:1px solid var(--line);border-radius:10px;padding:1.2rem 1.4rem}
h1{font-size:1.3rem;margin:.2rem 0 1rem}
h2{font-size:1.05rem;margin:1.2rem 0 .4rem}
p{margin:.5rem 0}
code{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.9em;background:#f3f4f6;padding:.05rem .3rem;border-radius:4px}
form{margin:.8rem 0 0}
button,a.user{display:block;width:100%;margin:.4rem 0;padding:.7rem .9rem;font:inherit;font-size:1rem;text-align:left;color:var(--ink);background:#fff;border:1px solid #d1d5db;border-radius:8px;text-decoration:none;cursor:pointer}
button:hover,a.user:hover{border-color:var(--accent);background:#eff6ff}
button[name=deny]{color:#b91c1c;border-color:#fecaca;text-align:center}
.error,.error-code{color:#b91c1c}
`;

/** A small icon (inline, so a browser asks the emulator for no /favicon.ico): 模 on amber. */
const EMULATOR_ICON = `data:image/svg+xml,${encodeURIComponent(
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#b45309"/><text x="16" y="23" font-size="19" text-anchor="middle" fill="#fff" font-family="sans-serif">模</text></svg>',
)}`;

/** The banner on top of every emulator page. */
const BANNER = `<p class="mock-banner" data-mock-banner role="note">${MOCK_MARK}本页由 campus-passport 的本地模拟平台提供，不是真实平台的页面；这里只有测试用户，不要输入真实的账号或密码。<small>Local emulator — not the real platform. Test users only.</small></p>`;

/** A title carrying the （模拟） mark once. */
function marked(title: string): string {
  return title.includes(MOCK_MARK) ? title : `${title}${MOCK_MARK}`;
}

/**
 * The page shell of every emulator page: the （模拟） mark in the title and the heading, the
 * banner, and the one stylesheet. `body` is HTML (already escaped).
 */
export function page(title: string, body: string): string {
  const t = escapeHtml(marked(title));
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex"><title>${t}</title>
<link rel="icon" href="${EMULATOR_ICON}"><style>${EMULATOR_CSS}</style>
</head><body>${BANNER}<main><h1>${t}</h1>${body}</main></body></html>`;
}

/** The login-page shell every emulator uses: pick a seeded user, or refuse. */
export function loginPage(o: LoginPageOptions): string {
  const hidden = Object.entries(o.hidden ?? {})
    .filter((e): e is [string, string] => e[1] !== undefined)
    .map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`)
    .join('');
  const buttons = o.users
    .map(
      (u) =>
        `<button type="submit" name="user" value="${escapeHtml(u.value)}" data-user="${escapeHtml(u.value)}">${escapeHtml(u.label)}</button>`,
    )
    .join('');
  const deny = o.deny ? `<button type="submit" name="deny" value="1" data-deny="1">${escapeHtml(o.deny)}</button>` : '';
  return page(
    `${o.platform} · ${o.heading ?? '授权登录'}`,
    `${o.note ?? '<p>选择一个测试用户登录（本地模拟平台）</p>'}<form method="${o.method ?? 'post'}" action="${escapeHtml(o.action)}">${hidden}${buttons}${deny}</form>`,
  );
}

export { escapeHtml, rawBody };
