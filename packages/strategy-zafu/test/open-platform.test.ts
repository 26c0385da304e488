import { CampusAuthError, MemoryTokenStore } from '@campus-passport/core';
import { processTokenStore } from '@campus-passport/core/kit';
import { useEmulator } from '@campus-passport/mock-platforms/testing';
import { ZAFU_DEFAULT_APP, startZafuEmulator } from '@campus-passport/mock-platforms/zafu';
import { ZafuOpenPlatform, encryptIdCard, type ZafuOpenPlatformOptions } from '../src';
import { caught } from './helpers';

// Clients share the process-wide token store by default; every test starts from an empty one.
beforeEach(() => processTokenStore().clear());

const emulator = useEmulator(
  () => startZafuEmulator(),
  (e) => e.clock.reset(),
);

const { clientId, clientSecret, appId } = ZAFU_DEFAULT_APP;
const make = (extra: Partial<ZafuOpenPlatformOptions> = {}) =>
  new ZafuOpenPlatform({
    clientID: clientId,
    clientSecret,
    appID: appId,
    baseURL: emulator.current.url,
    timeout: 2000,
    now: () => emulator.current.clock.now(),
    ...extra,
  });

const last = (path: string) => [...emulator.current.requests].reverse().find((r) => r.path === path)!;

describe('client-credentials token', () => {
  it('POST /oauth/token with a JSON body; cached afterwards', async () => {
    emulator.current.clearRequests();
    const zafu = make();
    const token = await zafu.getAccessToken();
    expect(token).toBe(emulator.current.currentAppToken());
    expect(await zafu.getAccessToken()).toBe(token);
    const calls = emulator.current.requests.filter((r) => r.path === '/oauth/token');
    expect(calls).toHaveLength(1);
    expect(calls[0].method).toBe('POST');
    expect(calls[0].headers['content-type']).toContain('application/json');
    expect(calls[0].body).toEqual({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret });
  });

  it('tokenMethod GET sends the parameters in the query', async () => {
    emulator.current.clearRequests();
    await make({ tokenMethod: 'GET' }).getAccessToken();
    const call = last('/oauth/token');
    expect(call.method).toBe('GET');
    expect(call.query).toMatchObject({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret });
  });

  it('a bad secret (401) is ERR_PLATFORM and leaks no secret', async () => {
    const err = await caught(make({ clientSecret: 'wrong-secret-value-123' }).menuList());
    expect(err).toMatchObject({ code: 'ERR_PLATFORM', upstreamStatus: 401 });
    expect(JSON.stringify(err.toJSON()) + err.message + err.stack).not.toContain('wrong-secret-value-123');
  });

  it('403 access_denied and 400 unsupported_grant_type are ERR_PLATFORM with the platform code', async () => {
    emulator.current.inject(
      { kind: 'json', status: 403, body: { error: 'access_denied', error_description: 'Unauthorized scope: manaer' } },
      { path: '/oauth/token' },
    );
    expect(await caught(make().getAccessToken())).toMatchObject({
      code: 'ERR_PLATFORM',
      platformCode: 'access_denied',
      platformMessage: 'Unauthorized scope: manaer',
    });
    emulator.current.inject(
      { kind: 'json', status: 400, body: { error: 'unsupported_grant_type', error_description: 'Unsupported grant type: x' } },
      { path: '/oauth/token' },
    );
    expect(await caught(make().getAccessToken())).toMatchObject({ code: 'ERR_PLATFORM', platformCode: 'unsupported_grant_type' });
  });

  it('a platform answer that echoes the client secret or the app token never carries it into the error', async () => {
    const leaks = (err: CampusAuthError, value: string) =>
      [err.message, err.platformMessage ?? '', err.stack ?? '', JSON.stringify(err.toJSON())].some((s) => s.includes(value));
    // Spring-style descriptions that quote the credential without a "key=" / "key:" around it
    emulator.current.inject(
      { kind: 'json', status: 400, body: { error: 'invalid_client', error_description: `Bad client ${clientSecret} refused` } },
      { path: '/oauth/token' },
    );
    const tokenErr = await caught(make().getAccessToken());
    expect(tokenErr).toMatchObject({ code: 'ERR_PLATFORM', platformCode: 'invalid_client' });
    expect(leaks(tokenErr, clientSecret)).toBe(false);

    const z = make();
    await z.menuList();
    const token = emulator.current.currentAppToken()!;
    emulator.current.inject(
      { kind: 'json', status: 403, body: { error: 'access_denied', error_description: `scope refused for ${token}` } },
      { path: '/api/menulist' },
    );
    const apiErr = await caught(z.menuList());
    expect(apiErr).toMatchObject({ code: 'ERR_PLATFORM', platformCode: 'access_denied' });
    expect(leaks(apiErr, token)).toBe(false);
    emulator.current.inject(
      { kind: 'json', status: 403, body: { error: 'invalid_grant', error_description: `expired ${token}` } },
      { path: '/api/menulist', times: 2 },
    );
    const rejected = await caught(z.menuList());
    expect(rejected).toMatchObject({ code: 'ERR_PLATFORM', appTokenRejected: true });
    expect(leaks(rejected, token)).toBe(false);
  });

  it('one instance: 50 concurrent calls share a single token fetch (single-flight)', async () => {
    const emu2 = await startZafuEmulator();
    try {
      const z = new ZafuOpenPlatform({ clientID: clientId, clientSecret, appID: appId, baseURL: emu2.url, timeout: 5000 });
      const results = await Promise.allSettled(Array.from({ length: 50 }, () => z.mustTaskList()));
      expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
      expect(emu2.stats()).toMatchObject({ tokenFetches: 1, invalidations: 0, apiSuccesses: 50 });
    } finally {
      await emu2.close();
    }
  });

  it('a token answer without access_token is ERR_BAD_RESPONSE', async () => {
    emulator.current.inject({ kind: 'json', body: { expires_in: 1209600 } }, { path: '/oauth/token' });
    expect((await caught(make().getAccessToken())).code).toBe('ERR_BAD_RESPONSE');
  });

  it('the token is renewed after its 2-week expiry (emulator clock and client clock together)', async () => {
    const zafu = make();
    const first = await zafu.getAccessToken();
    emulator.current.clock.advance(1_209_600_000);
    const second = await zafu.getAccessToken();
    expect(second).not.toBe(first);
    await expect(zafu.menuList()).resolves.toHaveLength(1);
  });
});

