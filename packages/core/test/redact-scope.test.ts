/**
 * Redaction by value: every credential a login handles is scrubbed from every error built while
 * it runs — even when the platform echoes it bare in free text and the code that builds the error
 * names no secret.
 */
import { inspect } from 'node:util';
import passport from 'passport';
import { startEmulator, type Emulator } from '@campus-passport/mock-platforms';
import { strategyApp } from '@campus-passport/mock-platforms/testing';
import { CampusAuthError, defaultTransport, type CampusProfile, type CampusRequest } from '../src';
import { CampusStrategy, FlowContext, readParam, type FlowOutcome } from '../src/kit';

const APP_SECRET = 'scope-app-SECRET-5521';
let emu: Emulator;
let lastError: CampusAuthError | undefined;

/** A platform that quotes back everything it was sent, bare, in its refusals. */
beforeAll(async () => {
  emu = await startEmulator({
    name: 'echo',
    routes(app) {
      app.post('/token', (req, res) => {
        const b = (req.body ?? {}) as Record<string, string>;
        if (b.code.startsWith('html'))
          return void res
            .status(502)
            .type('html')
            .send(`<h1>bad gateway for ${b.code} with ${b.app} at ${new Date().toISOString()}</h1>`);
        res.json({ ok: false, msg: `code ${b.code} is not valid for app ${b.app}` });
      });
    },
  });
});
afterAll(() => emu.close());

class EchoStrategy extends CampusStrategy<{ code: string }, CampusProfile> {
  constructor(private readonly base: string) {
    super('echo', {}, () => undefined);
  }
  protected async flow(
    req: CampusRequest,
    _options: unknown,
    login: FlowContext,
  ): Promise<FlowOutcome<{ code: string }, CampusProfile>> {
    const code = readParam(req, 'code', { platform: 'echo' })!;
    // `app` is no secret-looking key: only the explicit `secrets` option makes it one
    const res = await this.transport<{ msg: string }>({
      method: 'POST',
      url: `${this.base}/token`,
      json: { code, app: APP_SECRET },
      secrets: [APP_SECRET],
      platform: 'echo',
      context: login,
    });
    // built with no `secrets` at all, quoting the platform's text
    lastError = new CampusAuthError('ERR_PLATFORM', `echo said: ${res.body.msg}`, {
      platform: 'echo',
      platformMessage: res.body.msg,
      details: { said: res.body.msg },
      cause: new Error(`upstream: ${res.body.msg}`),
    });
    throw lastError;
  }
}

function everything(e: CampusAuthError): string {
  return [
    e.message,
    e.platformMessage,
    e.stack,
    JSON.stringify(e),
    JSON.stringify(e.toJSON()),
    e.cause?.message,
    e.cause?.stack,
    inspect(e, { depth: 5 }),
  ].join('\n');
}

describe('redaction by value (secret scope)', () => {
  it('a code and an app secret echoed bare by the platform reach no message, cause, stack, JSON or inspect', async () => {
    const { call } = strategyApp(new EchoStrategy(emu.url));
    const code = 'c0de-VALUE-that-is-bare-12345';
    const res = await call('get', `/callback?code=${code}`);
    expect(res.body).toMatchObject({ outcome: 'error', code: 'ERR_PLATFORM' });
    expect(res.text).not.toContain(code);
    expect(res.text).not.toContain(APP_SECRET);
    const text = everything(lastError!);
    expect(text).toContain('[REDACTED]');
    expect(text).not.toContain(code);
    expect(text).not.toContain(APP_SECRET);
  });

  it('an HTML error page quoting the code is redacted in the transport error too', async () => {
    const { call } = strategyApp(new EchoStrategy(emu.url));
    const code = 'html-code-VALUE-777777';
    const res = await call('get', `/callback?code=${code}`);
    expect(res.body).toMatchObject({ outcome: 'error', code: 'ERR_BAD_RESPONSE' });
    expect(res.text).not.toContain(code);
    expect(res.text).not.toContain(APP_SECRET);
  });

  it('a FlowContext outside a strategy: its secrets redact the errors built with them; nothing leaks between contexts', async () => {
    const flow = new FlowContext();
    let gathered = 0;
    flow.addSecrets('lone-SECRET-1', () => {
      gathered++;
      return ['lazy-SECRET-2'];
    });
    expect(gathered).toBe(0);
    const inside = new CampusAuthError('ERR_PLATFORM', 'saw lone-SECRET-1 and lazy-SECRET-2', { secrets: flow.secrets() });
    expect(inside.message).toBe('saw [REDACTED] and [REDACTED]');
    expect(gathered).toBe(1);
    expect(new FlowContext().secrets()).toEqual([]);
    const outside = new CampusAuthError('ERR_PLATFORM', 'saw lone-SECRET-1');
    expect(outside.message).toBe('saw lone-SECRET-1');
    passport.unuse('echo');
  });

  it('a call in a context collects its credentials there, and one after the context ended is not sent', async () => {
    const flow = new FlowContext(Date.now() + 5000);
    const call = (code: string) =>
      defaultTransport({ method: 'POST', url: `${emu.url}/token`, json: { code, app: 'x' }, platform: 'echo', context: flow });
    await call('ctx-code-VALUE-1');
    expect(flow.secrets()).toContain('ctx-code-VALUE-1');
    const before = emu.requests.length;
    flow.end();
    await expect(call('ctx-code-VALUE-2')).rejects.toMatchObject({ code: 'ERR_TIMEOUT' });
    expect(emu.requests.length).toBe(before);
  });
});
