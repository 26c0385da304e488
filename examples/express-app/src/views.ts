import { emulators } from '@campus-passport/mock-platforms';
import type { PlatformEntry } from './config';
import { htmlLang, otherLang, withLang, type Lang } from './i18n';
import type { DemoUser } from './platforms/types';

/** Escape text for HTML. */
export function esc(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** What every page needs besides its content. */
export interface PageContext {
  lang: Lang;
  user?: DemoUser;
  /**
   * The page's own path and query, for the language switch. Never a URL carrying a credential:
   * pages served on /auth/* routes pass '/'.
   */
  selfURL: string;
}

/** Every text of the demo's pages, in both languages. Functions return HTML and escape what they are given. */
interface Strings {
  brand: string;
  /** The switch's label, in the language it switches to. */
  switchTo: string;
  signedInAs(name: string, provider: string): string;
  notSignedIn: string;
  logOut: string;
  home: { title: string; heading: string; intro: string };
  notConfigured: string;
  enableWith(vars: string): string;
  atEmulator(url: string): string;
  atPlatform(url: string): string;
  signInWith(platform: string): string;
  openPortal(platform: string): string;
  popup: string;
  spa: string;
  portalNote(name: string): string;
  profile: { title: string; signedIn(provider: string, id: string, at: string): string; normalized: string; raw: string };
  error: { title: string; heading: string; back: string; retry(platform: string): string; reason: string };
  logout: { title: string; heading: string; signedOut: string };
  signingIn: { title: string; spa: string };
}

/** Chinese text around a name: a space where a Chinese character meets a Latin letter or digit ("GeniusAuth 登录"). */
function zh(...parts: string[]): string {
  return parts.reduce((a, b) =>
    (/[A-Za-z0-9)]$/.test(a) && /^[\u4e00-\u9fff]/.test(b)) || (/[\u4e00-\u9fff]$/.test(a) && /^[A-Za-z0-9(]/.test(b))
      ? `${a} ${b}`
      : a + b,
  );
}

const STRINGS: Record<Lang, Strings> = {
  zh: {
    brand: 'campus-passport 示例',
    switchTo: 'English',
    signedInAs: (name, provider) => `已登录：${name}（${provider}）`,
    notSignedIn: '未登录',
    logOut: '退出登录',
    home: {
      title: '首页',
      heading: '用校园平台登录',
      intro:
        '一个 Express 应用里的五个 Passport 策略。没有配置时，每个平台都以本地模拟器运行：在它的登录页上选一个测试用户即可。',
    },
    notConfigured: '未配置',
    enableWith: (vars) => `设置 ${vars} 即可启用（见 <code>.env.example</code>）。`,
    atEmulator: (url) => `内嵌模拟器：${esc(url)}`,
    atPlatform: (url) => `真实平台：${esc(url)}`,
    signInWith: (p) => zh('用', esc(p), '登录'),
    openPortal: (p) => zh('打开', esc(p), '门户'),
    popup: '弹窗登录（SPA 流程）',
    spa: '登录（SPA 令牌流程）',
    portalNote: (name) => `用户从平台的门户开始：门户会打开本应用的 <code>/auth/${esc(name)}/callback?stoken=…</code>。`,
    profile: {
      title: '个人资料',
      signedIn: (provider, id, at) => `通过 ${provider} 登录，账号 id ${id}，登录时间 ${at}。`,
      normalized: '统一格式的资料',
      raw: '平台原始数据',
    },
    error: {
      title: '登录出错',
      heading: '没有登录成功',
      back: '返回首页',
      retry: (p) => zh('重新用', esc(p), '登录'),
      reason: '原因：',
    },
    logout: { title: '退出登录', heading: '确定要退出登录吗？', signedOut: '你现在没有登录。' },
    signingIn: { title: '正在登录…', spa: '单页应用收到了令牌，正在把它提交给后端。' },
  },
  en: {
    brand: 'campus-passport demo',
    switchTo: '中文',
    signedInAs: (name, provider) => `Signed in as ${name} (${provider})`,
    notSignedIn: 'Not signed in',
    logOut: 'Log out',
    home: {
      title: 'Home',
      heading: 'Sign in with a campus platform',
      intro:
        'Five Passport strategies in one Express app. Without configuration each platform runs as a local emulator; pick a test user on its login page.',
    },
    notConfigured: 'not configured',
    enableWith: (vars) => `Set ${vars} to enable it (see <code>.env.example</code>).`,
    atEmulator: (url) => `embedded emulator at ${esc(url)}`,
    atPlatform: (url) => `platform at ${esc(url)}`,
    signInWith: (p) => `Sign in with ${esc(p)}`,
    openPortal: (p) => `Open the ${esc(p)} portal`,
    popup: 'Sign in with a popup (SPA flow)',
    spa: 'Sign in, SPA token flow',
    portalNote: (name) =>
      `Users start on the platform's portal; it opens <code>/auth/${esc(name)}/callback?stoken=…</code> on this app.`,
    profile: {
      title: 'Profile',
      signedIn: (provider, id, at) => `Signed in with ${provider} as id ${id} at ${at}.`,
      normalized: 'Normalized profile',
      raw: 'Raw platform data',
    },
    error: {
      title: 'Sign-in problem',
      heading: 'Something went wrong',
      back: 'Back to the start page',
      retry: (p) => `Try again with ${esc(p)}`,
      reason: 'reason: ',
    },
    logout: { title: 'Log out', heading: 'Log out?', signedOut: 'You are not signed in.' },
    signingIn: { title: 'Signing in…', spa: 'A single-page app received the token and is posting it to the backend.' },
  },
};

/** The platform's name in this language (the registry's title), else its label. */
export function platformTitle(entry: { wiring: { name: string; label: string } }, lang: Lang): string {
  return emulators.find((e) => e.name === entry.wiring.name)?.title[lang] ?? entry.wiring.label;
}

/** The site icon (served as /favicon.svg and /favicon.ico): a mortarboard on the demo's blue. */
export const FAVICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#0d6efd"/><path d="M16 7 3 13l13 6 10-4.6V21h2v-7.5L29 13z" fill="#fff"/><path d="M9 17.2V22c0 1.7 3.1 3 7 3s7-1.3 7-3v-4.8l-7 3.2z" fill="#fff"/></svg>`;

const STYLE = `
body{font-family:system-ui,-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;color:#1d1d1f;line-height:1.5}
header{display:flex;justify-content:space-between;align-items:center;gap:1rem;border-bottom:1px solid #ddd;padding-bottom:.5rem;margin-bottom:1.5rem}
header a{color:inherit;text-decoration:none;font-weight:600}
header .side{display:flex;align-items:center;gap:.8rem}
header a.lang{font-weight:400;font-size:.9rem;color:#0a58ca}
.card{border:1px solid #ddd;border-radius:8px;padding:1rem 1.2rem;margin:1rem 0}
.card h2{margin:.1rem 0 .4rem;font-size:1.15rem}
.status{font-size:.85rem;color:#555}
.status.off{color:#a33}
.actions{display:flex;flex-wrap:wrap;gap:.5rem;margin-top:.6rem}
.button,button{display:inline-block;padding:.45rem .9rem;border-radius:6px;border:1px solid #0a58ca;background:#0d6efd;color:#fff;text-decoration:none;font-size:.95rem;cursor:pointer}
.button.secondary,button.secondary{background:#fff;color:#0a58ca}
pre{background:#f6f8fa;border:1px solid #e1e4e8;border-radius:6px;padding:.8rem;overflow:auto;font-size:.85rem}
table{border-collapse:collapse}td,th{border-bottom:1px solid #eee;padding:.25rem .8rem .25rem 0;text-align:left;vertical-align:top}
.error-code{font-family:ui-monospace,monospace;font-size:1.1rem;background:#fdecea;color:#a33;padding:.2rem .5rem;border-radius:4px}
.note{font-size:.85rem;color:#555}
`;

export function layout(ctx: PageContext, title: string, body: string): string {
  const t = STRINGS[ctx.lang];
  const { user } = ctx;
  const who = user
    ? `<span>${t.signedInAs(`<a href="/profile" data-testid="whoami">${esc(user.displayName || user.id)}</a>`, esc(user.provider))}
<form method="post" action="/logout" style="display:inline"><button class="secondary" type="submit" data-testid="logout">${esc(t.logOut)}</button></form></span>`
    : `<span class="note" data-testid="not-signed-in">${esc(t.notSignedIn)}</span>`;
  const other = otherLang(ctx.lang);
  const switcher = `<a class="lang" href="${esc(withLang(ctx.selfURL, other))}" hreflang="${htmlLang(other)}" lang="${htmlLang(other)}" data-testid="lang-switch">${esc(t.switchTo)}</a>`;
  return `<!doctype html>
<html lang="${htmlLang(ctx.lang)}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(title)} · ${esc(t.brand)}</title>
<link rel="icon" href="/favicon.svg" type="image/svg+xml"><link rel="alternate icon" href="/favicon.ico">
<style>${STYLE}</style></head>
<body><header><a href="/">${esc(t.brand)}</a><span class="side">${who}${switcher}</span></header>
<main>${body}</main>
<script src="/static/demo.js" defer></script>
</body></html>`;
}

function platformCard(entry: PlatformEntry, lang: Lang, returnTo: string | undefined): string {
  const t = STRINGS[lang];
  const { wiring, configured } = entry;
  const name = wiring.name;
  if (!configured) {
    const vars = wiring.env
      .filter((v) => v.required)
      .map((v) => `<code>${esc(v.name)}</code>`)
      .join(', ');
    return `<section class="card" data-platform="${esc(name)}"><h2>${esc(wiring.label)}</h2>
<p class="status off" data-testid="status-${esc(name)}">${esc(t.notConfigured)}</p>
<p class="note">${t.enableWith(vars)}</p></section>`;
  }
  const rt = returnTo ? `?returnTo=${encodeURIComponent(returnTo)}` : '';
  const title = platformTitle(entry, lang);
  const status = configured.mode === 'emulator' ? t.atEmulator(configured.baseURL) : t.atPlatform(configured.baseURL);
  const actions: string[] = [];
  if (configured.start.kind === 'redirect') {
    actions.push(`<a class="button" href="/auth/${esc(name)}${rt}" data-login="${esc(name)}">${t.signInWith(title)}</a>`);
  } else if (configured.start.url) {
    actions.push(`<a class="button" href="${esc(configured.start.url)}" data-login="${esc(name)}">${t.openPortal(title)}</a>`);
  }
  const popup = configured.extras?.popup;
  if (popup) {
    actions.push(
      `<button type="button" class="secondary" data-popup-login="${esc(name)}" data-login-origin="${esc(popup.loginOrigin)}">${esc(t.popup)}</button>`,
    );
  }
  if (configured.extras?.spaToken) {
    actions.push(
      `<a class="button secondary" href="/auth/${esc(name)}?flow=spa" data-spa-login="${esc(name)}">${esc(t.spa)}</a>`,
    );
  }
  const explain = configured.start.kind === 'portal' ? `<p class="note">${t.portalNote(name)}</p>` : '';
  return `<section class="card" data-platform="${esc(name)}"><h2>${esc(wiring.label)}</h2>
<p class="status" data-testid="status-${esc(name)}">${status}</p>${explain}
<div class="actions">${actions.join('\n')}</div>
<p class="note" data-popup-result="${esc(name)}" role="status"></p></section>`;
}

export function homePage(ctx: PageContext, platforms: PlatformEntry[], returnTo?: string): string {
  const t = STRINGS[ctx.lang];
  const cards = platforms.map((p) => platformCard(p, ctx.lang, returnTo)).join('\n');
  return layout(ctx, t.home.title, `<h1>${esc(t.home.heading)}</h1>\n<p>${esc(t.home.intro)}</p>\n${cards}`);
}

function fieldRows(obj: Record<string, unknown>): string {
  return Object.entries(obj)
    .map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(typeof v === 'string' ? v : JSON.stringify(v))}</td></tr>`)
    .join('');
}

export function profilePage(ctx: PageContext & { user: DemoUser }): string {
  const t = STRINGS[ctx.lang].profile;
  const { user } = ctx;
  return layout(
    ctx,
    t.title,
    `<h1 data-testid="display-name">${esc(user.displayName || user.id)}</h1>
<p>${t.signedIn(
      `<strong data-testid="provider">${esc(user.provider)}</strong>`,
      `<code data-testid="user-id">${esc(user.id)}</code>`,
      `<time datetime="${esc(user.loggedInAt)}">${esc(user.loggedInAt)}</time>`,
    )}</p>
<h2>${esc(t.normalized)}</h2>
<table data-testid="profile">${fieldRows(user.profile)}</table>
<h2>${esc(t.raw)}</h2>
<pre data-testid="raw">${esc(JSON.stringify(user.raw, null, 2))}</pre>
<form method="post" action="/logout"><button type="submit">${esc(STRINGS[ctx.lang].logOut)}</button></form>`,
  );
}

export interface ErrorView {
  status: number;
  code: string;
  /** A reason the message table knows (shown beside the code), if the strategy gave one. */
  reason?: string;
  message: string;
  /** The platform to try again with: its title and where a new sign-in starts. */
  retry?: { title: string; href: string };
}

export function errorPage(ctx: PageContext, e: ErrorView): string {
  const t = STRINGS[ctx.lang].error;
  const reason = e.reason
    ? ` <span class="note">${esc(t.reason)}<code data-testid="error-reason">${esc(e.reason)}</code></span>`
    : '';
  const retry = e.retry ? `<a class="button" href="${esc(e.retry.href)}" data-testid="retry">${t.retry(e.retry.title)}</a> ` : '';
  return layout(
    ctx,
    t.title,
    `<h1>${esc(t.heading)}</h1>
<p><span class="error-code" data-testid="error-code">${esc(e.code)}</span>${reason}</p>
<p data-testid="error-message">${esc(e.message)}</p>
<p class="note">HTTP ${esc(e.status)}</p>
<p class="actions">${retry}<a class="button secondary" href="/" data-testid="home">${esc(t.back)}</a></p>`,
  );
}

/** GET /logout: the confirmation (the logout itself is a POST). */
export function logoutPage(ctx: PageContext): string {
  const t = STRINGS[ctx.lang];
  const body = ctx.user
    ? `<h1>${esc(t.logout.heading)}</h1><form method="post" action="/logout"><button type="submit" data-testid="confirm-logout">${esc(t.logOut)}</button></form>`
    : `<h1>${esc(t.logout.title)}</h1><p data-testid="signed-out">${esc(t.logout.signedOut)}</p>`;
  return layout(ctx, t.logout.title, body);
}

/** The landing page of the NCUOS SPA flow: the "frontend" reads ?token= and POSTs it. */
export function spaLandingPage(ctx: PageContext, name: string, param: string): string {
  const t = STRINGS[ctx.lang].signingIn;
  return layout(
    ctx,
    t.title,
    `<h1>${esc(t.title)}</h1><p data-spa-landing="${esc(name)}" data-param="${esc(param)}" role="status">${esc(t.spa)}</p>`,
  );
}