describe('every open API: request shape and envelope', () => {
  const zafu = () => make();

  it('menuList: POST /api/menulist?access_token=… → the menu tree', async () => {
    const menus = await zafu().menuList();
    expect(menus[0]).toMatchObject({ id: 1702, name: '校园', childs: [{ id: 1703 }, { id: 1704 }] });
    const r = last('/api/menulist');
    expect(r.method).toBe('POST');
    expect(r.query).toEqual({ access_token: emulator.current.currentAppToken() });
  });

  it('submitMenus sends the whole tree as ?json=…; deleteMenu ?id=…', async () => {
    const z = zafu();
    const menus = await z.menuList();
    menus.push({ id: 1800, name: '新菜单', parent: 1701, lvl: 2, menuDaps: [], url: '#' });
    await z.submitMenus(menus);
    const sent = last('/api/menusubmit');
    expect(JSON.parse(sent.query.json as string)).toEqual(menus);
    expect((await z.menuList()).map((m) => m.id)).toEqual([1702, 1800]);
    await z.deleteMenu(1703);
    expect(last('/api/menudelete').query).toMatchObject({ id: '1703' });
    expect((await z.menuList())[0].childs!.map((m) => m.id)).toEqual([1704]);
    const err = await caught(z.deleteMenu('9999'));
    expect(err).toMatchObject({ code: 'ERR_PLATFORM', platformMessage: '菜单不存在', details: { errorFields: ['id'] } });
  });

  it('submitMenus refusal carries the platform message and errorFields', async () => {
    emulator.current.inject(
      {
        kind: 'json',
        body: { type: 'error', code: '失败', content: '菜单json格式错误', anchor: 'undefined', errorFields: ['json'] },
      },
      { path: '/api/menusubmit' },
    );
    const err = await caught(zafu().submitMenus([]));
    expect(err).toMatchObject({ code: 'ERR_PLATFORM', platformMessage: '菜单json格式错误', details: { errorFields: ['json'] } });
  });

  it('createMessage: msgcreate with content/scope/userno/channel/appId in the query', async () => {
    const before = emulator.current.messages.length;
    const out = await zafu().createMessage({
      content: '明天停电',
      scope: 6,
      userno: '2021101001',
      channel: 2,
      mobile: '13800000001',
    });
    expect(out).toEqual({ status: 1, message: '推送成功' });
    expect(last('/api/msgcreate').query).toEqual({
      content: '明天停电',
      scope: '6',
      userno: '2021101001',
      channel: '2',
      appId,
      mobile: '13800000001',
      access_token: emulator.current.currentAppToken(),
    });
    expect(emulator.current.messages).toHaveLength(before + 1);
  });

  it('createMessage refusal ({status:0, message}) → ERR_PLATFORM with the message', async () => {
    emulator.current.inject(
      { kind: 'json', body: { message: '推送内容、推送范围或推送渠道为空', status: 0 } },
      { path: '/api/msgcreate' },
    );
    const err = await caught(zafu().createMessage({ content: 'x', scope: 1, userno: '1', channel: 1 }));
    expect(err).toMatchObject({ code: 'ERR_PLATFORM', platformMessage: '推送内容、推送范围或推送渠道为空' });
    // and the real emulator refuses a wrong appId
    expect(await caught(zafu().createMessage({ content: 'x', scope: 1, userno: '1', channel: 1, appId: '99' }))).toMatchObject({
      code: 'ERR_PLATFORM',
      platformMessage: 'appId错误',
    });
  });

  it('sendMessage + getMessageStatus: a sent App message reads back, unread then read', async () => {
    const z = zafu();
    expect(
      await z.sendMessage({
        content: '请完成体温填报',
        messageType: 6,
        xgh: '2022202017',
        messageTo: 'https://app/x',
        dataKey: 'k-1',
      }),
    ).toEqual({ status: 1, message: '发送成功' });
    expect(last('/api/msgsend').query).toMatchObject({
      content: '请完成体温填报',
      messageType: '6',
      xgh: '2022202017',
      messageTo: 'https://app/x',
      dataKey: 'k-1',
      appId,
    });
    const status = await z.getMessageStatus({ xgh: '2022202017', messageType: 6, dataKey: 'k-1' });
    expect(status).toEqual([{ is_read: '0', message_content: '请完成体温填报', id: expect.any(Number), read_date: null }]);
    expect(last('/api/getMessageStatus').query).toMatchObject({ xgh: '2022202017', messageType: '6', dataKey: 'k-1' });
    emulator.current.markRead(status[0].id);
    const read = await z.getMessageStatus({ xgh: '2022202017', messageType: 6, dataKey: 'k-1' });
    expect(read[0]).toMatchObject({ is_read: '1', read_date: expect.any(Number) });
  });

  it('sendMessage: a WeChat content object is sent as a JSON string; refusals carry errorFields', async () => {
    const z = zafu();
    await z.sendMessage({ content: { first: { value: '你好' } }, messageType: 3, messageTo: 'openid-1', templateId: 'tpl-1' });
    expect(JSON.parse(last('/api/msgsend').query.content as string)).toEqual({ first: { value: '你好' } });
    const err = await caught(z.sendMessage({ content: 'x', messageType: 7, xgh: '1', messageTo: '999' }));
    expect(err).toMatchObject({ code: 'ERR_PLATFORM', platformMessage: '任务不存在', details: { errorFields: 'messageTo' } });
  });

  it('getMessageStatus refusal → ERR_PLATFORM with errorFields', async () => {
    emulator.current.inject(
      { kind: 'json', body: { type: 'error', code: '失败', content: '参数不能为空', anchor: 'undefined', errorFields: ['xgh'] } },
      { path: '/api/getMessageStatus' },
    );
    const err = await caught(zafu().getMessageStatus({ xgh: 'x', messageType: 5 }));
    expect(err).toMatchObject({ code: 'ERR_PLATFORM', details: { errorFields: ['xgh'] } });
  });

  it('mustTaskList → the tasks', async () => {
    expect(await zafu().mustTaskList()).toEqual([
      { id: 14, title: '关于清理校内废弃自行车、电瓶车的通知' },
      { id: 16, title: '测试学生销假' },
      { id: 18, title: '预警信息' },
    ]);
    expect(last('/api/mustTaskList').method).toBe('POST');
  });

  it('scanRecord encrypts idCard with the appId key; the emulator decrypts it', async () => {
    await zafu().scanRecord({
      termName: '东湖食堂一楼',
      termSn: 'SN-0001',
      name: '林晓雨',
      xgh: '2021101001',
      idCard: '33010219900307123X',
      userType: '学生',
      scanDate: new Date(Date.UTC(2024, 6, 4, 2, 3, 4)),
    });
    const q = last('/api/scanrecord.jhtm').query;
    expect(q).toMatchObject({ termName: '东湖食堂一楼', appId, scanDate: '2024-07-04 10:03:04' });
    expect(q.idCard).toBe(encryptIdCard('33010219900307123X', appId));
    expect(q.idCard).not.toContain('33010219900307123X');
    expect(emulator.current.scanRecords.at(-1)!.idCard).toBe('33010219900307123X');
  });

  it('scanRecord with the wrong AES mode is refused by the platform (errorFields idCard)', async () => {
    const err = await caught(
      make({ aes: { mode: 'cbc' } }).scanRecord({
        termName: 't',
        termSn: 's',
        name: 'n',
        xgh: '1',
        idCard: '33010219900307123X',
        userType: '教师',
        scanDate: '24-07-04 10:03:04',
      }),
    );
    expect(err).toMatchObject({ code: 'ERR_PLATFORM', details: { errorFields: ['idCard'] } });
  });

  it("paramsIn 'form' sends the parameters as a form body, access_token stays in the query", async () => {
    await make({ paramsIn: 'form' })
      .deleteMenu(1704)
      .catch(() => undefined);
    const r = last('/api/menudelete');
    expect(r.query).toEqual({ access_token: expect.any(String) });
    expect(r.headers['content-type']).toContain('application/x-www-form-urlencoded');
    expect(r.body).toEqual({ id: '1704' });
  });

  it('wrong-shaped answers → ERR_BAD_RESPONSE; 5xx → ERR_PLATFORM (retryable)', async () => {
    emulator.current.inject({ kind: 'json', body: { unexpected: true } }, { path: '/api/mustTaskList' });
    expect((await caught(zafu().mustTaskList())).code).toBe('ERR_BAD_RESPONSE');
    emulator.current.inject({ kind: 'json', body: { type: 'success', data: { not: 'a list' } } }, { path: '/api/menulist' });
    expect((await caught(zafu().menuList())).code).toBe('ERR_BAD_RESPONSE');
    emulator.current.inject({ kind: 'json', body: { status: 'maybe' } }, { path: '/api/msgsend' });
    expect((await caught(zafu().sendMessage({ content: 'x', messageType: 1, messageTo: '138' }))).code).toBe('ERR_BAD_RESPONSE');
    emulator.current.inject({ kind: 'json', status: 503, body: { message: 'maintenance' } }, { path: '/api/menulist' });
    expect(await caught(zafu().menuList())).toMatchObject({ code: 'ERR_PLATFORM', retryable: true });
    emulator.current.inject({ kind: 'html' }, { path: '/api/menulist' });
    expect((await caught(zafu().menuList())).code).toBe('ERR_BAD_RESPONSE');
  });

  it('HTTP 429 is ERR_RATE_LIMITED (retryable), at the token endpoint and on an API; no token retry', async () => {
    emulator.current.inject({ kind: 'json', status: 429, body: { error: 'too_many_requests' } }, { path: '/oauth/token' });
    expect(await caught(make().getAccessToken())).toMatchObject({
      code: 'ERR_RATE_LIMITED',
      retryable: true,
      upstreamStatus: 429,
    });
    const z = make();
    await z.menuList();
    const fetches = emulator.current.stats().tokenFetches;
    emulator.current.inject({ kind: 'status', status: 429, body: '' }, { path: '/api/menulist' });
    expect(await caught(z.menuList())).toMatchObject({ code: 'ERR_RATE_LIMITED', appTokenRejected: false });
    expect(emulator.current.stats().tokenFetches).toBe(fetches);
  });

  it('missing required arguments → ERR_CONFIG before any call', async () => {
    await expect(zafu().createMessage({ content: '', scope: 1, userno: '1', channel: 1 })).rejects.toThrow(
      /"content" is required/,
    );
    await expect(make({ appID: undefined }).scanRecord({} as never)).rejects.toMatchObject({ code: 'ERR_CONFIG' });
  });
});

