import { isCampusAuthError } from '@campus-passport/core';
import {
  buildMenuTree,
  parseEnvelope,
  parsePermissions,
  parseRoles,
  parseUser,
  stripStoken,
  toProfile,
  type DisabledAidMenuNode,
  type DisabledAidPermission,
} from '../src';
import userGovernance from './fixtures/user-governance.json';
import userMinimal from './fixtures/user-minimal.json';
import userInvalid from './fixtures/user-invalid-stoken.json';
import userNoUuid from './fixtures/user-no-useruuid.json';
import roleset from './fixtures/roleset.json';
import permits from './fixtures/permits.json';
import tangled from './fixtures/permits-tangled.json';
import stripCases from './fixtures/strip-stoken.json';
import successNoData from './fixtures/success-no-data.json';
import successNullData from './fixtures/success-null-data.json';
import successObjectData from './fixtures/success-object-data.json';
import successEmptyArray from './fixtures/success-empty-array.json';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return isCampusAuthError(err) ? err.code : 'not a CampusAuthError';
  }
  return undefined;
}

/** The tree as nested ids, for readable assertions. */
function ids(nodes: DisabledAidMenuNode[]): unknown[] {
  return nodes.map((n) => (n.children.length ? { [n.id]: ids(n.children) } : n.id));
}

function count(nodes: DisabledAidMenuNode[]): number {
  return nodes.reduce((s, n) => s + 1 + count(n.children), 0);
}

describe('parseEnvelope', () => {
  it('reads meta, success, message and data', () => {
    const e = parseEnvelope(userGovernance, 'user');
    expect(e.success).toBe(true);
    expect(e.message).toBe('操作成功');
    expect(e.meta).toEqual({ code: 200, message: 'success', timestamp: 1767225600000 });
    expect(parseEnvelope(userInvalid, 'user')).toMatchObject({ success: false, message: '登录会话码无效', data: null });
  });

  it.each([
    ['an array', [1, 2]],
    ['a string', 'ok'],
    ['an empty body', undefined],
    ['no success', { message: 'x', data: {} }],
    ['a string success', { success: 'true', data: {} }],
  ])('rejects %s with ERR_BAD_RESPONSE', (_t, body) => {
    expect(codeOf(() => parseEnvelope(body, 'user'))).toBe('ERR_BAD_RESPONSE');
  });
});

describe('parseUser', () => {
  it('maps the documented fields', () => {
    expect(parseUser(userGovernance.data)).toEqual({
      useruuid: '8a8a8a01f0c14e2b9d3e5a6b7c8d9e01',
      username: '张慧',
      areacode: '330106000000',
      deptuuid: 'dept-330106-cl',
      deptname: '西湖区残疾人联合会',
    });
  });

  it('stringifies a numeric useruuid and leaves missing fields undefined', () => {
    expect(parseUser(userMinimal.data)).toEqual({
      useruuid: '10086',
      username: '王五',
      areacode: undefined,
      deptuuid: undefined,
      deptname: undefined,
    });
  });

  it('no data.useruuid, or no data at all → ERR_BAD_RESPONSE', () => {
    expect(codeOf(() => parseUser(userNoUuid.data))).toBe('ERR_BAD_RESPONSE');
    expect(codeOf(() => parseUser(null))).toBe('ERR_BAD_RESPONSE');
    expect(codeOf(() => parseUser([userGovernance.data]))).toBe('ERR_BAD_RESPONSE');
    expect(codeOf(() => parseUser({ useruuid: '' }))).toBe('ERR_BAD_RESPONSE');
  });
});

describe('parseRoles', () => {
  it('maps roles, numeric level, deduplicated by roleId in platform order', () => {
    expect(parseRoles(roleset.data)).toEqual([
      { id: 'r-city-viewer', code: 'CITY_VIEWER', name: '市级查看', level: 4 },
      { id: 'r-district-admin', code: 'DISTRICT_ADMIN', name: '区县管理员', level: 6 },
    ]);
  });

  it('wrong shapes are ERR_BAD_RESPONSE', () => {
    expect(codeOf(() => parseRoles({ roleId: 'x' }))).toBe('ERR_BAD_RESPONSE');
    expect(codeOf(() => parseRoles(['x']))).toBe('ERR_BAD_RESPONSE');
    expect(codeOf(() => parseRoles([{ roleCode: 'NO_ID' }]))).toBe('ERR_BAD_RESPONSE');
  });
});

describe('parsePermissions', () => {
  it('one entry per permId, merging the roles that grant it; root pids become undefined', () => {
    const perms = parsePermissions(permits.data);
    expect(perms.map((p) => p.id)).toEqual(['100', '200', '900', '202', '201']);
    expect(perms[0]).toEqual({
      id: '100',
      parentId: undefined,
      key: 'home',
      name: '首页',
      icon: 'home',
      path: '/home',
      sort: 1,
      roleCodes: ['CITY_VIEWER', 'DISTRICT_ADMIN'],
    });
    expect(perms[3]).toMatchObject({ id: '202', parentId: '200', icon: undefined, path: '/subsidies', sort: 2 });
    expect(perms[1].path).toBeUndefined();
  });

  it('wrong shapes are ERR_BAD_RESPONSE', () => {
    expect(codeOf(() => parsePermissions('nope'))).toBe('ERR_BAD_RESPONSE');
    expect(codeOf(() => parsePermissions([{ permName: 'no id' }]))).toBe('ERR_BAD_RESPONSE');
  });
});

