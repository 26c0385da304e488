import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CampusAuthError } from '@campus-passport/core';
import {
  parseClassicToken,
  parseNeoToken,
  parseNeoUser,
  parsePersonInfo,
  parseStaffType,
  parseValidate,
  profileFromToken,
} from '../src';

function fixture(name: string): { raw: string; data: unknown } {
  const raw = readFileSync(join(__dirname, 'fixtures', name), 'utf8');
  return { raw, data: (JSON.parse(raw) as { data: unknown }).data };
}

function badResponse(fn: () => unknown): void {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(CampusAuthError);
  expect((caught as CampusAuthError).code).toBe('ERR_BAD_RESPONSE');
}

describe('parsePersonInfo', () => {
  it('reads the current /salmon_base/person/info shape', () => {
    const { raw, data } = fixture('person-info-salmon.json');
    const p = parsePersonInfo(data, raw);
    expect(p).toEqual({
      provider: 'hduhelp',
      id: '21053456',
      displayName: '张三',
      staffId: '21053456',
      staffName: '张三',
      staffType: 1,
      staffTypeLabel: 'undergraduate',
      staffState: '在校',
      unitCode: '05',
      unitName: undefined,
      grade: undefined,
      _json: data,
      _raw: raw,
    });
  });

  it('renumbers person info staffType (1 本科生, 2 教师, 3 研究生: open-docs person-info.md) to the token numbering', () => {
    const person = (staffType: unknown) => parsePersonInfo({ staffId: '1', staffType }, '{}');
    expect(person('1')).toMatchObject({ staffType: 1, staffTypeLabel: 'undergraduate' });
    expect(person('2')).toMatchObject({ staffType: 3, staffTypeLabel: 'staff' });
    expect(person('3')).toMatchObject({ staffType: 2, staffTypeLabel: 'graduate' });
    expect(person(3)).toMatchObject({ staffType: 2, staffTypeLabel: 'graduate' });
    // a text says what it is; an unknown number stays as it came
    expect(person('研究生')).toMatchObject({ staffType: 2, staffTypeLabel: 'graduate' });
    expect(person('9')).toMatchObject({ staffType: 9, staffTypeLabel: undefined });
    // _json keeps the platform's own value
    expect(person('2')._json).toEqual({ staffId: '1', staffType: '2' });
  });

  it('prefers the user id from the token answer as the id', () => {
    const { raw, data } = fixture('person-info-salmon.json');
    expect(parsePersonInfo(data, raw, 'u-1').id).toBe('u-1');
  });

  it('reads the deprecated /base/person/info upper-case shape (type as text)', () => {
    const { raw, data } = fixture('person-info-deprecated.json');
    expect(parsePersonInfo(data, raw)).toMatchObject({
      id: '40123',
      displayName: '王老师',
      staffId: '40123',
      staffName: '王老师',
      staffType: 3,
      staffTypeLabel: 'staff',
      staffState: '在职',
      unitCode: '05',
      unitName: '计算机学院',
      grade: undefined,
    });
  });

  it('refuses wrong shapes with ERR_BAD_RESPONSE', () => {
    badResponse(() => parsePersonInfo(null, 'null'));
    badResponse(() => parsePersonInfo([1, 2], '[1,2]'));
    badResponse(() => parsePersonInfo({ staffName: '无学号' }, '{}'));
    badResponse(() => parsePersonInfo({ STAFFNAME: '无学号' }, '{}'));
  });
});

describe('parseStaffType', () => {
  it.each([
    [1, 1, 'undergraduate'],
    ['2', 2, 'graduate'],
    [3, 3, 'staff'],
    ['本科生', 1, 'undergraduate'],
    ['研究生', 2, 'graduate'],
    ['博士研究生', 2, 'graduate'],
    ['教职工', 3, 'staff'],
  ])('%p → %p %p', (input, code, label) => {
    expect(parseStaffType(input)).toEqual({ staffType: code, staffTypeLabel: label });
  });

  it('keeps an unknown number without a label, and drops garbage', () => {
    expect(parseStaffType(9)).toEqual({ staffType: 9, staffTypeLabel: undefined });
    expect(parseStaffType('外星人')).toEqual({});
    expect(parseStaffType(undefined)).toEqual({});
    expect(parseStaffType({})).toEqual({});
  });
});

