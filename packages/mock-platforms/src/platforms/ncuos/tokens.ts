/**
 * The emulator's JWTs, made as the GeniusAuth server makes them: Ed25519 (`alg: EdDSA`), claims
 * `exp`, `iat` (whole seconds), `type`, `uid`, `oid`, `id` [, `appCode`, `payload`], parsed with a
 * 3 s leeway. Sources: ncuhome/GeniusAuthoritarian internal/pkg/jwt/jwt.go (GenerateToken,
 * ParseToken), internal/pkg/jwt/jwtClaims/*.go, internal/api/controllers/app/keypair.go,
 * pkg/keypair/marshal.go + constant.go (PEM "EC PUBLIC KEY" around a PKIX key).
 */
import { generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { goMarshal } from './gojson';

/** jwt.go ParseToken: jwt.WithLeeway(time.Second*3). */
export const JWT_LEEWAY_MS = 3_000;

export type TokenType = 'Login' | 'Refresh' | 'Access';

export interface JwtKeys {
  privateKey: KeyObject;
  publicKey: KeyObject;
}

export function newJwtKeys(): JwtKeys {
  return generateKeyPairSync('ed25519');
}

const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url');

/** golang-jwt marshals its header map with sorted keys: {"alg":"EdDSA","typ":"JWT"}. */
const HEADER = b64url(JSON.stringify({ alg: 'EdDSA', typ: 'JWT' }));

/**
 * Sign claims (in the struct order jwtClaims marshals them), marshalled as golang-jwt does
 * (json.Marshal: HTML-escaped). Ed25519 is deterministic: same claims, same token.
 */
export function signJwt(claims: Record<string, unknown>, keys: JwtKeys): string {
  const body = `${HEADER}.${b64url(goMarshal(claims))}`;
  return `${body}.${b64url(sign(null, Buffer.from(body), keys.privateKey))}`;
}

/** golang-jwt v5 DecodeSegment: base64.RawURLEncoding — no padding, no other characters. */
const SEGMENT = /^[A-Za-z0-9_-]*$/;

/** The claims of a token this emulator signed, of this type and not expired (exp + 3 s leeway); else undefined. */
export function parseJwt(token: string, type: TokenType, keys: JwtKeys, nowMs: number): Record<string, unknown> | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || parts.some((p) => !SEGMENT.test(p) || p.length % 4 === 1)) return undefined;
  try {
    const header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8')) as { alg?: unknown };
    if (header.alg !== 'EdDSA') return undefined;
    if (!verify(null, Buffer.from(`${parts[0]}.${parts[1]}`), keys.publicKey, Buffer.from(parts[2], 'base64url')))
      return undefined;
    const claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as Record<string, unknown>;
    if (claims.type !== type) return undefined; // ParseToken: valid = t.Valid && claims.GetType() == Type
    if (typeof claims.exp === 'number' && nowMs >= claims.exp * 1000 + JWT_LEEWAY_MS) return undefined;
    return claims;
  } catch {
    return undefined;
  }
}

/** NumericDate truncates to whole seconds (jwt.TimePrecision). */
export const seconds = (ms: number) => Math.floor(ms / 1000);

/** Go's pem.EncodeToMemory: base64 in 64-character lines, a newline after the END line. */
export function pemEncode(type: string, der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${type}-----\n${lines.join('\n')}\n-----END ${type}-----\n`;
}

/** keypair.PemMarshalPublic(keypair.FormatECDSA, key): "EC PUBLIC KEY" around the PKIX (SPKI) DER. */
export function publicKeyPem(keys: JwtKeys): string {
  return pemEncode('EC PUBLIC KEY', keys.publicKey.export({ type: 'spki', format: 'der' }));
}

/**
 * The emulator's CA certificate (`ca` of GET /app/keypair/server): a self-signed Ed25519 test CA made
 * once with openssl for this emulator; its private key was not kept (the emulator issues no client
 * certificates). Not the platform's CA.
 */
export const EMULATOR_CA_PEM = `-----BEGIN CERTIFICATE-----
MIIBtTCCAWegAwIBAgIUbV6IF9GYhc9Sx0M65f7zz8X/c28wBQYDK2VwMEcxGDAW
BgNVBAoMD2NhbXB1cy1wYXNzcG9ydDErMCkGA1UEAwwiR2VuaXVzQXV0aCBlbXVs
YXRvciBDQSAodGVzdCBvbmx5KTAgFw0yNjEyMDEyMTIxMzdaGA8yMTI2MTEwNzIx
MjEzN1owRzEYMBYGA1UECgwPY2FtcHVzLXBhc3Nwb3J0MSswKQYDVQQDDCJHZW5p
dXNBdXRoIGVtdWxhdG9yIENBICh0ZXN0IG9ubHkpMCowBQYDK2VwAyEAjyRawgo+
A5BOAgGPZr6p5Cc/l0TKh34fvm4WpL3qPPajYzBhMB0GA1UdDgQWBBTXPvJe/neY
aB+g3H0i6nMXuwUo9zAfBgNVHSMEGDAWgBTXPvJe/neYaB+g3H0i6nMXuwUo9zAP
BgNVHRMBAf8EBTADAQH/MA4GA1UdDwEB/wQEAwIBBjAFBgMrZXADQQD8YQ14Cr6z
mZrnp/HYSOK/RJbMfekGe1qyzLQfTsm59//atiXNTal6FnJzvZ/Uf15Gu3ffihEv
sWC8pSr569QK
-----END CERTIFICATE-----
`;
