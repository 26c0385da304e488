import { startEmulator, type Emulator } from '@campus-passport/mock-platforms';
import { CampusAuthError, MemoryTokenStore, isCampusAuthError, undiciTransport } from '../src';
import { FlowContext, OptionChecks, PlatformClient, statusCode, type PlatformClientOptions } from '../src/kit';

const SECRET = 'client-base-SECRET-7781';

class TinyClient extends PlatformClient {
  constructor(options: PlatformClientOptions) {
    super('tiny', options, 'https://tiny.example');
  }
  async ping(): Promise<unknown> {
    const res = await this.send({ method: 'POST', path: '/ping', json: { secret: SECRET }, secrets: [SECRET] });
    this.checkStatus(res, 'the ping', { secrets: [SECRET] });
    return res.body;
  }
  get settings() {
    return { baseURL: this.baseURL, timeout: this.timeout, now: this.now };
  }
  /** A method that (wrongly) keeps state in a field assigned after construction. */
  remember(): void {
    (this as unknown as { last: number }).last = 1;
  }
}

async function rejection(p: Promise<unknown>): Promise<CampusAuthError> {
  try {
    await p;
  } catch (e) {
    expect(isCampusAuthError(e)).toBe(true);
    return e as CampusAuthError;
  }
  throw new Error('expected a rejection');
}

let emu: Emulator;
let status = 200;
beforeAll(async () => {
  emu = await startEmulator({
    name: 'tiny',
    routes(app) {
      app.post('/ping', (_req, res) => void res.status(status).json({ pong: true, echo: `secret was ${SECRET}` }));
    },
  });
});
afterAll(() => emu.close());

describe('PlatformClient', () => {
  it('validates baseURL, timeout, transport and now once, with the platform prefix', () => {
    const cases: Array<[PlatformClientOptions, RegExp]> = [
      [{ baseURL: 'ftp://x' }, /^tiny: option "baseURL" must be an absolute http\(s\) URL$/],
      [{ baseURL: 'not a url' }, /option "baseURL"/],
      [{ timeout: 0 }, /^tiny: option "timeout" must be a positive number of ms$/],
      [{ timeout: Number.NaN }, /option "timeout"/],
      [{ transport: 'x' as never }, /^tiny: option "transport" must be a function$/],
      [{ now: 5 as never }, /^tiny: option "now" must be a function$/],
    ];
    for (const [opts, re] of cases) {
      let err: unknown;
      try {
        new TinyClient(opts);
      } catch (e) {
        err = e;
      }
      expect(isCampusAuthError(err) && err.code).toBe('ERR_CONFIG');
      expect((err as Error).message).toMatch(re);
    }
    expect(() => new TinyClient(null as never)).toThrow(/^tiny: options must be an object$/);
  });

  it('defaults: the default baseURL without trailing slash, 10 s, Date.now', () => {
    const c = new TinyClient({ baseURL: 'https://x.example///' });
    expect(c.settings.baseURL).toBe('https://x.example');
    expect(c.settings.timeout).toBe(10_000);
    expect(c.settings.now).toBe(Date.now);
    expect(new TinyClient({}).origin).toBe('https://tiny.example');
  });

  it('one status table: 429 → ERR_RATE_LIMITED, 5xx → ERR_PLATFORM retryable, others pass', async () => {
    expect(statusCode(429)).toEqual({ code: 'ERR_RATE_LIMITED', retryable: true });
    expect(statusCode(503)).toEqual({ code: 'ERR_PLATFORM', retryable: true });
    expect(statusCode(401)).toBeUndefined();
    const c = new TinyClient({ baseURL: emu.url, transport: undiciTransport() });
    status = 429;
    const limited = await rejection(c.ping());
    expect(limited.code).toBe('ERR_RATE_LIMITED');
    expect(limited.upstreamStatus).toBe(429);
    status = 502;
    const failed = await rejection(c.ping());
    expect(failed.code).toBe('ERR_PLATFORM');
    expect(failed.retryable).toBe(true);
    expect(failed.message).toBe('tiny failed the ping (HTTP 502)');
    status = 200;
    await expect(c.ping()).resolves.toEqual({ pong: true, echo: `secret was ${SECRET}` });
  });

  it('sends with its timeout and platform name', async () => {
    emu.inject({ kind: 'stall' });
    const c = new TinyClient({ baseURL: emu.url, timeout: 150 });
    const err = await rejection(c.ping());
    expect(err.code).toBe('ERR_TIMEOUT');
    expect(err.platform).toBe('tiny');
    expect(err.message).not.toContain(SECRET);
  });
});

describe('OptionChecks', () => {
  const check = new OptionChecks('demo');
  it('names the option in one wording', () => {
    expect(() => check.string('', 'clientID')).toThrow('demo: option "clientID" must be a non-empty string');
    expect(() => check.optBoolean('yes', 'pkce')).toThrow('demo: option "pkce" must be true or false');
    expect(() => check.oneOf('x', 'api', ['classic', 'neo'], 'classic')).toThrow('demo: option "api" must be "classic" or "neo"');
    expect(() => check.optTokenStore({} as never)).toThrow('demo: option "tokenStore" must have get, set and delete');
  });
  it('returns valid values and defaults', () => {
    expect(check.string('a', 'x')).toBe('a');
    expect(check.optString(undefined, 'x')).toBeUndefined();
    expect(check.oneOf(undefined, 'api', ['classic', 'neo'], 'neo')).toBe('neo');
    expect(check.ms(undefined, 'timeout', 5)).toBe(5);
    const store = new MemoryTokenStore();
    expect(check.optTokenStore(store)).toBe(store);
  });

  it('within(context): the calls of the view belong to the flow; the view shares the client, keeps nothing of its own', async () => {
    const seen: Array<FlowContext | undefined> = [];
    const transport = undiciTransport();
    const client = new TinyClient({
      baseURL: emu.url,
      transport: (req) => {
        seen.push(req.context);
        return transport(req);
      },
    });
    expect(client.within(undefined)).toBe(client);
    const flow = new FlowContext(Date.now() + 5000);
    const view = client.within(flow);
    expect(view.baseURL).toBe(client.baseURL);
    expect(await view.ping()).toMatchObject({ pong: true });
    await client.ping();
    expect(seen).toEqual([flow, undefined]);
    expect(flow.secrets()).toContain(SECRET);
    // state assigned through a view would stay on the view alone: it throws instead
    expect(() => view.remember()).toThrow(TypeError);
    flow.end();
    expect((await rejection(view.ping())).code).toBe('ERR_TIMEOUT');
  });
});
