/**
 * Chinese first, English on request: Accept-Language, or the `?lang=` switch remembered in a
 * cookie. Every page of the demo (home, profile, error page, logout confirmation, the SPA landing
 * page, 404) and the JSON errors, in both languages.
 */
import request from 'supertest';
import { SCRIPT_TEXTS } from '../src/client-script';
import { CODE_MESSAGES, errorMessage } from '../src/messages';
import { esc } from '../src/views';
import { chooseUser } from './support/browserless';
import { caseOf } from './support/cases';
import { pathOf, startDemo, type Demo } from './support/demo';

let demo: Demo;
beforeAll(async () => {
  demo = await startDemo();
});
afterAll(async () => {
  await demo?.close();
});

const htmlLang = (html: string) => /<html lang="([^"]+)">/.exec(html)?.[1];
const h1 = (html: string) => /<h1[^>]*>([^<]*)</.exec(html)?.[1];

describe('which language', () => {
  it.each([
    [undefined, 'zh-CN'],
    ['zh-CN,zh;q=0.9,en;q=0.8', 'zh-CN'],
    ['zh-TW', 'zh-CN'],
    ['en-US,en;q=0.9', 'en'],
    ['en-GB', 'en'],
    ['en;q=0.5, zh;q=0.9', 'zh-CN'],
    ['zh;q=0.3, en-US;q=0.8', 'en'],
    ['fr-FR,fr;q=0.9', 'zh-CN'],
    ['*', 'zh-CN'],
  ])('Accept-Language %j → <html lang="%s">', async (accept, lang) => {
    const req = request(demo.url).get('/');
    const res = await (accept === undefined ? req : req.set('Accept-Language', accept)).expect(200);
    expect(htmlLang(res.text)).toBe(lang);
    expect(res.headers['content-language']).toBe(lang);
    expect(res.headers.vary).toMatch(/Accept-Language/);
    expect(res.headers.vary).toMatch(/Cookie/);
  });

  it('?lang=en switches and is remembered in a cookie (over Accept-Language); ?lang=zh switches back', async () => {
    const agent = request.agent(demo.url);
    const switched = await agent.get('/?lang=en').set('Accept-Language', 'zh-CN').expect(200);
    expect(htmlLang(switched.text)).toBe('en');
    const cookie = [switched.headers['set-cookie']].flat().find((c: string) => c.startsWith('campus.lang='))!;
    expect(cookie).toMatch(/^campus\.lang=en; Max-Age=31536000; Path=\/; Expires=[^;]+; HttpOnly; SameSite=Lax$/);
    expect(htmlLang((await agent.get('/profile?x=1').redirects(1).set('Accept-Language', 'zh-CN')).text)).toBe('en');
    const back = await agent.get('/?lang=zh').set('Accept-Language', 'en').expect(200);
    expect(htmlLang(back.text)).toBe('zh-CN');
    expect(htmlLang((await agent.get('/').set('Accept-Language', 'en')).text)).toBe('zh-CN');
    // an unknown ?lang= changes nothing and sets no cookie
    const odd = await request(demo.url).get('/?lang=fr').expect(200);
    expect(htmlLang(odd.text)).toBe('zh-CN');
    expect([odd.headers['set-cookie']].flat().filter((c) => String(c).startsWith('campus.lang='))).toEqual([]);
  });

  it('the header offers the other language, on the same page', async () => {
    const zh = await request(demo.url).get('/').expect(200);
    expect(zh.text).toContain('<a class="lang" href="/?lang=en" hreflang="en" lang="en" data-testid="lang-switch">English</a>');
    const en = await request(demo.url).get('/?lang=en').expect(200);
    expect(en.text).toContain(
      '<a class="lang" href="/?lang=zh" hreflang="zh-CN" lang="zh-CN" data-testid="lang-switch">中文</a>',
    );
  });
});