describe('success: true without usable data (issue 13)', () => {
  /** The `data` of a fixture, through the envelope parser the client applies first. */
  const dataOf = (body: unknown) => {
    const envelope = parseEnvelope(body, 'the call');
    expect(envelope.success).toBe(true);
    return envelope.data;
  };

  it.each([
    ['data missing', successNoData],
    ['data null', successNullData],
    ['data an object', successObjectData],
  ])('%s → ERR_BAD_RESPONSE for roles, permissions and the user (not "no roles")', (_t, body) => {
    expect(codeOf(() => parseRoles(dataOf(body)))).toBe('ERR_BAD_RESPONSE');
    expect(codeOf(() => parsePermissions(dataOf(body)))).toBe('ERR_BAD_RESPONSE');
    expect(codeOf(() => parseUser(dataOf(body)))).toBe('ERR_BAD_RESPONSE');
  });

  it('an empty array is a user without roles or permissions', () => {
    expect(parseRoles(dataOf(successEmptyArray))).toEqual([]);
    expect(parsePermissions(dataOf(successEmptyArray))).toEqual([]);
    expect(codeOf(() => parseUser(dataOf(successEmptyArray)))).toBe('ERR_BAD_RESPONSE');
  });
});

describe('buildMenuTree', () => {
  it('builds the menu by permPid, siblings ordered by permSort', () => {
    const tree = buildMenuTree(parsePermissions(permits.data));
    expect(ids(tree)).toEqual(['100', { '200': ['201', '202'] }, '900']);
    expect(tree[1].children[0]).toMatchObject({ name: '残疾人档案', path: '/persons', children: [] });
  });

  it('orphans go to the top level, cycles are broken at their first-sorting member, nothing is lost', () => {
    const perms = parsePermissions(tangled.data);
    const tree = buildMenuTree(perms);
    expect(ids(tree)).toEqual(['b', { a: ['a2', 'a1'] }, 'orphan', 'self', { p: [{ q: ['q-child', 'r'] }] }, { y: ['x'] }]);
    expect(count(tree)).toBe(perms.length);
  });

  it('a whole-cycle input (every node has a parent) still terminates with every node once', () => {
    const ring: DisabledAidPermission[] = Array.from({ length: 50 }, (_, i) => ({
      id: `n${i}`,
      parentId: `n${(i + 1) % 50}`,
      key: `k${i}`,
      name: `N${i}`,
      sort: 50 - i,
      roleCodes: [],
    }));
    const tree = buildMenuTree(ring);
    expect(tree).toHaveLength(1);
    expect(tree[0].id).toBe('n49'); // sort 1
    expect(count(tree)).toBe(50);
  });

  it('does not change its input, and ignores repeated ids', () => {
    const perms = parsePermissions(permits.data);
    const before = JSON.stringify(perms);
    const tree = buildMenuTree([...perms, { ...perms[0], name: 'dup' }]);
    expect(JSON.stringify(perms)).toBe(before);
    expect(count(tree)).toBe(perms.length);
    expect(buildMenuTree([])).toEqual([]);
  });
});

describe('toProfile', () => {
  it('maps the user; roles, permissions and menu only when given', () => {
    const user = parseUser(userGovernance.data);
    const plain = toProfile({ side: 'governance', user, json: userGovernance, raw: JSON.stringify(userGovernance) });
    expect(plain).toEqual({
      provider: 'disabled-aid',
      id: '8a8a8a01f0c14e2b9d3e5a6b7c8d9e01',
      displayName: '张慧',
      areaCode: '330106000000',
      deptId: 'dept-330106-cl',
      deptName: '西湖区残疾人联合会',
      side: 'governance',
      _json: userGovernance,
      _raw: JSON.stringify(userGovernance),
    });
    expect('roles' in plain || 'permissions' in plain || 'menu' in plain).toBe(false);
    const full = toProfile({
      side: 'service',
      user,
      json: userGovernance,
      raw: '',
      roles: parseRoles(roleset.data),
      permissions: parsePermissions(permits.data),
    });
    expect(full.side).toBe('service');
    expect(full.roles).toHaveLength(2);
    expect(full.permissions).toHaveLength(5);
    expect(ids(full.menu!)).toEqual(['100', { '200': ['201', '202'] }, '900']);
  });
});

describe('stripStoken', () => {
  it.each(stripCases as Array<[string, string]>)('%s → %s', (input, expected) => {
    expect(stripStoken(input)).toBe(expected);
  });

  it('also removes a configured token parameter, leaving the rest unchanged', () => {
    expect(stripStoken('/p?token=1&stoken=2&a=3', 'token')).toBe('/p?a=3');
    expect(stripStoken('/p?t1=1&t2=2&a=3', ['t1', 't2'])).toBe('/p?a=3');
    expect(stripStoken('/p?a=1&b=2')).toBe('/p?a=1&b=2');
  });
});
