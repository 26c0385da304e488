import type { PlatformEntry } from './config';
import type { DemoUser } from './platforms/types';

/** Escape text for HTML. */
export function esc(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const STYLE = `
body{font-family:system-ui,-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;color:#1d1d1f;line-height:1.5}
header{display:flex;justify-content:space-between;align-items:center;border-bottom:1px solid #ddd;padding-bottom:.5rem;margin-bottom:1.5rem}
header a{color:inherit;text-decoration:none;font-weight:600}
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

export function layout(title: string, body: string, user?: DemoUser): string {
  const who = user
    ? `<span>Signed in as <a href="/profile" data-testid="whoami">${esc(user.displayName || user.id)}</a> (${esc(user.provider)})
<form method="post" action="/logout" style="display:inline"><button class="secondary" type="submit" data-testid="logout">Log out</button></form></span>`
    : '<span class="note">Not signed in</span>';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(title)} · campus-passport demo</title><style>${STYLE}</style></head>
<body><header><a href="/">campus-passport demo</a>${who}</header>
<main>${body}</main>
<script src="/static/demo.js" defer></script>
</body></html>`;
}

function platformCard(entry: PlatformEntry, returnTo: string | undefined): string {
  const { wiring, configured } = entry;
  const name = wiring.name;
  if (!configured) {
    return `<section class="card" data-platform="${esc(name)}"><h2>${esc(wiring.label)}</h2>
<p class="status off" data-testid="status-${esc(name)}">not configured</p>
<p class="note">Set ${wiring.env
      .filter((v) => v.required)
      .map((v) => `<code>${esc(v.name)}</code>`)
      .join(', ')} to enable it (see <code>.env.example</code>).</p></section>`;
  }
  const rt = returnTo ? `?returnTo=${encodeURIComponent(returnTo)}` : '';
  const status =
    configured.mode === 'emulator' ? `embedded emulator at ${esc(configured.baseURL)}` : `platform at ${esc(configured.baseURL)}`;
  const actions: string[] = [];
  if (configured.start.kind === 'redirect') {
    actions.push(
      `<a class="button" href="/auth/${esc(name)}${rt}" data-login="${esc(name)}">Sign in with ${esc(wiring.label)}</a>`,
    );
  } else if (configured.start.url) {
    actions.push(
      `<a class="button" href="${esc(configured.start.url)}" data-login="${esc(name)}">Open the ${esc(wiring.label)} portal</a>`,
    );
  }
  const popup = configured.extras?.popup;
  if (popup) {
    actions.push(
      `<button type="button" class="secondary" data-popup-login="${esc(name)}" data-login-origin="${esc(popup.loginOrigin)}">Sign in with a popup (SPA flow)</button>`,
    );
  }
  const spa = configured.extras?.spaToken;
  if (spa) {
    actions.push(
      `<a class="button secondary" href="/auth/${esc(name)}?flow=spa" data-spa-login="${esc(name)}">Sign in, SPA token flow</a>`,
    );
  }
  const explain =
    configured.start.kind === 'portal'
      ? `<p class="note">Users start on the platform's portal; it opens <code>/auth/${esc(name)}/callback?stoken=…</code> on this app.</p>`
      : '';
  return `<section class="card" data-platform="${esc(name)}"><h2>${esc(wiring.label)}</h2>
<p class="status" data-testid="status-${esc(name)}">${status}</p>${explain}
<div class="actions">${actions.join('\n')}</div>
<p class="note" data-popup-result="${esc(name)}" role="status"></p></section>`;
}

export function homePage(platforms: PlatformEntry[], user: DemoUser | undefined, returnTo?: string): string {
  const cards = platforms.map((p) => platformCard(p, returnTo)).join('\n');
  return layout(
    'Home',
    `<h1>Sign in with a campus platform</h1>
<p>Five Passport strategies in one Express app. Without configuration each platform runs as a local emulator; pick a test user on its login page.</p>
${cards}`,
    user,
  );
}

function fieldRows(obj: Record<string, unknown>): string {
  return Object.entries(obj)
    .map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(typeof v === 'string' ? v : JSON.stringify(v))}</td></tr>`)
    .join('');
}

export function profilePage(user: DemoUser): string {
  return layout(
    'Profile',
    `<h1 data-testid="display-name">${esc(user.displayName || user.id)}</h1>
<p>Signed in with <strong data-testid="provider">${esc(user.provider)}</strong> as id <code data-testid="user-id">${esc(user.id)}</code> at ${esc(user.loggedInAt)}.</p>
<h2>Normalized profile</h2>
<table data-testid="profile">${fieldRows(user.profile)}</table>
<h2>Raw platform data</h2>
<pre data-testid="raw">${esc(JSON.stringify(user.raw, null, 2))}</pre>
<form method="post" action="/logout"><button type="submit">Log out</button></form>`,
    user,
  );
}

export function errorPage(status: number, code: string, message: string, user?: DemoUser): string {
  return layout(
    'Sign-in problem',
    `<h1>Something went wrong</h1>
<p><span class="error-code" data-testid="error-code">${esc(code)}</span></p>
<p data-testid="error-message">${esc(message)}</p>
<p class="note">HTTP ${esc(status)}</p>
<p><a class="button" href="/">Back to the start page</a></p>`,
    user,
  );
}

/** The landing page of the NCUOS SPA flow: the "frontend" reads ?token= and POSTs it. */
export function spaLandingPage(name: string, param: string): string {
  return layout(
    'Signing in…',
    `<h1>Signing in…</h1><p data-spa-landing="${esc(name)}" data-param="${esc(param)}" role="status">A single-page app received the token and is posting it to the backend.</p>`,
  );
}

/** The page a Ziqiang-style popup lands on when it redirects instead of posting a message. */
export function popupLandingPage(name: string): string {
  return layout(
    'Signing in…',
    `<h1>Signing in…</h1><p data-popup-landing="${esc(name)}" role="status">Finishing the sign-in…</p>`,
  );
}
