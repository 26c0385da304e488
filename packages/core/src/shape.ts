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

/**
 * Give `obj` an own, enumerable `key` computed on first read (then kept as a plain value; writing
 * it first replaces it). For profile fields a login builds but few apps read — a redacted raw
 * answer, a menu tree —: a spread, `JSON.stringify` or `util.inspect` still sees the value.
 */
export function defineLazy<T extends object, K extends keyof T>(obj: T, key: K, compute: () => T[K]): T {
  const settle = (value: T[K]): void => {
    Object.defineProperty(obj, key, { value, enumerable: true, configurable: true, writable: true });
  };
  Object.defineProperty(obj, key, {
    enumerable: true,
    configurable: true,
    get(): T[K] {
      const value = compute();
      settle(value);
      return value;
    },
    set: settle,
  });
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
