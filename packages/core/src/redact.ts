/**
 * Secret redaction. Everything core puts into an error (message, excerpt, cause, stack, JSON)
 * passes through here, so a client secret in a token URL or a token in a body never reaches a log.
 */

/** Parameter / field / header names whose values are secrets. */
export const SECRET_KEY_PATTERN =
  /^(client_secret|clientsecret|app_secret|appsecret|secret|password|passwd|pwd|signature|sign|authorization|proxy-authorization|cookie|set-cookie|stoken|code_verifier|refresh|[a-z_-]*token)$/i;

export const REDACTED = '[REDACTED]';

/** True when a field / parameter / header of this name carries a secret. */
export function isSecretKey(key: string): boolean {
  return SECRET_KEY_PATTERN.test(key);
}

const KEY_SRC =
  '(?:client_secret|clientSecret|app_secret|appSecret|secret|password|passwd|signature|stoken|code_verifier|refresh|[A-Za-z_-]*[Tt]oken)';
// key=value in a query string or form body
const QUERY_RE = new RegExp(`([?&;\\s]|^)(${KEY_SRC})=([^&#\\s"']*)`, 'g');
// "key": "value" / 'key': 'value' / key: value in JSON or JS-ish text
const JSON_RE = new RegExp(`(["']?)(${KEY_SRC})\\1(\\s*:\\s*)("(?:[^"\\\\]|\\\\.)*"|'[^']*'|[^,}\\s]+)`, 'g');
// Authorization: Bearer xxx / token xxx
const AUTH_RE = /\b(authorization|proxy-authorization)(["']?\s*[:=]\s*["']?)(?:(bearer|token|basic)\s+)?[^\s"',}]+/gi;
const BEARER_RE = /\b(Bearer|token)\s+[A-Za-z0-9._~+/=-]{16,}/g;

/** Minimum length of a known secret value that is scrubbed wherever it appears. */
const MIN_SECRET_LEN = 4;

/**
 * Redact secrets from free text: key=value pairs, JSON fields, Authorization headers, and every
 * exact occurrence of the known secret `values` (e.g. the client secret the caller configured).
 */
export function redactText(text: string, values: Iterable<string> = []): string {
  let out = text;
  for (const v of values) {
    if (typeof v !== 'string' || v.length < MIN_SECRET_LEN) continue;
    out = out.split(v).join(REDACTED);
    const enc = encodeURIComponent(v);
    if (enc !== v) out = out.split(enc).join(REDACTED);
  }
  out = out.replace(QUERY_RE, (_m, pre: string, key: string) => `${pre}${key}=${REDACTED}`);
  out = out.replace(
    JSON_RE,
    (_m, q: string, key: string, sep: string, value: string) =>
      `${q}${key}${q}${sep}${value.startsWith('"') ? `"${REDACTED}"` : REDACTED}`,
  );
  out = out.replace(
    AUTH_RE,
    (_m, key: string, sep: string, scheme?: string) => `${key}${sep}${scheme ? `${scheme} ` : ''}${REDACTED}`,
  );
  out = out.replace(BEARER_RE, (_m, scheme: string) => `${scheme} ${REDACTED}`);
  return out;
}

/** Redact a URL: secret query parameters and userinfo. Unparseable input is treated as text. */
export function redactUrl(url: string, values: Iterable<string> = []): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = REDACTED;
    for (const key of [...u.searchParams.keys()]) {
      if (isSecretKey(key)) u.searchParams.set(key, REDACTED);
    }
    return redactText(u.toString().replace(/%5BREDACTED%5D/g, REDACTED), values);
  } catch {
    return redactText(url, values);
  }
}

/** Deep-copy a value with every secret field replaced. */
export function redactValue(value: unknown, values: Iterable<string> = [], depth = 0): unknown {
  if (depth > 8) return '[…]';
  if (typeof value === 'string') return redactText(value, values);
  if (Array.isArray(value)) return value.map((v) => redactValue(v, values, depth + 1));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      out[k] = isSecretKey(k) && v != null && v !== '' ? REDACTED : redactValue(v, values, depth + 1);
    }
    return out;
  }
  return value;
}

const SCHEME_RE = /^(?:bearer|token|basic)\s+(.+)$/i;

/** isSecretKey, remembered per name (clients send the same few field names on every call). */
const secretKeyCache = new Map<string, boolean>();
function secretKeyCached(key: string): boolean {
  let hit = secretKeyCache.get(key);
  if (hit === undefined) {
    hit = SECRET_KEY_PATTERN.test(key);
    // bounded: names past the cap are simply tested every time
    if (secretKeyCache.size < 1024) secretKeyCache.set(key, hit);
  }
  return hit;
}

/** Collect the secret values of a request (query, form/JSON fields, headers) for scrubbing. */
export function collectSecrets(...sources: Array<unknown>): string[] {
  const found = new Set<string>();
  const add = (s: unknown): void => {
    if (typeof s !== 'string' && typeof s !== 'number') return;
    const str = String(s);
    found.add(str);
    // "Bearer abc" → also the bare credential
    const m = SCHEME_RE.exec(str);
    if (m) found.add(m[1]);
  };
  const walk = (v: unknown, depth: number): void => {
    if (!v || typeof v !== 'object' || depth > 6) return;
    const obj = v as Record<string, unknown>;
    for (const k of Object.keys(obj)) {
      const val = obj[k];
      if (secretKeyCached(k)) {
        if (Array.isArray(val)) for (const s of val) add(s);
        else add(val);
      } else if (val && typeof val === 'object') walk(val, depth + 1);
    }
  };
  for (const s of sources) walk(s, 0);
  return [...found];
}

/**
 * Secret values gathered only when something iterates them — when an error is built — and then
 * remembered: a call's success path never walks its request for them.
 */
export function lazySecrets(gather: () => Iterable<string>): Iterable<string> {
  return new LazySecrets(gather);
}

class LazySecrets implements Iterable<string> {
  private list?: string[];

  constructor(private readonly gather: () => Iterable<string>) {}

  [Symbol.iterator](): Iterator<string> {
    return (this.list ??= [...this.gather()])[Symbol.iterator]();
  }
}

/** Shorten text for an error excerpt (after redaction). */
export function excerpt(text: string, max = 200): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}