describe('a rejected app token is renewed and the call retried once', () => {
  it('403 invalid_grant "Access token is expired" → one new token, the call succeeds', async () => {
    const z = make();
    await z.menuList();
    const fetches = emulator.current.stats().tokenFetches;
    emulator.current.inject(
      { kind: 'json', status: 403, body: { error: 'invalid_grant', error_description: 'Access token is expired' } },
      { path: '/api/menulist' },
    );
    await expect(z.menuList()).resolves.toEqual(expect.arrayContaining([expect.objectContaining({ id: 1702 })]));
    expect(emulator.current.stats().tokenFetches).toBe(fetches + 1);
  });

  it('401 → renewed and retried; a second rejection is not retried again', async () => {
    const z = make();
    emulator.current.inject({ kind: 'status', status: 401, body: '' }, { path: '/api/mustTaskList' });
    await expect(z.mustTaskList()).resolves.toHaveLength(3);
    emulator.current.inject({ kind: 'status', status: 401, body: '' }, { path: '/api/mustTaskList', times: 2 });
    expect(await caught(z.mustTaskList())).toMatchObject({ code: 'ERR_PLATFORM', appTokenRejected: true, upstreamStatus: 401 });
  });

  it('403 access_denied is not a token problem: no retry', async () => {
    const z = make();
    await z.menuList();
    const fetches = emulator.current.stats().tokenFetches;
    emulator.current.inject(
      { kind: 'json', status: 403, body: { error: 'access_denied', error_description: 'no' } },
      { path: '/api/menulist' },
    );
    expect(await caught(z.menuList())).toMatchObject({
      code: 'ERR_PLATFORM',
      platformCode: 'access_denied',
      appTokenRejected: false,
    });
    expect(emulator.current.stats().tokenFetches).toBe(fetches);
  });
});

