import { CampusAuthError } from './errors';

/** A JSON object (not array, not null). */
export type JsonObject = Record<string, unknown>;

export function isObject(v: unknown): v is JsonObject {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

/** The body must be a JSON object; otherwise ERR_BAD_RESPONSE naming what was expected. */
export function expectObject(body: unknown, platform: string, what: string, upstreamStatus?: number): JsonObject {
  if (!isObject(body))
    throw new CampusAuthError(
      'ERR_BAD_RESPONSE',
      `${platform}: ${what} is not a JSON object (got ${body === undefined ? 'an empty body' : Array.isArray(body) ? 'an array' : typeof body})`,
      { platform, upstreamStatus },
    );
  return body;
}

/** The computations of an object's lazy fields not read yet (a hidden, non-enumerable field). */
const PENDING = Symbol('campus-passport.lazy');
type Pending = Record<PropertyKey, (() => unknown) | undefined>;

function settle(obj: object, key: PropertyKey, value: unknown): void {
  // what the computation captured is free to go (only the object's own: a read through an object
  // made from it leaves the original lazy)
  if (Object.prototype.hasOwnProperty.call(obj, PENDING)) (obj as { [PENDING]: Pending })[PENDING][key] = undefined;
  Object.defineProperty(obj, key, { value, enumerable: true, configurable: true, writable: true });
}

/**
 * One getter / setter pair per key name, shared by every object: V8 then gives all objects made
 * alike one shape (a pair of its own per object, as closures would make, gives each object a
 * slow shape of its own — and every later read of the object pays for it).
 */
const accessors = new Map<PropertyKey, PropertyDescriptor>();
function accessorFor(key: PropertyKey): PropertyDescriptor {
  let d = accessors.get(key);
  if (!d) {
    d = {
      enumerable: true,
      configurable: true,
      get(this: { [PENDING]: Pending }): unknown {
        const value = this[PENDING][key]?.();
        settle(this, key, value);
        return value;
      },
      set(this: object, value: unknown): void {
        settle(this, key, value);
      },
    };
    accessors.set(key, d);
  }
  return d;
}

/**
 * Give `obj` an own, enumerable `key` computed on first read (then kept as a plain value; writing
 * it first replaces it). For profile fields a login builds but few apps read — a redacted raw
 * answer, a menu tree —: a spread, `JSON.stringify` or `util.inspect` still sees the value.
 */
export function defineLazy<T extends object, K extends keyof T>(obj: T, key: K, compute: () => T[K]): T {
  const pending = (obj as { [PENDING]?: Pending })[PENDING];
  if (pending) pending[key] = compute;
  else Object.defineProperty(obj, PENDING, { value: { [key]: compute }, configurable: true });
  Object.defineProperty(obj, key, accessorFor(key));
  return obj;
}

/** A string field (numbers are stringified); `undefined` when absent or of another type. */
export function optString(obj: JsonObject, key: string): string | undefined {
  const v = obj[key];
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

/** A required string field; missing → ERR_BAD_RESPONSE. */
export function reqString(obj: JsonObject, key: string, platform: string, what: string): string {
  const v = optString(obj, key);
  if (v === undefined || v === '')
    throw new CampusAuthError('ERR_BAD_RESPONSE', `${platform}: ${what} has no "${key}"`, { platform });
  return v;
}

/** A numeric field (numeric strings accepted). */
export function optNumber(obj: JsonObject, key: string): number | undefined {
  const v = obj[key];
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

export function optBoolean(obj: JsonObject, key: string): boolean | undefined {
  const v = obj[key];
  if (typeof v === 'boolean') return v;
  if (v === 1 || v === 'true' || v === '1') return true;
  if (v === 0 || v === 'false' || v === '0') return false;
  return undefined;
}
