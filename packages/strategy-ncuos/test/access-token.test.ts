/**
 * The pure pieces of local access-token verification, on fixtures (no network): base64url / base64
 * as Go reads them, the JWT split, the claims check, PEM → DER and the keypair answer.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CampusAuthError } from '@campus-passport/core';
import {
  ACCESS_TOKEN_LEEWAY_MS,
  checkAccessClaims,
  decodeBase64,
  decodeBase64Url,
  parseJwt,
  parseServerKeyAnswer,
  pemToDer,
  verifyJwtSignature,
} from '../src';

/** A test-only key pair, the keypair answer around its public key, and a token it signed (see the file's "//"). */
const fixture = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'server-key.json'), 'utf8')) as {
  privateKeyPem: string;
  publicKeyPem: string;
  keypairAnswer: { jwt: string; ca: string };
  accessToken: string;
  accessClaims: {
    exp: number;
    iat: number;
    type: string;
    uid: number;
    oid: number;
    id: number;
    appCode: string;
    payload: string;
  };
};

const APP = 'campus-passport-demo';
const b64url = (s: string | Buffer) => Buffer.from(s).toString('base64url');
const privateKey = createPrivateKey(fixture.privateKeyPem);
const publicKey = createPublicKey(privateKey); // (OpenSSL reads no "EC PUBLIC KEY" PEM for Ed25519: hence pemToDer)

/** A JWT over `claims` (and `header`), signed with `key` (the fixture key by default). */
function jwt(claims: object, o: { key?: KeyObject; header?: object } = {}): string {
  const body = `${b64url(JSON.stringify(o.header ?? { alg: 'EdDSA', typ: 'JWT' }))}.${b64url(JSON.stringify(claims))}`;
  return `${body}.${b64url(sign(null, Buffer.from(body), o.key ?? privateKey))}`;
}

const invalid = (fn: () => unknown, message: RegExp) => {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(CampusAuthError);
  expect(err).toMatchObject({ code: 'ERR_INVALID_CREDENTIAL', status: 401, platform: 'ncuos' });
  expect((err as Error).message).toMatch(message);
  return err as CampusAuthError;
};

describe('decodeBase64Url / decodeBase64 (golang-jwt RawURLEncoding; encoding/json []byte)', () => {
  it('unpadded base64url only', () => {
    expect(decodeBase64Url('aGk')?.toString()).toBe('hi');
    expect(decodeBase64Url('-_8')).toEqual(Buffer.from([0xfb, 0xff]));
    expect(decodeBase64Url('')).toEqual(Buffer.alloc(0));
    for (const bad of ['aGk=', 'aG+k', 'aG/k', 'aG k', 'a', 'aGk.', 'aGk\n']) expect(decodeBase64Url(bad)).toBeUndefined();
  });

  it('padded standard base64 only', () => {
    expect(decodeBase64('aGk=')?.toString()).toBe('hi');
    expect(decodeBase64('+/8=')).toEqual(Buffer.from([0xfb, 0xff]));
    for (const bad of ['aGk', 'aG-k', 'aGk=x', 'a===', 'aGk= ']) expect(decodeBase64(bad)).toBeUndefined();
  });
});

