import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CampusAuthError, type AppToken } from '@campus-passport/core';
import {
  DEFAULT_ACCESS_LIFETIME,
  appLoginToToken,
  jwtExpiry,
  parseAppInfo,
  parseAppLogin,
  parseEnvelope,
  parseRefresh,
  parseTime,
  parseUnionId,
  parseUser,
} from '../src';
import { successData } from '../src/profile';

function fixture(name: string): { text: string; body: unknown } {
  const text = readFileSync(join(__dirname, 'fixtures', name), 'utf8');
  return { text, body: JSON.parse(text) };
}

/** The success `data` of a fixture, through the envelope parser. */
function data(name: string) {
  const env = parseEnvelope(fixture(name).body, 200);
  expect(env.code).toBe('00000');
  return env.data!;
}

const NOW = Date.parse('2024-05-01T00:00:00Z');

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(CampusAuthError);
    return (err as CampusAuthError).code;
  }
  return undefined;
}

describe('parseEnvelope', () => {
  it('reads success and error envelopes', () => {
    expect(parseEnvelope(fixture('sso_union-id.json').body, 200)).toEqual({
      code: '00000',
      msg: '',
      detail: '',
      data: { union_id: '0f4c8b1d2e3a4b5c6d7e8f9012345678' },
    });
    const err = parseEnvelope(fixture('auth_apps_failed.json').body, 400);
    expect(err.code).toBe('A0210');
    expect(err.msg).toBe('用户登录失败');
    expect(err.data).toEqual({ eid: null, time: '2023-03-06T11:10:09.770306Z', details: null });
  });

  it('refuses what is not an envelope: ERR_BAD_RESPONSE, or ERR_PLATFORM on 5xx', () => {
    expect(codeOf(() => parseEnvelope(undefined, 200))).toBe('ERR_BAD_RESPONSE');
    expect(codeOf(() => parseEnvelope([1, 2], 200))).toBe('ERR_BAD_RESPONSE');
    expect(codeOf(() => parseEnvelope({ unexpected: true }, 200))).toBe('ERR_BAD_RESPONSE');
    expect(codeOf(() => parseEnvelope({ code: 0, data: {} }, 200))).toBe('ERR_BAD_RESPONSE');
    expect(codeOf(() => parseEnvelope({ code: '00000', data: 'x' }, 200))).toBe('ERR_BAD_RESPONSE');
    expect(codeOf(() => parseEnvelope({ message: 'maintenance' }, 503))).toBe('ERR_PLATFORM');
  });
});

describe('a success code with no data (issue 13)', () => {
  /** The `data` of a success fixture, through the envelope and the success check the client applies. */
  const success = (name: string) => successData(parseEnvelope(fixture(name).body, 200), 200, 'the call');
  const empty = () => success('success_empty_data.json');

  it('missing or null data → ERR_BAD_RESPONSE before any parser', () => {
    expect(codeOf(() => success('success_no_data.json'))).toBe('ERR_BAD_RESPONSE');
    expect(codeOf(() => success('success_null_data.json'))).toBe('ERR_BAD_RESPONSE');
    expect(empty()).toEqual({});
  });

  it('data: {} → ERR_BAD_RESPONSE for union id, user and app login (not an uncertified user)', () => {
    expect(codeOf(() => parseUnionId(empty()))).toBe('ERR_BAD_RESPONSE');
    expect(codeOf(() => parseUser('u', empty(), '{}'))).toBe('ERR_BAD_RESPONSE');
    expect(codeOf(() => parseAppLogin(empty(), NOW))).toBe('ERR_BAD_RESPONSE');
    expect(codeOf(() => parseRefresh(empty(), { accessToken: 'a', expiresAt: NOW }, NOW))).toBe('ERR_BAD_RESPONSE');
    // a user answer needs certify_time or is_certified; either alone is enough
    expect(parseUser('u', { certify_time: null }, '').isCertified).toBe(false);
    expect(parseUser('u', { is_certified: true }, '').isCertified).toBe(true);
    expect(codeOf(() => parseUser('u', { name: '张三' }, ''))).toBe('ERR_BAD_RESPONSE');
  });
});

describe('parseTime', () => {
  it('accepts ISO strings (microseconds, zones, space separator) and epoch seconds / ms', () => {
    expect(parseTime('2023-03-07T09:16:15.844900Z', 't')).toBe(Date.parse('2023-03-07T09:16:15.844Z'));
    expect(parseTime('2023-03-07T16:51:43.569624+08:00', 't')).toBe(Date.parse('2023-03-07T08:51:43.569Z'));
    expect(parseTime('2023-03-07 09:16:15', 't')).toBe(Date.parse('2023-03-07T09:16:15'));
    expect(parseTime(1678180575, 't')).toBe(1678180575000);
    expect(parseTime('1678180575', 't')).toBe(1678180575000);
    expect(parseTime(1678180575844, 't')).toBe(1678180575844);
    expect(parseTime(null, 't')).toBeUndefined();
    expect(parseTime(undefined, 't')).toBeUndefined();
  });

  it('refuses garbage', () => {
    expect(codeOf(() => parseTime('tomorrow-ish', 't'))).toBe('ERR_BAD_RESPONSE');
    expect(codeOf(() => parseTime({}, 't'))).toBe('ERR_BAD_RESPONSE');
    expect(codeOf(() => parseTime(-5, 't'))).toBe('ERR_BAD_RESPONSE');
  });
});

