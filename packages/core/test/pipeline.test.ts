import { inspect } from 'node:util';
import { pipeline, type EngineRequest, type EngineResponse } from '../src/kit';
import { REDACTED } from '../src/redact';

const SECRET = 'cs-PIPELINE-SECRET-01';

/** A pipeline over an engine that records what it was asked and answers `answer`. */
function recording(answer: (req: EngineRequest) => EngineResponse = () => ({ status: 200, headers: {}, text: '{"ok":true}' })) {
  const seen: Array<{ method: string; origin: string; path: string; href: string }> = [];
  const transport = pipeline(async (req) => {
    seen.push({ method: req.method, origin: req.origin, path: req.path, href: req.url.href });
    return answer(req);
  });
  return { transport, seen };
}

describe('pipeline: what the engine is asked', () => {
  it.each([
    ['a base URL without a path', 'http://127.0.0.1:8080', { a: '1' }],
    ['a path with a space and Chinese', 'http://127.0.0.1:8080/p q/杭电', { zh: '杭电', s: "x y!'()~*" }],
    ['a default port and an upper-case host', 'HTTP://Example.COM:80/x', { list: ['1', '2'], skip: undefined }],
    ['no query at all', 'https://example.com/a/../b', undefined],
    ['a URL with a query of its own', 'https://example.com/p?fixed=1&x=%20', { a: 'b c' }],
    ['a fragment', 'https://example.com/p#frag', { a: '1' }],
  ])('%s: origin and path are what URL makes of the request', async (_name, url, query) => {
    const { transport, seen } = recording();
    await transport({ method: 'GET', url, query });
    const [asked] = seen;
    // what the pipeline did before it made no URL object: the URL with the query appended by
    // URLSearchParams rules, its origin, and its path + search
    const expected = new URL(url);
    for (const [k, v] of Object.entries(query ?? {}))
      if (v !== undefined) for (const item of [v].flat()) expected.searchParams.append(k, String(item));
    expected.hash = '';
    expect(asked.origin).toBe(expected.origin);
    expect(asked.path).toBe(`${expected.pathname}${expected.search}`);
    expect(new URL(asked.href).searchParams.toString()).toBe(expected.searchParams.toString());
  });

  it('a redirect moves origin, path and url together', async () => {
    let n = 0;
    const { transport, seen } = recording((): EngineResponse =>
      n++ === 0 ? { status: 302, headers: { location: '/next?x=1' }, text: '' } : { status: 200, headers: {}, text: '{}' },
    );
    await transport({ method: 'POST', url: 'http://127.0.0.1:1/start', json: { a: 1 } });
    expect(seen[1]).toEqual({
      method: 'GET',
      origin: 'http://127.0.0.1:1',
      path: '/next?x=1',
      href: 'http://127.0.0.1:1/next?x=1',
    });
  });
});

describe('pipeline: a redirect it cannot follow', () => {
  it.each([
    ['a location that is not a URL', 'http://[', /not a URL/],
    ['another host', 'http://other.example/x', /another host/],
  ])('%s is ERR_BAD_RESPONSE, the secret redacted', async (_n, location, message) => {
    const { transport } = recording(() => ({ status: 302, headers: { location }, text: '' }));
    const err = (await transport({ method: 'GET', url: 'http://127.0.0.1:1/t', query: { client_secret: SECRET } }).catch(
      (e: unknown) => e,
    )) as Error & { code?: string };
    expect(err.code).toBe('ERR_BAD_RESPONSE');
    expect(err.message).toMatch(message);
    expect(`${err.message} ${err.stack} ${JSON.stringify(err)}`).not.toContain(SECRET);
  });
});

describe('pipeline: the response', () => {
  it('url is the final URL with its secrets redacted; neither inspect, a spread nor JSON shows the raw one', async () => {
    const { transport } = recording();
    const res = await transport({ method: 'GET', url: 'http://127.0.0.1:1/token', query: { client_secret: SECRET, id: 'a' } });
    expect(res.url).toContain('/token?');
    expect(res.url).toContain(REDACTED);
    expect(res.url).not.toContain(SECRET);
    const json = JSON.parse(JSON.stringify(res)) as Record<string, unknown>;
    expect(json).toEqual({ status: 200, headers: {}, body: { ok: true }, text: '{"ok":true}', url: res.url });
    expect(inspect(res, { depth: 10, showHidden: true })).not.toContain(SECRET);
    expect(JSON.stringify({ ...res })).not.toContain(SECRET);
    expect({ ...res }).toMatchObject({ status: 200, body: { ok: true } });
  });
});
