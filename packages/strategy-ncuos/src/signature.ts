/**
 * Request signing, as the GeniusAuth server checks it: every field but `signature` stringified the
 * way Go's `fmt.Sprint` prints what `encoding/json` (with UseNumber) decoded, `appSecret` added,
 * keys sorted in UTF-8 byte order, `k=v` joined with `&`, SHA-256 hex. Pure functions.
 * Sources: ncuhome/GeniusAuthoritarianClient signature/signature.go; ncuhome/GeniusAuthoritarian
 * internal/api/middlewares/app.go (RequireAppSignature).
 */
import { createHash } from 'node:crypto';
import { configError } from '@campus-passport/core/kit';
import { PLATFORM } from './profile';

/** Go compares strings byte by byte (sort.Strings on UTF-8): not JavaScript's UTF-16 order. */
function byteOrder(a: string, b: string): number {
  // without surrogates, UTF-16 code-unit order is code-point order, which is UTF-8 byte order: the
  // strings compare as they are (field names are ASCII); a surrogate pair needs the bytes
  if (!SURROGATE.test(a) && !SURROGATE.test(b)) return a < b ? -1 : a > b ? 1 : 0;
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
const SURROGATE = /[\uD800-\uDFFF]/;

/** A value that can be signed: what the Go server can decode from JSON. */
export type SignableValue = string | number | boolean | null | undefined | SignableValue[] | { [k: string]: SignableValue };

/**
 * Stringify one value the way the server does: Go's `fmt.Sprint` of what `encoding/json` (with
 * UseNumber) decoded. Strings as they are; numbers as their JSON text (`1`, `1.5`, `1e+21`);
 * booleans `true`/`false`; null `<nil>`; arrays `[a b]`; objects `map[k1:v1 k2:v2]` (keys sorted).
 */
export function stringifyForSignature(value: SignableValue): string {
  if (value === null || value === undefined) return '<nil>';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw configError(PLATFORM, 'a signed field must be a finite number');
    return String(value);
  }
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (Array.isArray(value)) return `[${value.map(stringifyForSignature).join(' ')}]`;
  const keys = Object.keys(value).sort(byteOrder);
  return `map[${keys.map((k) => `${k}:${stringifyForSignature(value[k])}`).join(' ')}]`;
}

/**
 * The exact string that is hashed: every field except `signature` stringified, `appSecret` added,
 * keys sorted (UTF-8 byte order, as Go's sort.Strings), `k=v` joined with `&`. Fields that are
 * undefined or null are left out (they are not sent either).
 */
export function signatureBase(fields: Record<string, SignableValue>, appSecret: string): string {
  const map: Record<string, string> = { appSecret };
  for (const [k, v] of Object.entries(fields)) {
    if (k === 'signature' || k === 'appSecret' || v === undefined || v === null) continue;
    map[k] = stringifyForSignature(v);
  }
  return Object.keys(map)
    .sort(byteOrder)
    .map((k) => `${k}=${map[k]}`)
    .join('&');
}

/**
 * Sign a request's fields: adds `appCode` and `timeStamp` (unix seconds of `now`, epoch ms), then
 * `signature` = SHA-256 hex of `signatureBase`. Returns the fields to send (without null/undefined).
 */
export function signParams(
  fields: Record<string, SignableValue>,
  appCode: string,
  appSecret: string,
  now: number = Date.now(),
): Record<string, SignableValue> {
  if ('appSecret' in fields) throw configError(PLATFORM, '"appSecret" is never sent as a field');
  const out: Record<string, SignableValue> = {};
  for (const [k, v] of Object.entries(fields)) if (v !== undefined && v !== null && k !== 'signature') out[k] = v;
  out.appCode = appCode;
  out.timeStamp = Math.floor(now / 1000);
  out.signature = createHash('sha256').update(signatureBase(out, appSecret)).digest('hex');
  return out;
}

/** Signed fields as a query string's values (GET / DELETE): each stringified as it was signed. */
export function signedQuery(signed: Record<string, SignableValue>): Record<string, string> {
  const query: Record<string, string> = {};
  for (const [k, v] of Object.entries(signed)) query[k] = stringifyForSignature(v);
  return query;
}
