/**
 * Local verification of GeniusAuth access tokens, the pure pieces: a JWT split into its parts,
 * base64url read as strictly as golang-jwt reads it, the access-token claims checked as the server
 * checks them, and the server's public key read out of `GET /api/v1/app/keypair/server`.
 * Sources (ncuhome/GeniusAuthoritarian): internal/pkg/jwt/jwt.go (GenerateToken: Ed25519;
 * ParseToken: 3 s leeway, `type` must match), internal/pkg/jwt/jwtClaims/*.go (the claims),
 * internal/api/middlewares/app.go (RequireAccessToken: the token must be the calling app's),
 * internal/api/controllers/app/keypair.go + pkg/keypair/marshal.go + constant.go (the key answer);
 * ncuhome/GeniusAuthoritarianClient jwt/jwt.go, rpc.go (NewJwtParser).
 */
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { CampusAuthError } from '@campus-passport/core';
import { expectObject, isObject, type JsonObject } from '@campus-passport/core/kit';
import { PLATFORM, type NcuosAccessInfo } from './profile';

/** jwt.go ParseToken: `jwt.WithLeeway(time.Second*3)` on exp (and nbf). */
export const ACCESS_TOKEN_LEEWAY_MS = 3_000;
/** jwtClaims TypedClaims: the `type` of an access token (jwt.go `Access`). */
export const ACCESS_TOKEN_TYPE = 'Access';
/**
 * The PEM labels accepted around the key: `EC PUBLIC KEY` is what the server writes
 * (keypair.PemMarshalPublic(FormatECDSA, …) → "EC" + " " + "PUBLIC KEY"), `PUBLIC KEY` the standard one.
 */
export const SERVER_KEY_PEM_LABELS = ['EC PUBLIC KEY', 'PUBLIC KEY'] as const;
/** The longest token read (characters), as the middleware's Bearer rule; the platform's are ~300. */
export const MAX_ACCESS_TOKEN_LENGTH = 4096;

/** What a locally verified access token says. */
export interface NcuosLocalAccessInfo extends NcuosAccessInfo {
  /** The app the token was issued to (always this client's appCode once verified). */
  appCode: string;
  /** When the token expires, epoch ms (`exp` × 1000; the 3 s leeway not included). */
  expiresAt: number;
}

/** A JWT split and decoded; nothing in it is trusted before `verifyJwtSignature`. */
export interface ParsedJwt {
  header: JsonObject;
  claims: JsonObject;
  /** `header.claims` as sent: what the signature covers. */
  signingInput: Buffer;
  signature: Buffer;
}

/** ERR_INVALID_CREDENTIAL (401): fixed wording, never the token. */
export function invalidAccessToken(why: string): CampusAuthError {
  return new CampusAuthError('ERR_INVALID_CREDENTIAL', `${PLATFORM}: the access token ${why}`, { platform: PLATFORM });
}

function badKeyAnswer(why: string): CampusAuthError {
  return new CampusAuthError('ERR_BAD_RESPONSE', `${PLATFORM}: the server public key answer ${why}`, { platform: PLATFORM });
}

const BASE64URL = /^[A-Za-z0-9_-]*$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Unpadded base64url, as golang-jwt v5 decodes a segment (base64.RawURLEncoding): only `A–Z a–z
 * 0–9 - _`, no `=`, no length of 4n+1. `undefined` for anything else (Buffer alone would skip junk).
 */
export function decodeBase64Url(segment: string): Buffer | undefined {
  if (!BASE64URL.test(segment) || segment.length % 4 === 1) return undefined;
  return Buffer.from(segment, 'base64url');
}

/** Padded standard base64, as encoding/json writes a Go `[]byte`. `undefined` for anything else. */
export function decodeBase64(text: string): Buffer | undefined {
  if (!BASE64.test(text) || text.length % 4 !== 0) return undefined;
  return Buffer.from(text, 'base64');
}

