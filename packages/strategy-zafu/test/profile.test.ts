import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CampusAuthError } from '@campus-passport/core';
import { APP_TOKEN_TTL_SECONDS, checkEnvelope, checkStatusEnvelope, parseAppToken, parseProfile, parseUserTokens } from '../src';

const raw = (name: string) => readFileSync(join(__dirname, 'fixtures', name), 'utf8');
const fixture = (name: string): unknown => JSON.parse(raw(name));

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return (err as CampusAuthError).code;
  }
  return undefined;
}

describe('parseProfile', () => {
  it('maps the plain user-info answer with the default fields', () => {
    const p = parseProfile(fixture('userinfo.json'), raw('userinfo.json'));
    expect(p).toEqual({
      provider: 'zafu',
      id: '100001',
      displayName: '林晓雨',
      xgh: '2021101001',
      userType: '学生',
      department: '林业与生物技术学院',
      _json: fixture('userinfo.json'),
      _raw: raw('userinfo.json'),
    });
  });

  it('unwraps the ZAFU envelope and follows a profileFields mapping (dotted paths, candidates)', () => {
    const p = parseProfile(fixture('userinfo-envelope.json'), raw('userinfo-envelope.json'), {
      xgh: 'gh',
      department: ['dept', 'org.name'],
    });
    expect(p).toMatchObject({
      id: '200001',
      displayName: '王建国',
      xgh: 'T2008012',
      userType: '教师',
      department: '环境与资源学院',
    });
    expect(p._json).toEqual((fixture('userinfo-envelope.json') as { data: unknown }).data);
  });

  it('an OIDC-style answer ({sub}) gives id and falls back to it for displayName', () => {
    const p = parseProfile(fixture('userinfo-oidc.json'), raw('userinfo-oidc.json'));
    expect(p).toMatchObject({ provider: 'zafu', id: 'johndoe', displayName: 'johndoe' });
    expect(p.xgh).toBeUndefined();
  });

  it('wrong shapes → ERR_BAD_RESPONSE; an error envelope → ERR_PLATFORM', () => {
    expect(codeOf(() => parseProfile([1, 2], '[1,2]'))).toBe('ERR_BAD_RESPONSE');
    expect(codeOf(() => parseProfile(undefined, ''))).toBe('ERR_BAD_RESPONSE');
    expect(codeOf(() => parseProfile({ name: 'no id' }, '{}'))).toBe('ERR_BAD_RESPONSE');
    expect(codeOf(() => parseProfile({ id: { nested: true } }, '{}'))).toBe('ERR_BAD_RESPONSE');
    expect(codeOf(() => parseProfile(fixture('envelope-error.json'), ''))).toBe('ERR_PLATFORM');
  });
});

describe('token answers', () => {
  it('parseUserTokens reads the standard fields and keeps the whole answer', () => {
    expect(parseUserTokens(fixture('token.json'))).toEqual({
      accessToken: 'u-access-token-1',
      refreshToken: 'u-refresh-1',
      tokenType: 'bearer',
      expiresIn: 7200,
      scope: 'base',
      params: fixture('token.json'),
    });
    expect(codeOf(() => parseUserTokens({ token_type: 'bearer' }))).toBe('ERR_BAD_RESPONSE');
    expect(codeOf(() => parseUserTokens('x'))).toBe('ERR_BAD_RESPONSE');
  });

  it('parseAppToken: expiry from expires_in (number or string), default 2 weeks', () => {
    const now = 1_700_000_000_000;
    expect(parseAppToken(fixture('app-token.json'), now)).toEqual({
      accessToken: 'VrwNIk9VGqrucb6zZukmCuQbvlBhbnwj',
      expiresAt: now + 1_209_600_000,
      extra: { scope: 'base_api', tokenType: 'Bearer' },
    });
    expect(parseAppToken(fixture('app-token-string-expiry.json'), now).expiresAt).toBe(now + 1_209_600_000);
    expect(parseAppToken({ access_token: 'x' }, now).expiresAt).toBe(now + APP_TOKEN_TTL_SECONDS * 1000);
    expect(codeOf(() => parseAppToken({ error: 'access_denied' }, now))).toBe('ERR_BAD_RESPONSE');
  });
});

describe('envelopes', () => {
  it('type success → data', () => {
    const data = checkEnvelope(fixture('menulist.json'), 'menulist') as Array<{ id: number; childs: unknown[] }>;
    expect(data[0].id).toBe(1702);
    expect(checkEnvelope(fixture('message-status.json'), 'x')).toHaveLength(1);
  });

  it('type error → ERR_PLATFORM with the platform message and errorFields in details', () => {
    let err: CampusAuthError | undefined;
    try {
      checkEnvelope(fixture('envelope-error.json'), 'menusubmit');
    } catch (e) {
      err = e as CampusAuthError;
    }
    expect(err).toBeInstanceOf(CampusAuthError);
    expect(err).toMatchObject({
      code: 'ERR_PLATFORM',
      platform: 'zafu',
      platformCode: '失败',
      platformMessage: '菜单json格式错误',
      details: { type: 'error', errorFields: ['json'], anchor: 'undefined' },
    });
    expect(codeOf(() => checkEnvelope({ data: [] }, 'x'))).toBe('ERR_BAD_RESPONSE');
    expect(codeOf(() => checkEnvelope([], 'x'))).toBe('ERR_BAD_RESPONSE');
  });

  it('status envelope: 1 ok, 0 → ERR_PLATFORM with message, other → ERR_BAD_RESPONSE', () => {
    expect(checkStatusEnvelope(fixture('msgsend-ok.json'), 'msgsend')).toEqual({ status: 1, message: '发送成功' });
    expect(checkStatusEnvelope({ status: '1', message: 'ok' }, 'x')).toEqual({ status: 1, message: 'ok' });
    let err: CampusAuthError | undefined;
    try {
      checkStatusEnvelope(fixture('msgcreate-error.json'), 'msgcreate');
    } catch (e) {
      err = e as CampusAuthError;
    }
    expect(err).toMatchObject({
      code: 'ERR_PLATFORM',
      platformMessage: '推送内容、推送范围或推送渠道为空',
      details: { status: 0 },
    });
    expect(codeOf(() => checkStatusEnvelope({ message: 'x' }, 'x'))).toBe('ERR_BAD_RESPONSE');
    expect(codeOf(() => checkStatusEnvelope({ status: 2 }, 'x'))).toBe('ERR_BAD_RESPONSE');
  });
});
