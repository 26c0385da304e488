/**
 * The emulator's optional request-signature check. The platform says every backend call must carry
 * a legal token signed as in its "chapter 2", which is not public, so this scheme is the emulator's
 * own (off unless a secret is set): headers x-da-timestamp (epoch ms, ±5 min of the emulator clock),
 * x-da-nonce (single-use) and x-da-signature = hex HMAC-SHA256(secret, METHOD \n path?query \n
 * timestamp \n nonce \n raw body).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';

export const SIGNATURE_HEADERS = {
  timestamp: 'x-da-timestamp',
  nonce: 'x-da-nonce',
  signature: 'x-da-signature',
} as const;

/** How far a signed timestamp may be from the emulator clock, ms. */
export const SIGNATURE_MAX_SKEW = 5 * 60_000;

// unconfirmed: the signing chapter is not public — this scheme is the emulator's own, off unless a secret is set
/** The emulator's signature: hex HMAC-SHA256 over METHOD, path?query, timestamp, nonce and raw body. */
export function disabledAidSignature(
  secret: string,
  parts: { method: string; path: string; timestamp: string; nonce: string; body: string },
): string {
  return createHmac('sha256', secret)
    .update([parts.method.toUpperCase(), parts.path, parts.timestamp, parts.nonce, parts.body].join('\n'))
    .digest('hex');
}

/** The check itself, with the nonces it has seen (each kept until its timestamp could no longer pass). */
export class SignatureCheck {
  private readonly nonces = new Map<string, number>();

  constructor(private readonly now: () => number) {}

  /** True when the request carries a fresh, unused, valid signature over `rawBody` (the nonce is then used up). */
  verify(req: Request, secret: string, rawBody: string): boolean {
    const h = (name: string) => (typeof req.headers[name] === 'string' ? (req.headers[name] as string) : '');
    const timestamp = h(SIGNATURE_HEADERS.timestamp);
    const nonce = h(SIGNATURE_HEADERS.nonce);
    const given = h(SIGNATURE_HEADERS.signature);
    const t = Number(timestamp);
    const current = this.now();
    for (const [n, exp] of this.nonces) if (exp < current) this.nonces.delete(n);
    if (
      !timestamp ||
      !nonce ||
      !given ||
      !Number.isFinite(t) ||
      Math.abs(current - t) > SIGNATURE_MAX_SKEW ||
      this.nonces.has(nonce)
    )
      return false;
    const expected = Buffer.from(
      disabledAidSignature(secret, { method: req.method, path: req.originalUrl, timestamp, nonce, body: rawBody }),
    );
    const b = Buffer.from(given);
    if (expected.length !== b.length || !timingSafeEqual(expected, b)) return false;
    this.nonces.set(nonce, current + 2 * SIGNATURE_MAX_SKEW);
    return true;
  }
}