describe('parseJwt + verifyJwtSignature', () => {
  it('the fixture token (signed by the fixture key) splits and verifies; another key does not verify it', () => {
    const parsed = parseJwt(fixture.accessToken);
    expect(parsed.header).toEqual({ alg: 'EdDSA', typ: 'JWT' });
    expect(parsed.claims).toEqual(fixture.accessClaims);
    expect(parsed.signature).toHaveLength(64);
    expect(verifyJwtSignature(parsed, publicKey)).toBe(true);
    expect(verifyJwtSignature(parsed, generateKeyPairSync('ed25519').publicKey)).toBe(false);
    // Ed25519 is deterministic: re-signing the same header and claims gives the pinned token
    expect(jwt(fixture.accessClaims)).toBe(fixture.accessToken);
  });

  it('a changed claim or signature no longer verifies', () => {
    const [h, c, s] = fixture.accessToken.split('.');
    const otherClaims = b64url(JSON.stringify({ ...fixture.accessClaims, uid: 9 }));
    expect(verifyJwtSignature(parseJwt(`${h}.${otherClaims}.${s}`), publicKey)).toBe(false);
    const flipped = Buffer.from(s, 'base64url');
    flipped[0] ^= 1;
    expect(verifyJwtSignature(parseJwt(`${h}.${c}.${b64url(flipped)}`), publicKey)).toBe(false);
  });

  it('malformed → ERR_INVALID_CREDENTIAL, and the message never holds the token', () => {
    const [h, c, s] = fixture.accessToken.split('.');
    const cases: Array<[string, RegExp]> = [
      ['', /three/],
      ['a.b', /three/],
      [`${h}.${c}.${s}.x`, /three/],
      [`${h}.${c}.${s}=`, /base64url/],
      [`${h}.${c}=.${s}`, /base64url/],
      [`${b64url('not json')}.${c}.${s}`, /base64url JSON/],
      [`${b64url('[1]')}.${c}.${s}`, /base64url JSON/],
      [`${h}.${b64url('null')}.${s}`, /base64url JSON/],
      [`${b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))}.${c}.${s}`, /EdDSA/],
      [`${b64url(JSON.stringify({ alg: 'none' }))}.${c}.`, /EdDSA/],
      [`${h}.${c}.${b64url(Buffer.alloc(63))}`, /Ed25519 signature/],
      [`${h}.${b64url(JSON.stringify({ ...fixture.accessClaims, payload: 'x'.repeat(3100) }))}.${s}`, /too long/],
    ];
    for (const [token, message] of cases) {
      const err = invalid(() => parseJwt(token), message);
      if (token.length > 8) expect(JSON.stringify(err.toJSON()) + err.stack).not.toContain(token);
    }
  });
});

describe('checkAccessClaims (ParseToken: type, exp with 3 s leeway; RequireAccessToken: appCode)', () => {
  const claims = fixture.accessClaims;
  const at = (s: number) => s * 1000;

  it('→ { uid, appCode, payload, expiresAt }; payload defaults to ""', () => {
    expect(checkAccessClaims(claims, { appCode: APP, now: at(claims.iat) })).toEqual({
      uid: 8,
      appCode: APP,
      payload: 'cart-42',
      expiresAt: claims.exp * 1000,
    });
    const { payload: _payload, ...noPayload } = claims; // jwtClaims: payload has omitempty
    expect(checkAccessClaims(noPayload, { appCode: APP, now: at(claims.iat) }).payload).toBe('');
  });

  it('exp: valid while now < exp + 3 s (golang-jwt v5 verifyExpiresAt with leeway)', () => {
    expect(ACCESS_TOKEN_LEEWAY_MS).toBe(3000);
    expect(checkAccessClaims(claims, { appCode: APP, now: at(claims.exp) + 2999 }).uid).toBe(8);
    invalid(() => checkAccessClaims(claims, { appCode: APP, now: at(claims.exp) + 3000 }), /expired/);
    invalid(() => checkAccessClaims({ ...claims, exp: undefined }, { appCode: APP, now: at(claims.iat) }), /exp/);
    invalid(() => checkAccessClaims({ ...claims, exp: '1715900300' }, { appCode: APP, now: at(claims.iat) }), /exp/);
  });

  it('nbf, when present, with the same leeway', () => {
    const nbf = claims.iat + 60;
    expect(checkAccessClaims({ ...claims, nbf }, { appCode: APP, now: at(nbf) - 3000 }).uid).toBe(8);
    invalid(() => checkAccessClaims({ ...claims, nbf }, { appCode: APP, now: at(nbf) - 3001 }), /not valid yet/);
  });

  it('another type (a refresh or login token) → refused', () => {
    for (const type of ['Refresh', 'Login', 'access', undefined])
      invalid(() => checkAccessClaims({ ...claims, type }, { appCode: APP, now: at(claims.iat) }), /not an access token/);
  });

  it("another app's token → refused, saying so", () => {
    invalid(() => checkAccessClaims(claims, { appCode: 'second-app', now: at(claims.iat) }), /another app/);
    invalid(() => checkAccessClaims({ ...claims, appCode: undefined }, { appCode: APP, now: at(claims.iat) }), /another app/);
  });

  it('malformed uid / payload → refused', () => {
    for (const uid of ['8', -1, 1.5, 2 ** 53, undefined])
      invalid(() => checkAccessClaims({ ...claims, uid }, { appCode: APP, now: at(claims.iat) }), /uid/);
    invalid(() => checkAccessClaims({ ...claims, payload: 42 }, { appCode: APP, now: at(claims.iat) }), /payload/);
  });
});