describe('the invalidation hazard: every fetch invalidates the previous token', () => {
  const mixed = (z: ZafuOpenPlatform, i: number) =>
    i % 3 === 0 ? z.mustTaskList() : i % 3 === 1 ? z.menuList() : z.getMessageStatus({ xgh: '1', messageType: 5 });

  it('two instances sharing one store: 200 concurrent calls → 1 token fetch, no failed call', async () => {
    const emu2 = await startZafuEmulator();
    try {
      const store = new MemoryTokenStore();
      const opts = { clientID: clientId, clientSecret, appID: appId, baseURL: emu2.url, timeout: 5000, tokenStore: store };
      const a = new ZafuOpenPlatform(opts);
      const b = new ZafuOpenPlatform(opts);
      const results = await Promise.allSettled(Array.from({ length: 200 }, (_, i) => mixed(i % 2 ? a : b, i)));
      expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
      expect(emu2.stats()).toMatchObject({ tokenFetches: 1, invalidations: 0, staleRejections: 0, apiSuccesses: 200 });
    } finally {
      await emu2.close();
    }
  });

  it('by default, instances in one process share the process-wide store: 1 token fetch, no failed call', async () => {
    const emu2 = await startZafuEmulator();
    try {
      const opts = { clientID: clientId, clientSecret, appID: appId, baseURL: emu2.url, timeout: 5000 };
      const a = new ZafuOpenPlatform(opts);
      const b = new ZafuOpenPlatform(opts);
      const results = await Promise.allSettled(Array.from({ length: 200 }, (_, i) => mixed(i % 2 ? a : b, i)));
      expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
      expect(emu2.stats()).toMatchObject({ tokenFetches: 1, invalidations: 0, staleRejections: 0, apiSuccesses: 200 });
    } finally {
      await emu2.close();
    }
  });

  it('the same two instances with separate stores log each other out (the emulator sees stale tokens)', async () => {
    const emu2 = await startZafuEmulator();
    try {
      const opts = { clientID: clientId, clientSecret, appID: appId, baseURL: emu2.url, timeout: 5000 };
      const a = new ZafuOpenPlatform({ ...opts, tokenStore: new MemoryTokenStore() });
      const b = new ZafuOpenPlatform({ ...opts, tokenStore: new MemoryTokenStore() });
      // deterministic: A fetches, B fetches (invalidating A's token), A calls with its cached token
      await a.menuList();
      await b.menuList();
      expect(emu2.stats()).toMatchObject({ tokenFetches: 2, invalidations: 1, staleRejections: 0 });
      await a.menuList(); // rejected as stale, A refetches (invalidating B's), retries
      expect(emu2.stats()).toMatchObject({ tokenFetches: 3, invalidations: 2, staleRejections: 1 });
      // and under load the two keep invalidating each other
      await Promise.allSettled(Array.from({ length: 200 }, (_, i) => mixed(i % 2 ? a : b, i)));
      const s = emu2.stats();
      expect(s.staleRejections).toBeGreaterThan(1);
      expect(s.tokenFetches).toBeGreaterThan(3);
      expect(s.invalidations).toBe(s.tokenFetches - 1);
      const stale = emu2.tokenEvents.filter((e) => e.event === 'rejected-stale');
      expect(stale.every((e) => e.clientId === clientId && e.path?.startsWith('/api/'))).toBe(true);
    } finally {
      await emu2.close();
    }
  });
});