describe('parseClassicToken / profileFromToken', () => {
  it('reads tokens, turns expiry seconds into epoch ms, keeps the rest without the tokens', () => {
    const { data } = fixture('classic-token.json');
    const t = parseClassicToken(data);
    expect(t.credentials).toEqual({
      accessToken: 'at_5f0c1d2e3f4a5b6c7d8e9f00',
      refreshToken: 'rt_0a9b8c7d6e5f4a3b2c1d0e0f',
      accessTokenExpiresAt: 1767225600_000,
      refreshTokenExpiresAt: 1769817600_000,
      staffId: '22051234',
      userId: '123-123-123-123',
    });
    expect(t.info).not.toHaveProperty('access_token');
    expect(t.info).not.toHaveProperty('refresh_token');
    expect(t.info).toMatchObject({ staff_id: '22051234', user_id: '123-123-123-123' });
  });

  it('builds a profile from the token answer alone', () => {
    const p = profileFromToken(parseClassicToken(fixture('classic-token.json').data));
    expect(p).toMatchObject({
      provider: 'hduhelp',
      id: '123-123-123-123',
      displayName: '张三',
      staffId: '22051234',
      staffType: 1,
      staffTypeLabel: 'undergraduate',
    });
    expect(p._raw).not.toContain('at_5f0c1d2e3f4a5b6c7d8e9f00');
  });

  it("reads the seed's minimal answer (no user_id): the staff id is the id", () => {
    const t = parseClassicToken(fixture('classic-token-seed.json').data);
    expect(t.credentials.userId).toBeUndefined();
    expect(profileFromToken(t)).toMatchObject({ id: '12345678', displayName: '12345678', staffId: '12345678' });
  });

  it('refuses wrong shapes with ERR_BAD_RESPONSE', () => {
    badResponse(() => parseClassicToken(null));
    badResponse(() => parseClassicToken({ staff_id: '1' }));
    badResponse(() => parseClassicToken({ access_token: 42 }));
    badResponse(() => profileFromToken(parseClassicToken({ access_token: 'x' })));
  });
});

describe('parseValidate', () => {
  it('reads staff id and expiry, without the token', () => {
    const v = parseValidate(fixture('validate.json').data);
    expect(v).toEqual({
      staffId: '22051234',
      accessTokenExpiresAt: 1767225600_000,
      _json: expect.not.objectContaining({ access_token: expect.anything() }),
    });
  });
  it('refuses wrong shapes', () => {
    badResponse(() => parseValidate({}));
    badResponse(() => parseValidate('ok'));
  });
});

describe('neo parsers', () => {
  it('parseNeoToken: expiresIn seconds from now', () => {
    const t = parseNeoToken(fixture('neo-token.json').data, 1_000_000);
    expect(t.credentials).toEqual({
      accessToken: 'u-neo-access-7c2f1e',
      refreshToken: 'ur-neo-refresh-91ab3d',
      accessTokenExpiresAt: 1_000_000 + 7200_000,
      userId: '3f1b2c4d-0002-4a6b-9c21-5e7f80a1b202',
    });
    expect(t.info).toMatchObject({ scope: 'user:read,profile:read', tokenType: 'Bearer' });
    expect(t.info).not.toHaveProperty('accessToken');
  });

  it('parseNeoUser: user-info → profile', () => {
    const { raw, data } = fixture('neo-user.json');
    expect(parseNeoUser(data, raw)).toEqual({
      provider: 'hduhelp',
      id: '3f1b2c4d-0002-4a6b-9c21-5e7f80a1b202',
      displayName: '李四',
      staffId: '232050077',
      staffName: '李四',
      avatar: 'https://static.hduhelp.com/avatar/232050077.png',
      school: '杭州电子科技大学',
      _json: data,
      _raw: raw,
    });
  });

  it('refuses wrong shapes', () => {
    badResponse(() => parseNeoToken({ access_token: 'snake' }, 0));
    badResponse(() => parseNeoUser({ name: 'nobody' }, '{}'));
    badResponse(() => parseNeoUser([], '[]'));
  });
});
