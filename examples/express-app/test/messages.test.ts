/**
 * The error page's messages: code + reason → a message in both languages, falling back to the
 * code's message when there is no (known) reason; the clean /error page built from them; and the
 * favicon.
 */
import { ERROR_CODES } from '@campus-passport/core';
import request from 'supertest';
import {
  CODE_MESSAGES,
  CODE_REASON_MESSAGES,
  REFUSAL_MESSAGES,
  errorMessage,
  isCodeLike,
  knownReason,
  statusOf,
} from '../src/messages';
import { hduhelp } from '../src/platforms/hduhelp';
import { PLATFORMS } from '../src/platforms';
import { esc } from '../src/views';
import { startWithPlatforms } from './support/demo';

const LANGS = ['zh', 'en'] as const;
const REFUSALS = ['declined', 'not-certified', 'no-group', 'wrong-side'];

describe('errorMessage(code, reason, lang)', () => {
  it('has a message in both languages for every code of core and of the demo', () => {
    for (const code of [...ERROR_CODES, 'ERR_NOT_CONFIGURED', 'ERR_UNKNOWN_PLATFORM', 'ERR_NOT_FOUND', 'ERR_INTERNAL'])
      for (const lang of LANGS)
        expect([code, lang, errorMessage(code, undefined, lang)]).toEqual([code, lang, CODE_MESSAGES[code][lang]]);
    expect(CODE_MESSAGES.ERR_DENIED.zh).toMatch(/[\u4e00-\u9fff]/);
    expect(CODE_MESSAGES.ERR_DENIED.en).toMatch(/^The sign-in was refused/);
  });

  it('the four refusals ERR_DENIED used to share have four distinct messages, in both languages', () => {
    for (const lang of LANGS) {
      const messages = REFUSALS.map((r) => errorMessage('ERR_DENIED', r, lang));
      expect(new Set(messages).size).toBe(4);
      for (const m of messages) expect(m).not.toBe(errorMessage('ERR_DENIED', undefined, lang));
    }
    expect(errorMessage('ERR_DENIED', 'declined', 'zh')).toContain('取消了授权');
    expect(errorMessage('ERR_DENIED', 'declined', 'en')).toMatch(/^You declined/);
    expect(errorMessage('ERR_DENIED', 'not-certified', 'zh')).toContain('学生身份认证');
    expect(errorMessage('ERR_DENIED', 'not-certified', 'en')).toContain('certification');
    expect(errorMessage('ERR_DENIED', 'no-group', 'zh')).toContain('身份组');
    expect(errorMessage('ERR_DENIED', 'no-group', 'en')).toContain('no group');
    expect(errorMessage('ERR_DENIED', 'wrong-side', 'zh')).toContain('另一端');
    expect(errorMessage('ERR_DENIED', 'wrong-side', 'en')).toContain('another side');
  });

  it('a refusal reason counts with any refusal code (the user-error codes), not with a platform failure', () => {
    expect(errorMessage('ERR_INVALID_CREDENTIAL', 'wrong-side', 'en')).toBe(REFUSAL_MESSAGES['wrong-side'].en);
    expect(errorMessage('ERR_NO_CREDENTIAL', 'declined', 'zh')).toBe(REFUSAL_MESSAGES.declined.zh);
    expect(errorMessage('ERR_PLATFORM', 'declined', 'en')).toBe(CODE_MESSAGES.ERR_PLATFORM.en);
    expect(knownReason('ERR_PLATFORM', 'declined')).toBeUndefined();
  });

  it('the state check reasons belong to ERR_STATE only', () => {
    for (const reason of ['missing', 'unknown', 'expired', 'used'])
      for (const lang of LANGS) {
        expect(errorMessage('ERR_STATE', reason, lang)).toBe(CODE_REASON_MESSAGES.ERR_STATE[reason][lang]);
        expect(errorMessage('ERR_DENIED', reason, lang)).toBe(CODE_MESSAGES.ERR_DENIED[lang]);
      }
    expect(errorMessage('ERR_STATE', 'expired', 'en')).toMatch(/expired/);
  });

  it("falls back to the code's message without a reason or with one it does not know", () => {
    for (const lang of LANGS)
      for (const reason of [undefined, 'some-new-reason', '__proto__', 'constructor', 'toString'])
        expect(errorMessage('ERR_DENIED', reason, lang)).toBe(CODE_MESSAGES.ERR_DENIED[lang]);
    expect(knownReason('ERR_DENIED', 42)).toBeUndefined();
  });

  it('an unknown code gets the generic message', () => {
    expect(errorMessage('ERR_SOMETHING_NEW', undefined, 'zh')).toBe(CODE_MESSAGES.ERR_INTERNAL.zh);
    expect(errorMessage('constructor', undefined, 'en')).toBe(CODE_MESSAGES.ERR_INTERNAL.en);
  });

  it('statusOf: core status table, then the demo codes, else 500', () => {
    expect([statusOf('ERR_STATE'), statusOf('ERR_DENIED'), statusOf('ERR_INVALID_CREDENTIAL'), statusOf('ERR_PLATFORM')]).toEqual(
      [403, 403, 401, 502],
    );
    expect([statusOf('ERR_NOT_FOUND'), statusOf('ERR_UNSUPPORTED_MEDIA_TYPE'), statusOf('ERR_WHATEVER')]).toEqual([
      404, 415, 500,
    ]);
  });

  it('isCodeLike: ERR_ and capitals only', () => {
    expect(['ERR_STATE', 'ERR_A_B'].map(isCodeLike)).toEqual([true, true]);
    expect(['err_state', 'ERR_', 'ERR_<b>', 'X', undefined, ['ERR_STATE']].map(isCodeLike)).toEqual([
      false,
      false,
      false,
      false,
      false,
      false,
    ]);
  });
});

