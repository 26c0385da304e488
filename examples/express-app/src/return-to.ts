/**
 * `returnTo` validation: only a path on this app (same origin) is accepted. Anything that a browser
 * could read as another origin — `//evil.example`, `https://evil.example`, `/\evil`, `\/evil`,
 * their percent-encoded forms, control characters, over-long values — is refused.
 */
const MAX_LENGTH = 1024;
const BASE = 'http://same-origin.invalid';

function looksLocal(value: string): boolean {
  if (!value.startsWith('/')) return false;
  // "//host" and "/\host" are protocol-relative for browsers; backslashes never appear in our paths
  if (value.startsWith('//') || value.includes('\\')) return false;
  // control characters, spaces (browsers strip tabs/newlines and would then see "//")
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x20\x7f]/.test(value)) return false;
  return true;
}

/** The safe same-origin path for `returnTo`, or undefined when it must be ignored. */
export function safeReturnTo(input: unknown): string | undefined {
  if (typeof input !== 'string' || input === '' || input.length > MAX_LENGTH) return undefined;
  // Check the value and every decoding of it: a later hop (a proxy, a framework) may decode again.
  let current = input;
  for (let i = 0; i < 4; i++) {
    if (!looksLocal(current)) return undefined;
    let decoded: string;
    try {
      decoded = decodeURIComponent(current);
    } catch {
      return undefined;
    }
    if (decoded === current) break;
    current = decoded;
  }
  let url: URL;
  try {
    url = new URL(input, BASE);
  } catch {
    return undefined;
  }
  if (url.origin !== BASE) return undefined;
  const path = `${url.pathname}${url.search}${url.hash}`;
  // never send a user back into a login flow
  if (/^\/(auth|logout)(\/|$)/.test(url.pathname)) return undefined;
  return looksLocal(path) ? path : undefined;
}