describe('app login and refresh', () => {
  it('parses the app login (ISO expiry)', () => {
    expect(parseAppLogin(data('auth_apps.json'), NOW)).toEqual({
      id: 9,
      username: 'zq_test',
      name: '测试项目',
      access: 'access_token',
      refresh: 'refresh_token',
      expireTime: Date.parse('2123-03-07T09:16:15.844Z'),
    });
  });

  it('accepts epoch-second expiry and a string id', () => {
    const login = parseAppLogin(data('auth_apps_epoch.json'), NOW);
    expect(login.expireTime).toBe(4834041375000);
    expect(login.id).toBe('9');
  });

  it('without expire_time: the JWT exp, else one day', () => {
    expect(parseAppLogin(data('auth_apps_no_expiry.json'), NOW).expireTime).toBe(NOW + DEFAULT_ACCESS_LIFETIME);
    const exp = Math.floor(NOW / 1000) + 3600;
    const jwt = `e30.${Buffer.from(JSON.stringify({ exp })).toString('base64url')}.sig`;
    expect(parseAppLogin({ id: 1, username: 'a', access: jwt }, NOW).expireTime).toBe(exp * 1000);
    expect(jwtExpiry('not-a-jwt')).toBeUndefined();
    expect(jwtExpiry('a.%%%.c')).toBeUndefined();
  });

  it('refuses an app login without access / username / id', () => {
    expect(codeOf(() => parseAppLogin({ id: 1, username: 'a' }, NOW))).toBe('ERR_BAD_RESPONSE');
    expect(codeOf(() => parseAppLogin({ id: 1, access: 'x' }, NOW))).toBe('ERR_BAD_RESPONSE');
    expect(codeOf(() => parseAppLogin({ username: 'a', access: 'x' }, NOW))).toBe('ERR_BAD_RESPONSE');
  });

  it('turns the login into an AppToken with the app data in extra', () => {
    const token = appLoginToToken(parseAppLogin(data('auth_apps.json'), NOW));
    expect(token).toMatchObject({
      accessToken: 'access_token',
      refreshToken: 'refresh_token',
      extra: { id: 9, username: 'zq_test', name: '测试项目' },
    });
  });

  it('refresh keeps the old refresh token and the app data', () => {
    const previous: AppToken = appLoginToToken(parseAppLogin(data('auth_apps.json'), NOW));
    const next = parseRefresh(data('auth_refresh.json'), previous, NOW);
    expect(next).toEqual({
      ...previous,
      accessToken: 'access_token_new',
      expiresAt: Date.parse('2123-03-07T10:37:39.081Z'),
    });
    expect(codeOf(() => parseRefresh({ expire_time: '2123-01-01T00:00:00Z' }, previous, NOW))).toBe('ERR_BAD_RESPONSE');
  });
});

describe('union id, user and app', () => {
  it('parses the union id and refuses unsafe ones', () => {
    expect(parseUnionId(data('sso_union-id.json'))).toBe('0f4c8b1d2e3a4b5c6d7e8f9012345678');
    expect(codeOf(() => parseUnionId({}))).toBe('ERR_BAD_RESPONSE');
    expect(codeOf(() => parseUnionId({ union_id: '../../admin' }))).toBe('ERR_BAD_RESPONSE');
  });

  it('parses the user with detail', () => {
    const { text } = fixture('users_detail.json');
    const profile = parseUser('u1', data('users_detail.json'), text);
    expect(profile).toEqual({
      provider: 'ziqiang',
      id: 'u1',
      displayName: '测试',
      name: '测试',
      studentId: '2020302100000',
      phone: '18312341233',
      isCertified: true,
      certifyTime: '2023-03-07T16:51:00+08:00',
      updateTime: '2023-03-07T16:51:43.569624+08:00',
      _json: data('users_detail.json'),
      _raw: text,
    });
  });

  it('parses the user without detail (SDK fixture: only certify_time; seed: is_certified too)', () => {
    const sdk = parseUser('u2', data('users_no_detail.json'), '{}');
    expect(sdk).toMatchObject({ id: 'u2', displayName: 'u2', isCertified: true, certifyTime: '2023-03-04T20:42:00+08:00' });
    expect(sdk.name).toBeUndefined();
    const seed = parseUser('u3', data('users_no_detail_seed.json'), '{}');
    expect(seed).toMatchObject({ isCertified: false, certifyTime: null });
  });

  it('refuses wrong field types', () => {
    expect(codeOf(() => parseUser('u', { name: { first: 'x' } }, ''))).toBe('ERR_BAD_RESPONSE');
    expect(codeOf(() => parseUser('u', { is_certified: 'maybe' }, ''))).toBe('ERR_BAD_RESPONSE');
  });

  it('reads the error envelope of a gone user', () => {
    expect(parseEnvelope(fixture('users_not_found.json').body, 404).code).toBe('A0514');
    expect(parseEnvelope(fixture('token_invalid.json').body, 401).code).toBe('A0221');
  });

  it('parses the app info', () => {
    expect(parseAppInfo(data('apps_9.json'))).toMatchObject({ id: 9, username: 'zq_test', name: '测试项目', isActive: true });
    expect(codeOf(() => parseAppInfo({ id: 9 }))).toBe('ERR_BAD_RESPONSE');
  });
});