describe('every page in both languages', () => {
  it('home: heading, buttons, card statuses', async () => {
    const zh = await request(demo.url).get('/').expect(200);
    expect(h1(zh.text)).toBe('用校园平台登录');
    expect(zh.text).toContain('<title>首页 · campus-passport 示例</title>');
    expect(zh.text).toContain('data-login="hduhelp">用杭电助手登录</a>');
    expect(zh.text).toContain('data-login="disabled-aid">打开智慧助残数字化平台（杭州）门户</a>');
    expect(zh.text).toContain('data-popup-login="ziqiang"');
    expect(zh.text).toContain('>弹窗登录（SPA 流程）</button>');
    expect(zh.text).toContain('内嵌模拟器：http://127.0.0.1:');
    expect(zh.text).toContain('data-testid="not-signed-in">未登录<');
    const en = await request(demo.url).get('/').set('Accept-Language', 'en').expect(200);
    expect(h1(en.text)).toBe('Sign in with a campus platform');
    expect(en.text).toContain('<title>Home · campus-passport demo</title>');
    expect(en.text).toContain('data-login="hduhelp">Sign in with HDU Helper</a>');
    expect(en.text).toContain('>Sign in with a popup (SPA flow)</button>');
    expect(en.text).toContain('embedded emulator at http://127.0.0.1:');
    expect(en.text).toContain('data-testid="not-signed-in">Not signed in<');
  });

  it('profile, the header when signed in, and the logout confirmation', async () => {
    const { user, name } = caseOf('zafu');
    const agent = request.agent(demo.url);
    const start = await agent.get('/auth/zafu').expect(302);
    await agent.get(pathOf(await chooseUser(start.headers.location, user))).expect(303);

    const zh = await agent.get('/profile').expect(200);
    expect(zh.text).toContain('<title>个人资料 · campus-passport 示例</title>');
    expect(zh.text).toMatch(
      /通过 <strong data-testid="provider">zafu<\/strong> 登录，账号 id <code data-testid="user-id">[^<]+<\/code>，登录时间 <time/,
    );
    expect(zh.text).toContain(`已登录：<a href="/profile" data-testid="whoami">${name}</a>（zafu）`);
    expect(zh.text).toContain('<h2>统一格式的资料</h2>');
    expect(zh.text).toContain('<h2>平台原始数据</h2>');
    const en = await agent.get('/profile?lang=en').expect(200);
    expect(en.text).toMatch(/Signed in with <strong data-testid="provider">zafu<\/strong> as id <code data-testid="user-id">/);
    expect(en.text).toContain(`Signed in as <a href="/profile" data-testid="whoami">${name}</a> (zafu)`);
    expect(en.text).toContain('<h2>Normalized profile</h2>');

    // the cookie now says English: the confirmation in English, then in Chinese
    const confirmEn = await agent.get('/logout').expect(200);
    expect(h1(confirmEn.text)).toBe('Log out?');
    expect(confirmEn.text).toContain('data-testid="confirm-logout">Log out</button>');
    const confirmZh = await agent.get('/logout?lang=zh').expect(200);
    expect(h1(confirmZh.text)).toBe('确定要退出登录吗？');
    expect(confirmZh.text).toContain('data-testid="confirm-logout">退出登录</button>');
    await agent.post('/logout').expect(303);
    const signedOut = await agent.get('/logout').expect(200);
    expect(signedOut.text).toContain('data-testid="signed-out">你现在没有登录。<');
    expect((await agent.get('/logout?lang=en')).text).toContain('data-testid="signed-out">You are not signed in.<');
  });

  it('the error page after a failed sign-in, and 404', async () => {
    const agent = request.agent(demo.url);
    await agent.get('/auth/zafu').expect(302);
    const failed = await agent.get('/auth/zafu/callback?code=abcdefghijklmnop&state=forged-state-123456789').expect(303);
    // the state check's reason (unknown, when the strategy passes core's on) picks the message
    const reason = new URL(failed.headers.location, demo.url).searchParams.get('reason') ?? undefined;
    const zh = await agent.get(failed.headers.location).expect(403);
    expect(zh.text).toContain('<title>登录出错 · campus-passport 示例</title>');
    expect(h1(zh.text)).toBe('没有登录成功');
    expect(zh.text).toContain(`data-testid="error-message">${esc(errorMessage('ERR_STATE', reason, 'zh'))}<`);
    expect(zh.text).toContain('data-testid="home">返回首页<');
    const en = await agent.get(failed.headers.location).set('Accept-Language', 'en').expect(403);
    expect(h1(en.text)).toBe('Something went wrong');
    expect(en.text).toContain(`data-testid="error-message">${esc(errorMessage('ERR_STATE', reason, 'en'))}<`);
    expect(en.text).toContain('data-testid="home">Back to the start page<');

    const nope = await request(demo.url).get('/nope').expect(404);
    expect(nope.text).toContain(`data-testid="error-message">${esc(CODE_MESSAGES.ERR_NOT_FOUND.zh)}<`);
    expect((await request(demo.url).get('/nope?lang=en').expect(404)).text).toContain(CODE_MESSAGES.ERR_NOT_FOUND.en);
  });

  it('JSON errors (the SPA POSTs) carry the message in the asked language', async () => {
    const zh = await request(demo.url).post('/auth/ziqiang/callback').set('Content-Type', 'application/json').send('{"code":');
    expect(zh.body).toEqual({ ok: false, error: { code: 'ERR_BAD_REQUEST', message: CODE_MESSAGES.ERR_BAD_REQUEST.zh } });
    const en = await request(demo.url)
      .post('/auth/ziqiang/callback')
      .set('Content-Type', 'application/json')
      .set('Accept-Language', 'en-US')
      .send({ code: 'not-a-real-code' });
    expect(en.body.ok).toBe(false);
    expect(en.body.error.message).toBe(CODE_MESSAGES[en.body.error.code].en);
  });

  it('the SPA landing page (on the callback URL) switches language on "/", never on its own URL with the token', async () => {
    const agent = request.agent(demo.url);
    const start = await agent.get('/auth/ncuos?flow=spa').expect(302);
    const back = await chooseUser(start.headers.location, caseOf('ncuos').user);
    const landing = await agent.get(pathOf(back)).set('Accept-Language', 'en').expect(200);
    expect(landing.text).toContain('A single-page app received the token and is posting it to the backend.');
    expect(landing.text).toContain('href="/?lang=zh"');
    expect(landing.text).not.toContain(new URL(back).searchParams.get('token')!);
  });

  it("the page script's messages, in both languages, picked by <html lang>", async () => {
    const js = await request(demo.url).get('/static/demo.js').expect(200);
    expect(js.text).toContain(JSON.stringify(SCRIPT_TEXTS));
    expect(js.text).toContain('/^zh/i.test(document.documentElement.lang)');
    expect(Object.keys(SCRIPT_TEXTS.zh).sort()).toEqual(Object.keys(SCRIPT_TEXTS.en).sort());
  });
});
