import { createCipheriv } from 'node:crypto';
import { zafuDecryptIdCard, zafuEncryptIdCard } from '@campus-passport/mock-platforms/zafu';
import { decryptIdCard, encryptIdCard, zafuAesKey } from '../src';

const ID = '33010219900307123X';

/** An independent reference: node:crypto directly, key written out by hand. */
function reference(plain: string, key: string, algo: string, iv: string | null, enc: 'base64' | 'hex'): string {
  const c = createCipheriv(algo, Buffer.from(key, 'utf8'), iv === null ? null : Buffer.from(iv, 'utf8'));
  return Buffer.concat([c.update(plain, 'utf8'), c.final()]).toString(enc);
}

describe('scanRecord idCard AES', () => {
  it('the key is the appId left-padded with 0 to 16 characters', () => {
    expect(zafuAesKey('01').toString('utf8')).toBe('0000000000000001');
    expect(zafuAesKey('app42').toString('utf8')).toBe('00000000000app42');
    expect(zafuAesKey('1234567890abcdef').toString('utf8')).toBe('1234567890abcdef');
    expect(() => zafuAesKey('1234567890abcdefg')).toThrow(/at most 16/);
    expect(() => zafuAesKey('')).toThrow(/appId/);
  });

  it('fixed literal vector: AES-128-ECB, PKCS#7, Base64, appId "01"', () => {
    // computed once with `openssl enc -aes-128-ecb -K 30303030303030303030303030303031 | base64`
    expect(encryptIdCard(ID, '01')).toBe('V/RZMZ4QGABLrtYkd7GfP2Od6uzbfHL8iBlSg+FOM78=');
  });

  it('default = ECB + PKCS#7 + Base64, equal to an independent node:crypto computation', () => {
    expect(encryptIdCard(ID, '01')).toBe(reference(ID, '0000000000000001', 'aes-128-ecb', null, 'base64'));
    expect(encryptIdCard(ID, '7')).toBe(reference(ID, '0000000000000007', 'aes-128-ecb', null, 'base64'));
    // 18 bytes of plain text → two blocks with PKCS#7 padding
    expect(Buffer.from(encryptIdCard(ID, '01'), 'base64')).toHaveLength(32);
  });

  it('mode and encoding options: hex output, CBC with the key as IV or a given IV', () => {
    expect(encryptIdCard(ID, '01', { encoding: 'hex' })).toBe(reference(ID, '0000000000000001', 'aes-128-ecb', null, 'hex'));
    expect(encryptIdCard(ID, '01', { mode: 'cbc' })).toBe(
      reference(ID, '0000000000000001', 'aes-128-cbc', '0000000000000001', 'base64'),
    );
    expect(encryptIdCard(ID, '01', { mode: 'cbc', iv: 'abcdefghijklmnop', encoding: 'hex' })).toBe(
      reference(ID, '0000000000000001', 'aes-128-cbc', 'abcdefghijklmnop', 'hex'),
    );
    expect(() => encryptIdCard(ID, '01', { mode: 'cbc', iv: 'short' })).toThrow(/16 bytes/);
  });

  it('decrypt is the inverse in every mode', () => {
    for (const opts of [{}, { encoding: 'hex' as const }, { mode: 'cbc' as const }]) {
      expect(decryptIdCard(encryptIdCard(ID, '0123', opts), '0123', opts)).toBe(ID);
    }
  });

  it("the emulator's cipher and this package's agree (moved from the emulator's own test)", () => {
    expect(zafuEncryptIdCard(ID, '01')).toBe(encryptIdCard(ID, '01'));
    for (const opts of [{}, { encoding: 'hex' as const }, { mode: 'cbc' as const }])
      expect(zafuDecryptIdCard(encryptIdCard(ID, '0123', opts), '0123', opts)).toBe(ID);
  });
});
