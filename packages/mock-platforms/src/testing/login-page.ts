/**
 * Walk an emulator's real login page over HTTP, as a browser would: load the page, find the
 * element with data-user="<id>", and either follow its link or submit its form with the button's
 * name/value. Returns where the platform sends the browser next (the Location header).
 */
function decodeEntities(s: string): string {
  return s
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

function attr(tag: string, name: string): string | undefined {
  const m = new RegExp(`\\s${name}="([^"]*)"`, 'i').exec(tag);
  return m ? decodeEntities(m[1]) : undefined;
}

async function expectRedirect(res: Response, what: string): Promise<string> {
  const location = res.headers.get('location');
  if (res.status < 300 || res.status > 399 || !location) {
    throw new Error(`${what}: expected a redirect, got HTTP ${res.status}: ${(await res.text()).slice(0, 300)}`);
  }
  return new URL(location, res.url).toString();
}

export async function fetchPage(url: string): Promise<string> {
  const res = await fetch(url, { redirect: 'manual' });
  const html = await res.text();
  if (res.status !== 200) throw new Error(`GET ${url}: HTTP ${res.status}: ${html.slice(0, 300)}`);
  return html;
}

export async function chooseUser(pageUrl: string, userId: string): Promise<string> {
  return choose(pageUrl, 'data-user', userId);
}

/** Refuse on the login page (its data-deny button), as a user who declines would. */
export async function decline(pageUrl: string): Promise<string> {
  return choose(pageUrl, 'data-deny', '1');
}

async function choose(pageUrl: string, attribute: 'data-user' | 'data-deny', value: string): Promise<string> {
  const html = await fetchPage(pageUrl);
  const tagRe = new RegExp(`<(a|button)\\b[^>]*\\s${attribute}="${value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"[^>]*>`, 'i');
  const m = tagRe.exec(html);
  if (!m) throw new Error(`no ${attribute}="${value}" on ${pageUrl}`);
  const tag = m[0];
  if (m[1].toLowerCase() === 'a') {
    const href = attr(tag, 'href');
    if (!href) throw new Error(`the link for ${value} has no href`);
    return expectRedirect(await fetch(new URL(href, pageUrl), { redirect: 'manual' }), `open ${href}`);
  }
  // the form around the button
  const formStart = html.lastIndexOf('<form', m.index);
  const formEnd = html.indexOf('</form>', m.index);
  if (formStart === -1 || formEnd === -1) throw new Error(`the button for ${value} is not in a form`);
  const formHtml = html.slice(formStart, formEnd);
  const formTag = formHtml.slice(0, formHtml.indexOf('>') + 1);
  const method = (attr(formTag, 'method') ?? 'get').toUpperCase();
  const action = new URL(attr(formTag, 'action') ?? pageUrl, pageUrl);
  const fields = new URLSearchParams();
  for (const input of formHtml.match(/<input\b[^>]*>/gi) ?? []) {
    const name = attr(input, 'name');
    if (name && (attr(input, 'type') ?? 'text').toLowerCase() !== 'submit') fields.append(name, attr(input, 'value') ?? '');
  }
  const name = attr(tag, 'name');
  if (name) fields.append(name, attr(tag, 'value') ?? '');
  if (method === 'GET') {
    for (const [k, v] of fields) action.searchParams.append(k, v);
    return expectRedirect(await fetch(action, { redirect: 'manual' }), `GET ${action.pathname}`);
  }
  return expectRedirect(
    await fetch(action, {
      method,
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: fields.toString(),
    }),
    `${method} ${action.pathname}`,
  );
}