describe('GET /error (where a failed sign-in is sent)', () => {
  let app: Awaited<ReturnType<typeof startWithPlatforms>>;
  let stop: () => Promise<void>;
  beforeAll(async () => {
    const started = await hduhelp.startEmbedded({ port: 0, appOrigin: 'http://127.0.0.1' });
    const others = PLATFORMS.filter((w) => w.name !== 'hduhelp').map((wiring) => ({ wiring }));
    app = await startWithPlatforms([{ wiring: hduhelp, configured: started.platform }, ...others]);
    stop = () => started.emulator.close();
  });
  afterAll(async () => {
    await app?.close();
    await stop?.();
  });

  const messageOf = (html: string) => /data-testid="error-message">([^<]*)</.exec(html)?.[1];

  it.each(REFUSALS)(
    'code + reason %s → its message (zh by default, en on request), the reason shown beside the code',
    async (reason) => {
      const zh = await request(app.url).get(`/error?code=ERR_DENIED&reason=${reason}&platform=hduhelp`);
      expect(zh.status).toBe(403);
      expect(zh.headers['cache-control']).toBe('no-store');
      expect(messageOf(zh.text)).toBe(esc(errorMessage('ERR_DENIED', reason, 'zh')));
      expect(zh.text).toContain(`data-testid="error-reason">${reason}<`);
      expect(zh.text).toContain('<html lang="zh-CN">');
      const en = await request(app.url).get(`/error?code=ERR_DENIED&reason=${reason}`).set('Accept-Language', 'en');
      expect(messageOf(en.text)).toBe(esc(errorMessage('ERR_DENIED', reason, 'en')));
      expect(en.text).toContain('<html lang="en">');
    },
  );

  it("without a reason, or with one it does not know, the code's message; the reason is not echoed", async () => {
    const plain = await request(app.url).get('/error?code=ERR_DENIED').expect(403);
    expect(messageOf(plain.text)).toBe(esc(CODE_MESSAGES.ERR_DENIED.zh));
    const odd = await request(app.url).get('/error?code=ERR_DENIED&reason=%3Cscript%3E').expect(403);
    expect(messageOf(odd.text)).toBe(esc(CODE_MESSAGES.ERR_DENIED.zh));
    expect(odd.text).not.toContain('data-testid="error-reason"');
    expect(odd.text).not.toContain('<script>');
  });

  it('a known platform gets a "try again" link (and a language switch that keeps the clean query); an unknown one none', async () => {
    const res = await request(app.url).get('/error?code=ERR_STATE&platform=hduhelp&state=abc').expect(403);
    expect(res.text).toContain('href="/auth/hduhelp" data-testid="retry">重新用杭电助手登录<');
    expect(res.text).toContain('href="/error?code=ERR_STATE&amp;platform=hduhelp&amp;lang=en"');
    expect(res.text).not.toContain('abc');
    const en = await request(app.url).get('/error?code=ERR_STATE&platform=hduhelp&lang=en').expect(403);
    expect(en.text).toContain('data-testid="retry">Try again with HDU Helper<');
    // a platform that is not configured, or no such platform: no retry link
    for (const p of ['ziqiang', 'github'])
      expect((await request(app.url).get(`/error?code=ERR_STATE&platform=${p}`)).text).not.toContain('data-testid="retry"');
  });

  it('a missing or malformed code shows ERR_INTERNAL (500), never the text it was given', async () => {
    const res = await request(app.url).get('/error?code=%3Cb%3Ehi').expect(500);
    expect(res.text).toContain('data-testid="error-code">ERR_INTERNAL<');
    expect(res.text).not.toContain('<b>hi');
    await request(app.url).get('/error').expect(500);
  });

  it('serves the favicon (SVG) at /favicon.svg and /favicon.ico, and every page links it', async () => {
    for (const path of ['/favicon.svg', '/favicon.ico']) {
      const res = await request(app.url).get(path).expect(200);
      expect(res.headers['content-type']).toMatch(/^image\/svg\+xml/);
      expect(res.headers['cache-control']).toContain('max-age=');
      expect(String(res.body instanceof Buffer ? res.body.toString('utf8') : res.text)).toMatch(
        /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/,
      );
    }
    for (const path of ['/', '/error?code=ERR_STATE', '/logout', '/nope']) {
      const page = await request(app.url).get(path);
      expect([path, page.text]).toEqual([
        path,
        expect.stringContaining('<link rel="icon" href="/favicon.svg" type="image/svg+xml">'),
      ]);
    }
  });
});