describe('pemToDer + parseServerKeyAnswer (keypair.go, marshal.go, constant.go)', () => {
  const der = publicKey.export({ type: 'spki', format: 'der' });

  it('the fixture answer → the Ed25519 key that verifies the fixture token', () => {
    const key = parseServerKeyAnswer(fixture.keypairAnswer);
    expect(key.asymmetricKeyType).toBe('ed25519');
    expect(key.export({ type: 'spki', format: 'der' })).toEqual(der);
    expect(verifyJwtSignature(parseJwt(fixture.accessToken), key)).toBe(true);
    // the decoded []byte is the PEM the server writes
    expect(Buffer.from(fixture.keypairAnswer.jwt, 'base64').toString()).toBe(fixture.publicKeyPem);
  });

  it('PEM: "EC PUBLIC KEY" (the server) or "PUBLIC KEY"; CRLF and text around it tolerated', () => {
    expect(pemToDer(fixture.publicKeyPem)).toEqual(der);
    expect(pemToDer(fixture.publicKeyPem.replace(/EC PUBLIC KEY/g, 'PUBLIC KEY'))).toEqual(der);
    expect(pemToDer(`junk\r\n${fixture.publicKeyPem.replace(/\n/g, '\r\n')}trailer`)).toEqual(der);
  });

  it('a wrong PEM → ERR_BAD_RESPONSE', () => {
    const bad = (pem: string, message: RegExp) => {
      expect(() => pemToDer(pem)).toThrow(message);
      expect(() => pemToDer(pem)).toThrow(expect.objectContaining({ code: 'ERR_BAD_RESPONSE' }));
    };
    bad('no pem here', /no PEM block/);
    bad(fixture.publicKeyPem.replace(/EC PUBLIC KEY/g, 'CERTIFICATE'), /labelled "CERTIFICATE"/);
    bad(fixture.publicKeyPem.replace('END EC', 'END XX'), /no PEM block/);
    bad('-----BEGIN EC PUBLIC KEY-----\n!!!!\n-----END EC PUBLIC KEY-----\n', /not base64/);
  });

  it('a wrong answer → ERR_BAD_RESPONSE naming what is wrong', () => {
    const bad = (data: unknown, message: RegExp) =>
      expect(() => parseServerKeyAnswer(data)).toThrow(
        expect.objectContaining({ code: 'ERR_BAD_RESPONSE', message: expect.stringMatching(message) }),
      );
    bad(undefined, /not a JSON object/);
    bad({ ca: fixture.keypairAnswer.ca }, /no "jwt"/);
    bad({ jwt: 42 }, /no "jwt"/);
    bad({ jwt: 'not base64!' }, /not base64/);
    bad({ jwt: Buffer.from('-----BEGIN EC PUBLIC KEY-----\nAAAA\n-----END EC PUBLIC KEY-----\n').toString('base64') }, /no SPKI/);
    const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' });
    bad({ jwt: Buffer.from(p256).toString('base64') }, /ec key, not Ed25519/);
  });

  it('a `jwt` that is already PEM text is accepted (leniency)', () => {
    expect(parseServerKeyAnswer({ jwt: fixture.publicKeyPem }).export({ type: 'spki', format: 'der' })).toEqual(der);
  });
});
