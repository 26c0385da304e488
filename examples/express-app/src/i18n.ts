/**
 * The demo's two languages: Chinese first (its users' language), English on request — a `?lang=`
 * switch (remembered in a cookie), else the browser's Accept-Language, else Chinese.
 */
import type { Request, Response } from 'express';

export const LANGS = ['zh', 'en'] as const;
export type Lang = (typeof LANGS)[number];
export const DEFAULT_LANG: Lang = 'zh';
/** The cookie that remembers a `?lang=` switch (not a secret; one year). */
export const LANG_COOKIE = 'campus.lang';

/** A text in both languages. */
export type Texts = Readonly<Record<Lang, string>>;

function isLang(v: unknown): v is Lang {
  return typeof v === 'string' && (LANGS as readonly string[]).includes(v);
}

/** One cookie's value from the Cookie header (the demo parses no other cookie itself). */
export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq !== -1 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/**
 * The language of a request: `?lang=zh|en`, else the `campus.lang` cookie, else the better of
 * zh / en in Accept-Language (q-values honoured; `zh-CN`, `zh-TW`… count as zh), else zh.
 */
export function requestLang(req: Request): Lang {
  const asked = req.query.lang;
  if (isLang(asked)) return asked;
  const remembered = readCookie(req.headers.cookie, LANG_COOKIE);
  if (isLang(remembered)) return remembered;
  // Express (negotiator): the offered language the header prefers; the first offered without a header
  const best = req.acceptsLanguages(...LANGS);
  return isLang(best) ? best : DEFAULT_LANG;
}

/**
 * Express middleware: picks the language into `res.locals.lang`, remembers a `?lang=` switch in
 * the cookie, and marks the answers as varying with the language inputs.
 */
export function languages(req: Request, res: Response, next: () => void): void {
  const lang = requestLang(req);
  if (isLang(req.query.lang) && readCookie(req.headers.cookie, LANG_COOKIE) !== lang)
    res.cookie(LANG_COOKIE, lang, { path: '/', sameSite: 'lax', httpOnly: true, maxAge: 365 * 86_400_000 });
  res.locals.lang = lang;
  res.vary('Accept-Language').vary('Cookie');
  res.set('Content-Language', htmlLang(lang));
  next();
}

/** The language of this response (set by `languages`). */
export function langOf(res: Response): Lang {
  return isLang(res.locals.lang) ? res.locals.lang : DEFAULT_LANG;
}

/** The BCP 47 tag for `<html lang>` and Content-Language. */
export function htmlLang(lang: Lang): string {
  return lang === 'zh' ? 'zh-CN' : 'en';
}

/** The other language: what the switch in the header offers. */
export function otherLang(lang: Lang): Lang {
  return lang === 'zh' ? 'en' : 'zh';
}

/** The current page's path and query with `lang` set (the language switch's link). */
export function withLang(originalUrl: string, lang: Lang): string {
  const u = new URL(originalUrl, 'http://demo.invalid');
  u.searchParams.set('lang', lang);
  return `${u.pathname}${u.search}`;
}
