import { hasParam, readParam } from '../src/kit';
import type { CampusRequest } from '../src/strategy';

const plain = (query: Record<string, unknown>, body?: unknown) => ({ query, body, headers: {} }) as unknown as CampusRequest;

describe('readParam', () => {
  it('reads the query, then the body; an empty value counts as absent', () => {
    expect(readParam(plain({ code: 'abc' }), 'code')).toBe('abc');
    expect(readParam(plain({ code: '' }, { code: 'from-body' }), 'code')).toBe('from-body');
    expect(readParam(plain({}, { code: 'b' }), 'code', { from: ['query'] })).toBeUndefined();
    expect(readParam(plain({}), 'code')).toBeUndefined();
  });

  it.each([
    ['a repeated value', ['a', 'b'], /the code was given more than once/],
    ['a nested value', { a: 1 }, /the code is not a plain string/],
    ['an oversized value', 'x'.repeat(2049), /the code is too long/],
    ['a value with spaces', 'a b', /the code has characters it cannot have/],
  ])('%s is ERR_INVALID_CREDENTIAL (400), the value never echoed', (_n, value, message) => {
    let thrown: unknown;
    try {
      readParam(plain({ code: value }), 'code', { platform: 'demo' });
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toMatchObject({ code: 'ERR_INVALID_CREDENTIAL', status: 400, platform: 'demo' });
    expect((thrown as Error).message).toMatch(message);
    if (typeof value === 'string') expect((thrown as Error).message).not.toContain(value);
  });

  it('honours maxLength, pattern and label', () => {
    expect(() => readParam(plain({ t: 'abcd' }), 't', { maxLength: 3, label: 'token' })).toThrow(/the token is too long/);
    expect(readParam(plain({ t: 'a b' }), 't', { pattern: /^[a-z ]+$/ })).toBe('a b');
  });

  it('an inherited property is not a parameter', () => {
    const query = Object.create({ code: 'inherited' }) as Record<string, unknown>;
    expect(readParam(plain(query), 'code')).toBeUndefined();
    expect(hasParam(plain(query), 'code')).toBe(false);
    expect(hasParam(plain({ code: '' }), 'code')).toBe(true);
  });
});
