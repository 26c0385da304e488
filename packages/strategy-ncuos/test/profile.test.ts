import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  parseAccessVerify,
  parseLoginAnswer,
  parsePayloadAnswer,
  parsePublicUsers,
  parseRefreshAnswer,
  parseUserInfo,
  toCredentials,
  toProfile,
} from '../src';

function fixture(name: string): { text: string; body: { code: number; data?: unknown } } {
  const text = readFileSync(join(__dirname, 'fixtures', name), 'utf8');
  return { text, body: JSON.parse(text) };
}

const badResponse = expect.objectContaining({ code: 'ERR_BAD_RESPONSE', platform: 'ncuos' });

describe('profile parsing (fixtures)', () => {
  it('refresh_token login answer → profile without tokens + credentials with them', () => {
    const { text, body } = fixture('login-refresh-token.json');
    const answer = parseLoginAnswer(body.data, text);
    const profile = toProfile(answer);
    expect(profile).toEqual({
      provider: 'ncuos',
      id: '8',
      displayName: '孙翔宇',
      groups: ['研发', '中心'],
      avatarUrl: 'https://aaa.bbb.com/ccc.png',
      _json: { userID: 8, name: '孙翔宇', avatarUrl: 'https://aaa.bbb.com/ccc.png', groups: ['研发', '中心'] },
      _raw: expect.any(String),
    });
    // the raw body is kept, but the tokens in it are redacted
    expect(profile._raw).toContain('孙翔宇');
    expect(profile._raw).not.toContain('fixture-refresh-signature');
    expect(profile._raw).not.toContain('fixture-access-signature');
    expect(toCredentials('login-tok', answer)).toEqual({
      loginToken: 'login-tok',
      refreshToken: 'eyJhbGciOiJIUzI1NiJ9.eyJ0eXAiOiJyZWZyZXNoIn0.fixture-refresh-signature',
      accessToken: 'eyJhbGciOiJIUzI1NiJ9.eyJ0eXAiOiJhY2Nlc3MifQ.fixture-access-signature',
    });
  });

  it('once login answer → credentials with the login token only', () => {
    const { text, body } = fixture('login-once.json');
    const answer = parseLoginAnswer(body.data, text);
    expect(toCredentials('t', answer)).toEqual({ loginToken: 't' });
    expect(toProfile(answer)).toMatchObject({ id: '9', displayName: '李晓燕', groups: ['设计'], _raw: text });
  });

  it('once login answer as the server sends it (response/login.go: empty refreshToken / accessToken, no omitempty)', () => {
    const { text, body } = fixture('login-once-server.json');
    const answer = parseLoginAnswer(body.data, text);
    expect(answer).not.toHaveProperty('refreshToken');
    expect(answer).not.toHaveProperty('accessToken');
    expect(toCredentials('t', answer)).toEqual({ loginToken: 't' });
    expect(toProfile(answer)._json).toEqual({
      userID: 9,
      name: '李晓燕',
      groups: ['设计'],
      avatarUrl: 'https://aaa.bbb.com/ddd.png',
    });
  });

  it('an answer without avatarUrl or tokens gives objects without those keys (not keys holding undefined)', () => {
    const raw = '{"code":0,"data":{"userID":5,"name":"王五","groups":[]}}';
    const answer = parseLoginAnswer({ userID: 5, name: '王五', groups: [] }, raw);
    expect(Object.keys(answer).sort()).toEqual(['groups', 'json', 'name', 'raw', 'userID']);
    const profile = toProfile(answer);
    expect(profile).not.toHaveProperty('avatarUrl');
    expect(Object.keys(profile)).toEqual(['provider', 'id', 'displayName', 'groups', '_json', '_raw']);
    expect(parseUserInfo({ userID: 5, name: '王五', groups: [] })).toEqual({ userID: 5, name: '王五', groups: [] });
    expect(Object.keys(parseUserInfo({ userID: 5, name: '王五', groups: [] }))).not.toContain('avatarUrl');
  });

  it("the seed's example (`id` instead of `userID`) is accepted", () => {
    const { text, body } = fixture('login-seed-example.json');
    expect(toProfile(parseLoginAnswer(body.data, text)).id).toBe('8');
  });

  it('refresh answer: snake_case access_token → accessToken', () => {
    expect(parseRefreshAnswer(fixture('refresh.json').body.data)).toEqual({
      accessToken: 'eyJhbGciOiJIUzI1NiJ9.eyJ0eXAiOiJhY2Nlc3MifQ.fixture-new-access',
      payload: 'example',
    });
  });

  it('payload, access-verify, user-info and public users answers', () => {
    expect(parsePayloadAnswer(fixture('payload.json').body.data)).toEqual({
      refreshToken: 'eyJ.new-refresh.sig',
      accessToken: 'eyJ.new-access.sig',
    });
    expect(parsePayloadAnswer({ refreshToken: 'r' })).toEqual({ refreshToken: 'r' });
    expect(parseAccessVerify(fixture('access-verify.json').body.data)).toEqual({ uid: 8, payload: 'example' });
    expect(parseUserInfo(fixture('user-info.json').body.data)).toEqual({
      userID: 8,
      name: '孙翔宇',
      avatarUrl: 'https://aaa.bbb.com/ccc.png',
      groups: ['研发', '中心'],
    });
    expect(parsePublicUsers(fixture('public-users.json').body.data)).toEqual([
      { id: 1, name: '甲', avatarUrl: 'https://aaa.bbb.com/1.png', groups: [{ id: 1, name: '研发' }] },
      { id: 2, name: '乙', groups: [] },
    ]);
  });

  it('groups given as { id, name } objects become names', () => {
    const a = parseLoginAnswer({ userID: 1, name: 'x', groups: [{ id: 3, name: '设计' }, '研发'] }, '{}');
    expect(a.groups).toEqual(['设计', '研发']);
  });

  it('wrong shapes → ERR_BAD_RESPONSE', () => {
    expect(() => parseLoginAnswer(undefined, '')).toThrow(badResponse);
    expect(() => parseLoginAnswer([], '[]')).toThrow(badResponse);
    expect(() => parseLoginAnswer({ name: 'no id' }, '{}')).toThrow(badResponse);
    expect(() => parseLoginAnswer({ userID: 1 }, '{}')).toThrow(badResponse);
    expect(() => parseLoginAnswer({ userID: 1, name: 'x', groups: 'a,b' }, '{}')).toThrow(badResponse);
    expect(() => parseLoginAnswer({ userID: 1, name: 'x', groups: [1] }, '{}')).toThrow(badResponse);
    expect(() => parseLoginAnswer({ userID: 1, name: 'x', refreshToken: 5 }, '{}')).toThrow(badResponse);
    expect(() => parseRefreshAnswer({ payload: 'p' })).toThrow(badResponse);
    expect(() => parsePayloadAnswer({})).toThrow(badResponse);
    expect(() => parseAccessVerify({ uid: 'eight' })).toThrow(badResponse);
    expect(() => parseUserInfo(null)).toThrow(badResponse);
    expect(() => parsePublicUsers({ id: 1 })).toThrow(badResponse);
    expect(() => parsePublicUsers([{ id: '1', name: 'x' }])).toThrow(badResponse);
    expect(() => parsePublicUsers([{ id: 1, name: 'x', groups: [{ name: 'no id' }] }])).toThrow(badResponse);
    expect(parsePublicUsers([{ id: 1, name: 'x', groups: [{ id: '7', name: 'string id' }] }])[0].groups).toEqual([
      { id: 7, name: 'string id' },
    ]);
  });
});
