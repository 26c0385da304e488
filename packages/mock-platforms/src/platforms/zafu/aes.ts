/**
 * scanrecord's idCard cipher. seed §POST /api/scanrecord.jhtm: AES, the key is the appId
 * left-padded with '0' to 16 characters (appid = 01 → 0000000000000001); unconfirmed: mode,
 * padding and encoding (default ECB + PKCS#7 + Base64; the emulator's `aes` option).
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';

/** How the idCard is encrypted (the platform does not publish it). */
export interface ZafuAesSettings {
  mode?: 'ecb' | 'cbc';
  encoding?: 'base64' | 'hex';
  /** CBC only; default the key itself. */
  iv?: string;
}

// seed §scanrecord.jhtm: AES, key = appId left-padded with '0' to 16; unconfirmed: mode, padding, encoding (`aes` option)
function cipherOf(appId: string, aes: ZafuAesSettings): { algo: string; key: Buffer; iv: Buffer | null } {
  const key = Buffer.from(appId.padStart(16, '0'), 'utf8'); // seed §scanrecord.jhtm: appId 向前补0到16位
  const iv = aes.mode === 'cbc' ? (aes.iv ? Buffer.from(aes.iv, 'utf8') : key) : null;
  return { algo: aes.mode === 'cbc' ? 'aes-128-cbc' : 'aes-128-ecb', key, iv };
}

/** Encrypt like a well-behaved client would (for tests and the demo): AES-128, appId-derived key. */
export function zafuEncryptIdCard(plain: string, appId: string, aes: ZafuAesSettings = {}): string {
  const { algo, key, iv } = cipherOf(appId, aes);
  const c = createCipheriv(algo, key, iv);
  return Buffer.concat([c.update(plain, 'utf8'), c.final()]).toString(aes.encoding ?? 'base64');
}

/** What the platform decrypts from a sent idCard; undefined when it does not decrypt. */
export function zafuDecryptIdCard(encrypted: string, appId: string, aes: ZafuAesSettings = {}): string | undefined {
  try {
    const { algo, key, iv } = cipherOf(appId, aes);
    if (key.length !== 16) return undefined;
    const d = createDecipheriv(algo, key, iv);
    return Buffer.concat([d.update(Buffer.from(encrypted, aes.encoding ?? 'base64')), d.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}
