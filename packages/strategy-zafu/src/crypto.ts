import { createCipheriv, createDecipheriv } from 'node:crypto';
import { configError } from '@campus-passport/core/kit';
import { PLATFORM } from './profile';

/**
 * The AES settings of `scanRecord`'s `idCard`. The platform publishes only "AES, appId left-padded
 * with '0' to 16 characters as the key"; mode, padding and output encoding are NOT published, so
 * they are options. Default: AES-128-ECB, PKCS#7 padding, Base64 output (the usual Java
 * `AES/ECB/PKCS5Padding` + Base64 of Chinese campus platforms).
 */
export interface ZafuAesOptions {
  /** Block mode. Default 'ecb'. */
  mode?: 'ecb' | 'cbc';
  /** Output encoding of the ciphertext. Default 'base64'. */
  encoding?: 'base64' | 'hex';
  /** CBC only: the 16-character IV. Default: the key itself (a common Java habit). */
  iv?: string;
}

/** The AES-128 key: the appId left-padded with '0' to 16 characters (appId '01' → '0000000000000001'). */
export function zafuAesKey(appId: string): Buffer {
  if (typeof appId !== 'string' || appId === '') throw configError(PLATFORM, 'appId is needed to encrypt idCard');
  const key = Buffer.from(appId.padStart(16, '0'), 'utf8');
  if (key.length !== 16) throw configError(PLATFORM, 'appId must be at most 16 ASCII characters to serve as the AES-128 key');
  return key;
}

function cipherParams(appId: string, options: ZafuAesOptions): { algo: string; key: Buffer; iv: Buffer | null } {
  const key = zafuAesKey(appId);
  const mode = options.mode ?? 'ecb';
  if (mode === 'ecb') return { algo: 'aes-128-ecb', key, iv: null };
  if (mode !== 'cbc') throw configError(PLATFORM, `aes.mode must be 'ecb' or 'cbc'`);
  const iv = options.iv === undefined ? key : Buffer.from(options.iv, 'utf8');
  if (iv.length !== 16) throw configError(PLATFORM, 'aes.iv must be 16 bytes');
  return { algo: 'aes-128-cbc', key, iv };
}

/** Encrypt `plain` (e.g. an idCard number) the way `scanRecord` sends it. */
export function encryptIdCard(plain: string, appId: string, options: ZafuAesOptions = {}): string {
  const { algo, key, iv } = cipherParams(appId, options);
  const cipher = createCipheriv(algo, key, iv); // PKCS#7 padding is node's default
  return Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]).toString(options.encoding ?? 'base64');
}

/** The inverse of {@link encryptIdCard} (the emulator uses it; handy for checking vectors). */
export function decryptIdCard(encrypted: string, appId: string, options: ZafuAesOptions = {}): string {
  const { algo, key, iv } = cipherParams(appId, options);
  const decipher = createDecipheriv(algo, key, iv);
  const data = Buffer.from(encrypted, options.encoding ?? 'base64');
  return Buffer.concat([decipher.update(data), decipher.final()]).toString('utf8');
}
