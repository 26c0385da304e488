/**
 * Walk an emulator's login page as a browser would: load it, find the button (or link) carrying
 * data-user="<id>", submit its form with the hidden fields and the button's name/value. Returns
 * where the platform sends the browser next.
 */
const attr = (tag: string, name: string) =>
  new RegExp(`\\s${name}="([^"]*)"`)
    .exec(tag)?.[1]
    ?.replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');

export async function chooseUser(pageURL: string, user: string): Promise<string> {
  const page = await fetch(pageURL);
  const html = await page.text();
  if (page.status !== 200) throw new Error(`GET ${pageURL}: HTTP ${page.status}`);
  const button = new RegExp(`<(button|a)\\b[^>]*\\sdata-user="${user}"[^>]*>`).exec(html);
  if (!button) throw new Error(`no data-user="${user}" on the login page`);
  let res: Response;
  if (button[1] === 'a') res = await fetch(new URL(attr(button[0], 'href') ?? '', pageURL), { redirect: 'manual' });
  else {
    const form = html.slice(html.lastIndexOf('<form', button.index), html.indexOf('</form>', button.index));
    const formTag = form.slice(0, form.indexOf('>') + 1);
    const fields = new URLSearchParams();
    for (const input of form.match(/<input\b[^>]*>/g) ?? []) fields.append(attr(input, 'name') ?? '', attr(input, 'value') ?? '');
    fields.append(attr(button[0], 'name') ?? 'user', attr(button[0], 'value') ?? user);
    const action = new URL(attr(formTag, 'action') ?? pageURL, pageURL);
    if ((attr(formTag, 'method') ?? 'get').toLowerCase() === 'get') {
      for (const [k, v] of fields) action.searchParams.append(k, v);
      res = await fetch(action, { redirect: 'manual' });
    } else {
      const headers = { 'content-type': 'application/x-www-form-urlencoded' };
      res = await fetch(action, { method: 'POST', headers, body: fields.toString(), redirect: 'manual' });
    }
  }
  const location = res.headers.get('location');
  if (res.status < 300 || res.status > 399 || !location) throw new Error(`the login page did not redirect (HTTP ${res.status})`);
  return new URL(location, pageURL).toString();
}
