import { startEmulator, type Emulator } from '@campus-passport/mock-platforms';
import { strategyApp } from '@campus-passport/mock-platforms/testing';
import { type CampusProfile, type CampusRequest, type CampusStrategyOptions } from '../src';
import { CampusStrategy, type FlowContext, type FlowOutcome } from '../src/kit';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator({
    name: 'slow',
    routes(app) {
      app.get('/step', (_req, res) => void setTimeout(() => res.json({ ok: true }), 300));
    },
  });
});
afterAll(() => emu.close());

/** A flow of five sequential platform calls of ~300 ms each, or one that never ends. */
class StepsStrategy extends CampusStrategy<object, CampusProfile> {
  calls = 0;
  constructor(
    private readonly base: string,
    options: CampusStrategyOptions,
    private readonly stuck = false,
  ) {
    super('steps', options, async () => ({ id: 1 }));
  }
  protected async flow(_req: CampusRequest, _options: unknown, login: FlowContext): Promise<FlowOutcome<object, CampusProfile>> {
    if (this.stuck) await new Promise(() => undefined);
    for (let i = 0; i < 5; i++) {
      this.calls++;
      await this.transport({ method: 'GET', url: `${this.base}/step`, timeout: this.timeout, platform: 'steps', context: login });
    }
    return { kind: 'login', credentials: {}, profile: { provider: 'steps', id: '1', displayName: 'x', _json: {}, _raw: '' } };
  }
}

describe('the overall deadline of a login', () => {
  it('five calls inside their own timeout still end at loginTimeout with ERR_TIMEOUT; no call starts after it', async () => {
    const s = new StepsStrategy(emu.url, { timeout: 500, loginTimeout: 1000 });
    const t0 = Date.now();
    const res = await strategyApp(s).call('get', '/callback');
    const took = Date.now() - t0;
    expect(res.body).toMatchObject({ outcome: 'error', code: 'ERR_TIMEOUT' });
    expect(took).toBeLessThan(1000 + 300);
    expect(took).toBeGreaterThanOrEqual(900);
    await new Promise((r) => setTimeout(r, 400));
    expect(s.calls).toBeLessThanOrEqual(4);
  });

  it('defaults to twice the per-call timeout', async () => {
    const s = new StepsStrategy(emu.url, { timeout: 400 });
    const t0 = Date.now();
    const res = await strategyApp(s).call('get', '/callback');
    expect(res.body).toMatchObject({ outcome: 'error', code: 'ERR_TIMEOUT' });
    expect(Date.now() - t0).toBeLessThan(800 + 300);
  });

  it('ends a flow stuck outside the transport, too', async () => {
    const res = await strategyApp(new StepsStrategy(emu.url, { loginTimeout: 200 }, true)).call('get', '/callback');
    expect(res.body).toMatchObject({
      outcome: 'error',
      code: 'ERR_TIMEOUT',
      message: 'steps: the login did not finish within 200 ms',
    });
  });

  it('a login inside the deadline succeeds', async () => {
    const res = await strategyApp(new StepsStrategy(emu.url, { timeout: 1000, loginTimeout: 5000 })).call('get', '/callback');
    expect(res.body).toMatchObject({ outcome: 'success' });
  });

  it('loginTimeout is checked like timeout', () => {
    expect(() => new StepsStrategy(emu.url, { loginTimeout: -1 })).toThrow(
      'steps: option "loginTimeout" must be a positive number of ms',
    );
  });
});