function jsonObject(bytes: Buffer | undefined): JsonObject | undefined {
  if (!bytes) return undefined;
  try {
    const value: unknown = JSON.parse(bytes.toString('utf8'));
    return isObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Split a token into header, claims and signature. Throws ERR_INVALID_CREDENTIAL unless it is three
 * base64url parts, the first two JSON objects, the header's `alg` is `EdDSA` (the only method the
 * server's Ed25519 key verifies) and the signature is 64 bytes (an Ed25519 signature).
 */
export function parseJwt(token: string): ParsedJwt {
  if (typeof token === 'string' && token.length > MAX_ACCESS_TOKEN_LENGTH) throw invalidAccessToken('is malformed (too long)');
  const parts = typeof token === 'string' ? token.split('.') : [];
  if (parts.length !== 3) throw invalidAccessToken('is malformed (not three dot-separated parts)');
  const header = jsonObject(decodeBase64Url(parts[0]));
  const claims = jsonObject(decodeBase64Url(parts[1]));
  const signature = decodeBase64Url(parts[2]);
  if (!header || !claims || !signature) throw invalidAccessToken('is malformed (a part is not base64url JSON)');
  if (header.alg !== 'EdDSA') throw invalidAccessToken('is not signed with EdDSA (Ed25519)');
  if (signature.length !== 64) throw invalidAccessToken('is malformed (not an Ed25519 signature)');
  return { header, claims, signingInput: Buffer.from(`${parts[0]}.${parts[1]}`, 'latin1'), signature };
}

/** Whether `key` (Ed25519) signed this JWT. */
export function verifyJwtSignature(jwt: ParsedJwt, key: KeyObject): boolean {
  try {
    return verify(null, jwt.signingInput, key, jwt.signature);
  } catch {
    return false;
  }
}

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * The claims of an access token whose signature verified, checked as the server's ParseToken and
 * RequireAccessToken do: `type` is `Access`, `exp` not passed (`now < exp + leeway`), `nbf` (if
 * any) reached, `appCode` is this app's. `exp` is required here (the server mints it on every
 * token). Throws ERR_INVALID_CREDENTIAL; returns `{ uid, appCode, payload, expiresAt }`.
 */
export function checkAccessClaims(
  claims: JsonObject,
  expected: { appCode: string; now: number; leewayMs?: number },
): NcuosLocalAccessInfo {
  const leeway = expected.leewayMs ?? ACCESS_TOKEN_LEEWAY_MS;
  if (claims.type !== ACCESS_TOKEN_TYPE) throw invalidAccessToken('is not an access token (claims type)');
  const { exp, nbf, uid, appCode, payload } = claims;
  if (!isNumber(exp)) throw invalidAccessToken('has no expiry (exp)');
  if (nbf !== undefined && !isNumber(nbf)) throw invalidAccessToken('has malformed claims (nbf)');
  if (!(expected.now < exp * 1000 + leeway)) throw invalidAccessToken('has expired');
  if (nbf !== undefined && expected.now < nbf * 1000 - leeway) throw invalidAccessToken('is not valid yet (nbf)');
  if (typeof uid !== 'number' || !Number.isSafeInteger(uid) || uid < 0) throw invalidAccessToken('has malformed claims (uid)');
  if (payload !== undefined && typeof payload !== 'string') throw invalidAccessToken('has malformed claims (payload)');
  if (appCode !== expected.appCode) throw invalidAccessToken('was issued to another app');
  return { uid, appCode, payload: payload ?? '', expiresAt: exp * 1000 };
}

/**
 * The DER body of the first PEM block labelled one of `labels` (as Go's pem.Decode reads a block
 * without headers: text before it ignored, base64 lines, `\n` or `\r\n`). Throws ERR_BAD_RESPONSE.
 */
export function pemToDer(pem: string, labels: readonly string[] = SERVER_KEY_PEM_LABELS): Buffer {
  const m = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)-----END \1-----/.exec(pem);
  if (!m) throw badKeyAnswer('holds no PEM block');
  if (!labels.includes(m[1]))
    throw badKeyAnswer(`holds a PEM block labelled "${m[1]}", not ${labels.map((l) => `"${l}"`).join(' or ')}`);
  const der = decodeBase64(m[2].replace(/[\r\n\t ]/g, ''));
  if (!der || der.length === 0) throw badKeyAnswer('holds a PEM block whose body is not base64');
  return der;
}

/**
 * `GET /api/v1/app/keypair/server` data → the server's JWT public key. `data.jwt` is a Go `[]byte`,
 * so JSON carries it as base64; decoded, a PEM block "EC PUBLIC KEY" around the SPKI (PKIX) DER of
 * an Ed25519 key (keypair.go, marshal.go). A `jwt` that is already PEM text is accepted too.
 * Throws ERR_BAD_RESPONSE.
 */
export function parseServerKeyAnswer(data: unknown): KeyObject {
  const obj = expectObject(data, PLATFORM, 'the server public key answer');
  if (typeof obj.jwt !== 'string' || obj.jwt === '') throw badKeyAnswer('has no "jwt"');
  const pem = obj.jwt.startsWith('-----BEGIN ') ? obj.jwt : decodeBase64(obj.jwt)?.toString('utf8');
  if (pem === undefined) throw badKeyAnswer('has a "jwt" that is not base64');
  const der = pemToDer(pem);
  let key: KeyObject;
  try {
    key = createPublicKey({ key: der, format: 'der', type: 'spki' });
  } catch {
    throw badKeyAnswer('holds no SPKI public key');
  }
  if (key.asymmetricKeyType !== 'ed25519') throw badKeyAnswer(`holds a ${key.asymmetricKeyType ?? 'unknown'} key, not Ed25519`);
  return key;
}
