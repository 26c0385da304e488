import {
  CredentialStore,
  isLocalRedirect,
  loginPage,
  param,
  params,
  platformEntry,
  randomCredential,
  startAll,
  startEmulator,
  withQuery,
  type Emulator,
} from '../src';
import { EMULATOR_CSS, MOCK_MARK, page } from '../src/kit';

describe('emulator kit', () => {
  it('CredentialStore: single-use, expiring on the emulator clock', () => {
    let t = 1_000;
    const store = new CredentialStore<{ user: string }>(() => t, 5_000);
    const a = store.mint({ user: 'u1' });
    const b = store.mint({ user: 'u2' }, { ttl: 100, prefix: 'zq-' });
    expect(a).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(b.startsWith('zq-')).toBe(true);
    expect(store.peek(a)).toEqual({ user: 'u1' });
    expect(store.take(a)).toEqual({ user: 'u1' });
    expect(store.take(a)).toBeUndefined(); // used
    t += 100;
    expect(store.take(b)).toBe('expired');
    expect(store.take(b)).toBe('expired'); // a late retry hears "expired" again
    expect(store.expiresAt(b)).toBe(1_100);
    t += 10_000;
    store.mint({ user: 'u4' }); // prunes what expired a lifetime ago
    expect(store.take(b)).toBeUndefined();
    expect(store.take(undefined)).toBeUndefined();
    const c = store.mint({ user: 'u3' }, { credential: 'fixed' });
    expect(c).toBe('fixed');
    expect(store.delete('fixed')).toBe(true);
    expect(store.size).toBe(1);
  });

  it('randomCredential is random and URL-safe', () => {
    const seen = new Set(Array.from({ length: 50 }, () => randomCredential('', 12)));
    expect(seen.size).toBe(50);
    for (const s of seen) expect(s).toMatch(/^[A-Za-z0-9_-]{16}$/);
  });

  it('param/params read query first, then body; first value of a repeated one', async () => {
    const emu = await startEmulator({
      name: 'kit',
      routes(app) {
        app.all(
          '/p',
          (req, res) =>
            void res.json({
              code: param(req, 'code') ?? null,
              n: param(req, 'n') ?? null,
              q: param(req, 'n', ['query']) ?? null,
              all: params(req),
            }),
        );
      },
    });
    try {
      const r1 = await fetch(`${emu.url}/p?code=a&code=b`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ code: 'c', n: 5 }),
      });
      expect(await r1.json()).toEqual({ code: 'a', n: '5', q: null, all: { code: 'a', n: '5' } });
      const r2 = await fetch(`${emu.url}/p`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'code=x&code=y',
      });
      expect(await r2.json()).toEqual({ code: 'x', n: null, q: null, all: { code: 'x' } });
    } finally {
      await emu.close();
    }
  });

  it('isLocalRedirect: this machine only, or the registered list', () => {
    expect(isLocalRedirect('http://localhost:3000/cb')).toBe(true);
    expect(isLocalRedirect('https://127.0.0.1/cb')).toBe(true);
    expect(isLocalRedirect('http://evil.example/cb')).toBe(false);
    expect(isLocalRedirect('javascript:alert(1)')).toBe(false);
    expect(isLocalRedirect('not a url')).toBe(false);
    expect(isLocalRedirect('http://app.example/cb?x=1', ['http://app.example/cb'])).toBe(true);
    expect(isLocalRedirect('http://localhost:3000/cb', ['http://app.example/cb'])).toBe(false);
  });

  it('withQuery keeps the fragment and leaves undefined out', () => {
    expect(withQuery('http://a.example/cb?x=1#top', { code: 'c d', state: undefined })).toBe(
      'http://a.example/cb?x=1&code=c+d#top',
    );
  });

  it('loginPage: escaped users, hidden fields, deny, and the （模拟） mark', () => {
    const html = loginPage({
      platform: '杭电助手',
      action: '/authorize?x=<1>',
      hidden: { state: '"s"', skip: undefined },
      users: [{ value: 'u1', label: '<b>张三</b>' }],
      deny: '拒绝授权',
    });
    expect(html).toContain('<title>杭电助手 · 授权登录（模拟）</title>');
    expect(html).toContain('<h1>杭电助手 · 授权登录（模拟）</h1>');
    expect(html).toContain('<form method="post" action="/authorize?x=&lt;1&gt;">');
    expect(html).toContain('action="/authorize?x=&lt;1&gt;"');
    expect(html).toContain('name="state" value="&quot;s&quot;"');
    expect(html).not.toContain('name="skip"');
    expect(html).toContain('&lt;b&gt;张三&lt;/b&gt;');
    expect(html).toContain('data-deny="1"');
    expect(loginPage({ platform: 'x', action: '/a', users: [] })).not.toContain('data-deny');
  });
});

