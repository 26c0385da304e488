import { randomBytes } from 'node:crypto';
import type { ConfiguredPlatform, PlatformWiring } from './platforms/types';

/** The environment as the app reads it (process.env, or a plain object in tests). */
export type Env = Record<string, string | undefined>;

/** Bad configuration: startup stops with this message, which always names the variable. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
  }
}

/** One platform as the app shows it: configured (real or emulated) or not configured. */
export interface PlatformEntry {
  wiring: PlatformWiring;
  /** Undefined when the platform is not configured: it shows as "not configured". */
  configured?: ConfiguredPlatform;
}

export interface AppConfig {
  /** The app's public origin (PUBLIC_URL), used for absolute callback URLs. Optional. */
  publicURL?: string;
  /** Secret that signs the session cookie. */
  sessionSecret: string;
  /** True when SESSION_SECRET was not set and a random one was made for this process. */
  sessionSecretGenerated: boolean;
  /** Express' `trust proxy` (TRUST_PROXY): false, true, a hop count, or a list of addresses. */
  trustProxy: boolean | number | string;
  /** REDIS_URL: sessions go to Redis when set, else to the in-memory store. */
  redisURL?: string;
  /** Session cookie lifetime, ms (SESSION_MAX_AGE in seconds). */
  sessionMaxAge: number;
  /** Name of the session cookie. */
  sessionCookieName: string;
  /** pino level (LOG_LEVEL). */
  logLevel: string;
  platforms: PlatformEntry[];
}

export interface ServerConfig {
  port: number;
  host: string;
  /** Embedded emulators on their fixed ports 4101–4105 ('fixed', default) or on free ports ('free'). */
  emulatorPorts: 'fixed' | 'free';
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** Trimmed value, or undefined when unset or blank. */
export function envValue(env: Env, name: string): string | undefined {
  const v = env[name];
  if (v === undefined) return undefined;
  const t = v.trim();
  return t === '' ? undefined : t;
}

/** A required variable of a platform that is being configured. */
export function requireEnv(env: Env, name: string, why: string): string {
  const v = envValue(env, name);
  if (v === undefined) throw new ConfigError(name, `is required ${why}`);
  return v;
}

/** An http(s) URL (no trailing slash) or undefined. */
export function envURL(env: Env, name: string): string | undefined {
  const v = envValue(env, name);
  if (v === undefined) return undefined;
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    throw new ConfigError(name, 'must be an absolute http(s) URL');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new ConfigError(name, 'must be an absolute http(s) URL');
  if (u.username || u.password) throw new ConfigError(name, 'must not contain a user name or password');
  return v.replace(/\/+$/, '');
}

/** A whole number in a range, or the default. */
export function envInt(env: Env, name: string, def: number, min: number, max: number): number {
  const v = envValue(env, name);
  if (v === undefined) return def;
  if (!/^\d+$/.test(v)) throw new ConfigError(name, `must be a whole number between ${min} and ${max}`);
  const n = Number(v);
  if (n < min || n > max) throw new ConfigError(name, `must be a whole number between ${min} and ${max}`);
  return n;
}

/** One of a fixed list, or the default. */
export function envEnum<T extends string>(env: Env, name: string, values: readonly T[], def: T): T {
  const v = envValue(env, name);
  if (v === undefined) return def;
  if (!(values as readonly string[]).includes(v)) throw new ConfigError(name, `must be one of ${values.join(', ')}`);
  return v as T;
}

/** True when any of these variables is set (the platform is meant to be configured). */
export function anySet(env: Env, names: readonly string[]): boolean {
  return names.some((n) => envValue(env, n) !== undefined);
}

function parseTrustProxy(env: Env): boolean | number | string {
  const v = envValue(env, 'TRUST_PROXY');
  if (v === undefined || v === 'false' || v === '0') return false;
  if (v === 'true') return true;
  if (/^\d+$/.test(v)) return Number(v);
  // Express accepts 'loopback', 'uniquelocal', addresses and CIDRs, comma-separated
  if (!/^[\w.:/, -]+$/.test(v)) throw new ConfigError('TRUST_PROXY', 'must be true, false, a hop count, or addresses/subnets');
  return v;
}

/** The server's own settings (PORT, HOST). */
export function loadServerConfig(env: Env): ServerConfig {
  return {
    port: envInt(env, 'PORT', 3000, 0, 65535),
    host: envValue(env, 'HOST') ?? '127.0.0.1',
    emulatorPorts: envEnum(env, 'EMULATOR_PORTS', ['fixed', 'free'] as const, 'fixed'),
  };
}

/**
 * Read and validate the whole configuration. Throws ConfigError naming the variable on anything
 * wrong; a platform none of whose variables is set is simply "not configured".
 */
export function loadConfig(env: Env, wirings: readonly PlatformWiring[]): AppConfig {
  const secret = envValue(env, 'SESSION_SECRET');
  if (secret !== undefined && secret.length < 32) throw new ConfigError('SESSION_SECRET', 'must be at least 32 characters long');
  const publicURL = envURL(env, 'PUBLIC_URL');
  if (publicURL !== undefined && new URL(publicURL).pathname !== '/')
    throw new ConfigError('PUBLIC_URL', 'must be an origin only (https://app.example.edu), without a path');
  const redisURL = envValue(env, 'REDIS_URL');
  if (redisURL !== undefined && !/^rediss?:\/\/./.test(redisURL))
    throw new ConfigError('REDIS_URL', 'must be a redis:// or rediss:// URL');
  const logLevel = envValue(env, 'LOG_LEVEL') ?? 'info';
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}`);
  const cookieName = envValue(env, 'SESSION_COOKIE_NAME') ?? 'campus.sid';
  if (!/^[\w.-]{1,64}$/.test(cookieName))
    throw new ConfigError('SESSION_COOKIE_NAME', 'must be letters, digits, ".", "_" or "-"');
  return {
    publicURL,
    sessionSecret: secret ?? randomBytes(32).toString('base64url'),
    sessionSecretGenerated: secret === undefined,
    trustProxy: parseTrustProxy(env),
    redisURL,
    sessionMaxAge: envInt(env, 'SESSION_MAX_AGE', 8 * 3600, 60, 90 * 86400) * 1000,
    sessionCookieName: cookieName,
    logLevel,
    // a platform none of whose variables is set stays "not configured"
    platforms: wirings.map((wiring) => ({
      wiring,
      configured: anySet(
        env,
        wiring.env.map((v) => v.name),
      )
        ? wiring.fromEnv(env)
        : undefined,
    })),
  };
}

/** true / false (also 1 / 0, yes / no), or the default. */
export function envBool(env: Env, name: string, def: boolean): boolean {
  const v = envValue(env, name)?.toLowerCase();
  if (v === undefined) return def;
  if (['true', '1', 'yes', 'on'].includes(v)) return true;
  if (['false', '0', 'no', 'off'].includes(v)) return false;
  throw new ConfigError(name, 'must be true or false');
}
