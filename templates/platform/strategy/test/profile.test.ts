// The pure parsers on fixtures: what the platform sends → what verify receives.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isCampusAuthError } from '@campus-passport/core';
import { parseToken, parseUser } from '../src';

const fixture = (name: string): { raw: string; data: unknown } => {
  const raw = readFileSync(join(__dirname, 'fixtures', name), 'utf8');
  return { raw, data: (JSON.parse(raw) as { data: unknown }).data };
};

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return isCampusAuthError(err) ? err.code : 'not a CampusAuthError';
  }
  return undefined;
}

describe('parseUser', () => {
  it('maps the user data to the profile, keeping _json and _raw', () => {
    const { raw, data } = fixture('user.json');
    expect(parseUser(data, raw)).toEqual({
      provider: 'tmpl',
      id: '10001',
      displayName: '张三',
      studentId: '2023010001',
      department: '计算机学院',
      _json: { id: '10001', name: '张三', student_id: '2023010001', department: '计算机学院', extra: true },
      _raw: raw,
    });
  });

  it('a numeric id becomes a string; a user without a name shows its id', () => {
    expect(parseUser({ id: 42 }, '{}')).toMatchObject({ id: '42', displayName: '42', studentId: undefined });
  });

  it('no id, or no object → ERR_BAD_RESPONSE', () => {
    expect(codeOf(() => parseUser({ name: 'x' }, ''))).toBe('ERR_BAD_RESPONSE');
    expect(codeOf(() => parseUser([1], ''))).toBe('ERR_BAD_RESPONSE');
    expect(codeOf(() => parseUser(undefined, ''))).toBe('ERR_BAD_RESPONSE');
  });
});

describe('parseToken', () => {
  it('reads the access token and turns expires_in into an expiry time', () => {
    expect(parseToken(fixture('token.json').data, 1_000)).toEqual({ accessToken: 'at-example-0123456789', expiresAt: 7_201_000 });
    expect(parseToken({ access_token: 'a' }, 0)).toEqual({ accessToken: 'a', expiresAt: undefined });
  });

  it('no access token → ERR_BAD_RESPONSE', () => {
    expect(codeOf(() => parseToken({ expires_in: 5 }, 0))).toBe('ERR_BAD_RESPONSE');
    expect(codeOf(() => parseToken('x', 0))).toBe('ERR_BAD_RESPONSE');
  });
});
