import { randomBytes } from 'node:crypto';
import { encodeForm } from '@campus-passport/core/kit';
import { useEmulator } from '@campus-passport/mock-platforms/testing';
import { SIGNATURE_HEADERS, disabledAidSignature, startDisabledAidEmulator } from '@campus-passport/mock-platforms/disabled-aid';
import type { DisabledAidSignableRequest, DisabledAidSigner } from '../src';

export const SIGNING_SECRET = 'da-signing-secret-DO-NOT-LEAK-7f3a';

/** The emulator of a test file; after each test also its signature check is off and its clock real again. */
export function useDisabledAidEmulator() {
  return useEmulator(startDisabledAidEmulator, (e) => {
    e.setSignatureSecret(undefined);
    e.clock.reset();
  });
}

/**
 * The signer an app would write for the emulator's scheme: timestamp, nonce and an HMAC over the
 * method, path?query, timestamp, nonce and the body exactly as the transport encodes it.
 */
export function hmacSigner(
  secret: string,
  options: { now?: () => number; seen?: DisabledAidSignableRequest[] } = {},
): DisabledAidSigner {
  return async (req) => {
    options.seen?.push(JSON.parse(JSON.stringify(req)) as DisabledAidSignableRequest);
    const u = new URL(req.url);
    const timestamp = String((options.now ?? Date.now)());
    const nonce = randomBytes(12).toString('hex');
    const body = req.form ? encodeForm(req.form) : req.json !== undefined ? JSON.stringify(req.json) : '';
    const signature = disabledAidSignature(secret, {
      method: req.method,
      path: `${u.pathname}${u.search}`,
      timestamp,
      nonce,
      body,
    });
    return {
      ...req,
      headers: {
        ...req.headers,
        [SIGNATURE_HEADERS.timestamp]: timestamp,
        [SIGNATURE_HEADERS.nonce]: nonce,
        [SIGNATURE_HEADERS.signature]: signature,
      },
    };
  };
}