describe('construction', () => {
  it('validates options with ERR_CONFIG naming the option', () => {
    const ok = { clientID: 'a', clientSecret: 'b' };
    expect(() => new ZafuOpenPlatform({ ...ok, clientID: '' })).toThrow(/"clientID"/);
    expect(() => new ZafuOpenPlatform({ clientSecret: 'b' } as ZafuOpenPlatformOptions)).toThrow(/"clientID"/);
    expect(() => new ZafuOpenPlatform({ ...ok, clientSecret: undefined as unknown as string })).toThrow(/"clientSecret"/);
    expect(() => new ZafuOpenPlatform({ ...ok, appID: '12345678901234567' })).toThrow(/"appID"/);
    expect(() => new ZafuOpenPlatform({ ...ok, tokenMethod: 'PUT' as 'GET' })).toThrow(/"tokenMethod"/);
    expect(() => new ZafuOpenPlatform({ ...ok, paramsIn: 'body' as 'form' })).toThrow(/"paramsIn"/);
    expect(() => new ZafuOpenPlatform({ ...ok, baseURL: 'not a url' })).toThrow(/"baseURL"/);
    expect(() => new ZafuOpenPlatform({ ...ok, timeout: 0 })).toThrow(/"timeout"/);
    expect(() => new ZafuOpenPlatform({ ...ok, aes: { mode: 'gcm' as 'ecb' } })).toThrow(/"aes.mode"/);
    expect(() => new ZafuOpenPlatform({ ...ok, aes: { encoding: 'utf8' as 'hex' } })).toThrow(/"aes.encoding"/);
    expect(() => new ZafuOpenPlatform({ ...ok, tokenStore: {} as never })).toThrow(/"tokenStore"/);
    expect(() => new ZafuOpenPlatform({ ...ok, paths: { menulist: '' } })).toThrow(/"paths.menulist"/);
    try {
      new ZafuOpenPlatform({ ...ok, clientID: '' });
    } catch (err) {
      expect((err as CampusAuthError).code).toBe('ERR_CONFIG');
    }
  });

  it('the deprecated spellings clientId and appId still work, and are named in their errors', async () => {
    const ok = { clientId: 'a', clientSecret: 'b' };
    expect(() => new ZafuOpenPlatform({ ...ok, clientId: '' })).toThrow(/"clientId"/);
    expect(() => new ZafuOpenPlatform({ ...ok, clientSecret: undefined as unknown as string })).toThrow(/"clientSecret"/);
    expect(() => new ZafuOpenPlatform({ ...ok, appId: '12345678901234567' })).toThrow(/"appId"/);
    try {
      new ZafuOpenPlatform({ ...ok, clientId: '' });
    } catch (err) {
      expect((err as CampusAuthError).code).toBe('ERR_CONFIG');
    }
    expect(() => new ZafuOpenPlatform({ ...ok, clientID: 'other' })).toThrow(/"clientID" and "clientId"/);
    const old = new ZafuOpenPlatform({ clientId, clientSecret, appId, baseURL: emulator.current.url, timeout: 2000 });
    expect(old.clientID).toBe(clientId);
    expect(old.appID).toBe(appId);
    expect(await old.createMessage({ content: 'x', scope: 6, userno: '1', channel: 1 })).toEqual({
      status: 1,
      message: '推送成功',
    });
    expect(last('/api/msgcreate').query).toMatchObject({ appId });
  });
});
