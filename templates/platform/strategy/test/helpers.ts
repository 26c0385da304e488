/**
 * Act as the browser on the emulator's real login page: load it, find the seeded user's button,
 * submit the form with its hidden fields (or the deny button). Returns where the platform sends
 * the browser back.
 */
export async function approve(loginURL: string, user: string | { deny: true }): Promise<URL> {
  const pageRes = await fetch(loginURL);
  const html = await pageRes.text();
  if (pageRes.status !== 200) throw new Error(`the login page answered HTTP ${pageRes.status}: ${html.slice(0, 200)}`);
  const choice = typeof user === 'string' ? `data-user="${user}"` : 'data-deny="1"';
  if (!html.includes(choice)) throw new Error(`the login page has no ${choice}`);
  const form = /<form method="(\w+)" action="([^"]*)">/.exec(html);
  if (!form) throw new Error('the login page has no form');
  const fields = new URLSearchParams();
  for (const [, name, value] of html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g))
    fields.append(
      name,
      value
        .replace(/&amp;/g, '&')
        .replace(/&quot;/g, '"')
        .replace(/&#39;/g, "'"),
    );
  if (typeof user === 'string') fields.set('user', user);
  else fields.set('deny', '1');
  const res = await fetch(new URL(form[2], loginURL), {
    method: form[1].toUpperCase(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: fields.toString(),
    redirect: 'manual',
  });
  await res.text();
  const location = res.headers.get('location');
  if (res.status !== 302 || !location) throw new Error(`the login page did not send the browser back (HTTP ${res.status})`);
  return new URL(location);
}

/** "/path?query" of a URL. */
export function pathOf(url: URL): string {
  return `${url.pathname}${url.search}`;
}
