import { CampusAuthError } from '../src';
import { REDACTED, collectSecrets, defineLazy, lazySecrets, redactText, redactUrl, redactValue } from '../src/kit';

describe('redaction', () => {
  it('masks secret query parameters in URLs, keeping the rest', () => {
    const out = redactUrl('https://api.hduhelp.com/oauth/token?client_id=abc&client_secret=s3cr3t&code=xyz&state=q');
    expect(out).not.toContain('s3cr3t');
    expect(out).toContain('client_id=abc');
    expect(out).toContain('code=xyz');
    expect(out).toContain(`client_secret=${REDACTED}`);
  });

  it('masks JSON fields, form fields, Authorization headers and bearer tokens in text', () => {
    const text = [
      '{"app_key":"k","app_secret":"AS-123456","access":"x","refresh_token":"RT-999999"}',
      'grant_type=client_credentials&client_secret=CS-777777&appSecret=AX-555555',
      'authorization: Bearer eyJhbGciOiJIUzI1NiJ9.payload.sig',
      "{ signature: 'abcdef0123456789' }",
      'stoken=ST-42424242',
    ].join('\n');
    const out = redactText(text);
    for (const s of [
      'AS-123456',
      'RT-999999',
      'CS-777777',
      'AX-555555',
      'eyJhbGciOiJIUzI1NiJ9',
      'abcdef0123456789',
      'ST-42424242',
    ]) {
      expect(out).not.toContain(s);
    }
    expect(out).toContain('"app_key":"k"');
  });

  it('scrubs known secret values wherever they stand, also URL-encoded', () => {
    const out = redactText('echo: my secret is p@ss w0rd! and p%40ss%20w0rd!', ['p@ss w0rd!']);
    expect(out).toBe(`echo: my secret is ${REDACTED} and ${REDACTED}`);
  });

  it('deep-redacts objects by key', () => {
    expect(redactValue({ a: 1, nested: { client_secret: 'x', list: [{ accessToken: 't' }] } })).toEqual({
      a: 1,
      nested: { client_secret: REDACTED, list: [{ accessToken: REDACTED }] },
    });
  });

  it('collects secret values from query, body and headers', () => {
    const found = collectSecrets({ client_secret: 'cs' }, { nested: { appSecret: 'as' } }, { authorization: 'Bearer tok123' });
    expect(found).toEqual(expect.arrayContaining(['cs', 'as', 'Bearer tok123', 'tok123']));
  });
});

describe('lazySecrets', () => {
  it('gathers only when iterated — once — and redacts like a list', () => {
    let gathered = 0;
    const secrets = lazySecrets(() => {
      gathered++;
      return ['lazy-SECRET-1', 'lazy-SECRET-2'];
    });
    expect(gathered).toBe(0);
    const err = new CampusAuthError('ERR_PLATFORM', 'said lazy-SECRET-1 and lazy-SECRET-2', { secrets });
    expect(err.message).toBe(`said ${REDACTED} and ${REDACTED}`);
    expect([...secrets]).toEqual(['lazy-SECRET-1', 'lazy-SECRET-2']);
    expect(gathered).toBe(1);
  });
});

describe('defineLazy', () => {
  it('computes on first read, once; a spread, JSON and a write see a plain value', () => {
    let computed = 0;
    const obj = defineLazy({ a: 1, raw: '' }, 'raw', () => {
      computed++;
      return 'built';
    });
    expect(computed).toBe(0);
    expect(Object.keys(obj)).toEqual(['a', 'raw']);
    expect(JSON.stringify(obj)).toBe('{"a":1,"raw":"built"}');
    expect({ ...obj }).toEqual({ a: 1, raw: 'built' });
    expect(obj.raw).toBe('built');
    expect(computed).toBe(1);
    const other = defineLazy({ raw: '' }, 'raw', () => {
      computed++;
      return 'never';
    });
    other.raw = 'set';
    expect(other.raw).toBe('set');
    expect(computed).toBe(1);
  });
});