/** The page's <title>, its banner, and its stylesheet. */
function shellOf(html: string): { title: string; banner: boolean; css: string | undefined } {
  return {
    title: /<title>([^<]*)<\/title>/.exec(html)?.[1] ?? '',
    banner: /<p class="mock-banner" data-mock-banner role="note">（模拟）/.test(html),
    css: /<style>([\s\S]*?)<\/style>/.exec(html)?.[1],
  };
}

describe('the page shell: one family of （模拟） pages', () => {
  it('page(): the mark once in the title and the heading, the banner, the one stylesheet, an inline icon', () => {
    const html = page('自强 Auth', '<p>x</p>');
    expect(shellOf(html)).toEqual({ title: '自强 Auth（模拟）', banner: true, css: EMULATOR_CSS });
    expect(html).toContain('<h1>自强 Auth（模拟）</h1>');
    expect(html).toMatch(/^<!doctype html><html lang="zh-CN">/);
    expect(html).toContain('<link rel="icon" href="data:image/svg+xml,');
    expect(html).toContain('Local emulator — not the real platform');
    // a title that already carries the mark keeps just one
    expect(shellOf(page(`门户${MOCK_MARK}`, '')).title).toBe('门户（模拟）');
    expect(page('<b>', '').includes('<title>&lt;b&gt;（模拟）</title>')).toBe(true);
  });

  describe('every page of the five emulators (login pages, portals, error pages, the SPA shell)', () => {
    let started: Emulator[] = [];
    beforeAll(async () => {
      started = await startAll({ freePorts: true, only: ['hduhelp', 'ziqiang', 'ncuos', 'disabled-aid', 'zafu'] });
    });
    afterAll(async () => {
      await Promise.all(started.map((e) => e.close()));
    });

    const LOGIN = 'its login page';
    const PAGES: Array<[platform: string, path: string, status: number]> = [
      ['hduhelp', LOGIN, 200],
      ['hduhelp', '/oauth/authorize?response_type=code&client_id=nope', 400],
      ['ziqiang', LOGIN, 200],
      ['ziqiang', '/login', 400],
      ['ncuos', LOGIN, 200],
      ['ncuos', '/?appCode=nope', 404],
      ['ncuos', '/some/spa/route', 200],
      ['disabled-aid', LOGIN, 200],
      ['disabled-aid', '/portal/open?user=nobody', 404],
      ['zafu', LOGIN, 200],
      ['zafu', '/oauth/authorize?response_type=code&client_id=nope', 400],
    ];
    it.each(PAGES)('%s %s → HTTP %d, marked （模拟）, with the banner and the one stylesheet', async (platform, path, status) => {
      const emu = started.find((e) => e.name === platform)!;
      const res = await fetch(`${emu.url}${path === LOGIN ? platformEntry(platform).loginPath : path}`);
      const html = await res.text();
      expect(res.status).toBe(status);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      const shell = shellOf(html);
      expect(shell.title.endsWith('（模拟）')).toBe(true);
      expect(shell.title.split('（模拟）')).toHaveLength(2); // once
      expect(shell.banner).toBe(true);
      expect(shell.css).toBe(EMULATOR_CSS);
    });
  });
});
