import express, { type Express } from 'express';
import passport from 'passport';
import request from 'supertest';
import { describeConformance, countActions } from '@campus-passport/mock-platforms/testing';
import { CampusAuthError, type VerifyFunction, type VerifyFunctionWithRequest } from '../src';
import { SAMPLE_SECRET, SampleStrategy, startSampleEmulator, type SampleEmulator, type SampleProfile } from './sample/sample';

type Verify = VerifyFunction<{ code: string }, SampleProfile> | VerifyFunctionWithRequest<{ code: string }, SampleProfile>;

let emu: SampleEmulator;
beforeAll(async () => {
  emu = await startSampleEmulator();
});
afterAll(() => emu.close());

let seq = 0;
const actions = new Map<string, string[]>();

function appWith(verify: VerifyFunction<{ code: string }, SampleProfile>): Express;
function appWith(verify: VerifyFunctionWithRequest<{ code: string }, SampleProfile>, opts: { passReqToCallback: true }): Express;
function appWith(verify: Verify, opts: { passReqToCallback?: boolean } = {}): Express {
  const name = `sample-${++seq}`;
  const options = { baseURL: emu.url, secret: SAMPLE_SECRET, name };
  const strategy = opts.passReqToCallback
    ? new SampleStrategy(
        { ...options, passReqToCallback: true },
        verify as VerifyFunctionWithRequest<{ code: string }, SampleProfile>,
      )
    : new SampleStrategy(options, verify as VerifyFunction<{ code: string }, SampleProfile>);
  passport.use(name, countActions(strategy, actions));
  const app = express();
  app.use(passport.initialize());
  app.get('/cb', (req, res, next) =>
    passport.authenticate(
      name,
      { session: false },
      (err: Error | null, user: unknown, info: { code?: string } | undefined, status?: number) => {
        if (err)
          return void res.status(500).json({ outcome: 'error', message: err.message, code: (err as CampusAuthError).code });
        if (!user) return void res.status(status ?? 401).json({ outcome: 'fail', info });
        res.json({ outcome: 'success', user, info });
      },
    )(req, res, next),
  );
  return app;
}

async function hit(app: Express, code?: string) {
  const id = `r${++seq}`;
  const res = await request(app)
    .get(code === undefined ? '/cb' : `/cb?code=${code}`)
    .set('x-test-id', id);
  await new Promise((r) => setTimeout(r, 20));
  expect(actions.get(id)).toHaveLength(1);
  return res;
}

describe('CampusStrategy base', () => {
  it('verify in callback style → success with the user and info', async () => {
    const app = appWith((creds, profile, done) => done(null, { id: profile.id, code: creds.code }, { message: 'hi' }));
    const res = await hit(app, emu.issueCode('42'));
    expect(res.body).toEqual({ outcome: 'success', user: { id: '42', code: expect.any(String) }, info: { message: 'hi' } });
  });

  it('verify in Promise style (async function) → success', async () => {
    const app = appWith(async (_c, profile) => ({ id: profile.id, name: profile.displayName }));
    const res = await hit(app, emu.issueCode('7'));
    expect(res.body.user).toEqual({ id: '7', name: '用户7' });
  });

  it('passReqToCallback gives the request first, in both styles', async () => {
    const cb = appWith((req, creds, _p, done) => done(null, { same: req.query?.code === creds.code }), {
      passReqToCallback: true,
    });
    expect((await hit(cb, emu.issueCode())).body.user).toEqual({ same: true });
    const pr = appWith(async (req) => ({ code: req.query?.code }), { passReqToCallback: true });
    const code = emu.issueCode();
    expect((await hit(pr, code)).body.user).toEqual({ code });
  });

  it('the call shape is never chosen by verify.length', async () => {
    // a rest-args verify has length 0: it must still receive (credentials, profile, done)
    const app = appWith(((...args: unknown[]) =>
      (args[2] as (e: unknown, u: unknown) => void)(null, { n: args.length })) as VerifyFunction<
      { code: string },
      SampleProfile
    >);
    expect((await hit(app, emu.issueCode())).body.user).toEqual({ n: 3 });
  });

  it('false / null user → fail with info, default info has a code', async () => {
    const f = appWith((_c, _p, done) => done(null, false, { message: 'not allowed here', code: 'APP_DENIED' }));
    const r1 = await hit(f, emu.issueCode());
    expect(r1.status).toBe(401);
    expect(r1.body.info).toEqual({ message: 'not allowed here', code: 'APP_DENIED' });
    const n = appWith(async () => null);
    const r2 = await hit(n, emu.issueCode());
    expect(r2.body).toEqual({ outcome: 'fail', info: { message: expect.any(String), code: 'ERR_DENIED' } });
  });

  it('throwing or rejecting verify → error, exactly one action', async () => {
    const t = appWith(() => {
      throw new Error('verify blew up');
    });
    expect((await hit(t, emu.issueCode())).body).toMatchObject({ outcome: 'error', message: 'verify blew up' });
    const r = appWith(async () => {
      throw new Error('verify rejected');
    });
    expect((await hit(r, emu.issueCode())).body).toMatchObject({ outcome: 'error', message: 'verify rejected' });
  });

  it('done called twice, or done plus a resolved Promise → still one action', async () => {
    const twice = appWith((_c, _p, done) => {
      done(null, { first: true });
      done(null, { second: true });
      done(new Error('third'));
    });
    expect((await hit(twice, emu.issueCode())).body.user).toEqual({ first: true });
    const both = appWith(async (_c, _p, done) => {
      done(null, { viaDone: true });
      return { viaPromise: true };
    });
    expect((await hit(both, emu.issueCode())).body.user).toEqual({ viaDone: true });
  });

  it('platform refusals map to fail; missing credential to ERR_NO_CREDENTIAL', async () => {
    const app = appWith(async () => ({ ok: true }));
    const used = emu.issueCode();
    await hit(app, used);
    const again = await hit(app, used);
    expect(again.status).toBe(401);
    expect(again.body.info).toEqual({ message: expect.any(String), code: 'ERR_INVALID_CREDENTIAL' });
    const none = await hit(app);
    expect(none.body.info.code).toBe('ERR_NO_CREDENTIAL');
  });

  it('an expired code (emulator clock) fails', async () => {
    const app = appWith(async () => ({ ok: true }));
    const code = emu.issueCode();
    emu.clock.advance(5 * 60_000 + 1);
    try {
      expect((await hit(app, code)).body.info.code).toBe('ERR_INVALID_CREDENTIAL');
    } finally {
      emu.clock.reset();
    }
  });

  it('construction validates options and verify', () => {
    expect(
      () =>
        new SampleStrategy({ baseURL: 'x', secret: 's' }, 'nope' as unknown as VerifyFunction<{ code: string }, SampleProfile>),
    ).toThrow(/verify must be a function/);
    expect(() => new SampleStrategy({ baseURL: 'x', secret: 's', timeout: -1 }, async () => null)).toThrow(CampusAuthError);
    expect(() => new SampleStrategy({ baseURL: 'x', secret: 's', name: '' }, async () => null)).toThrow(/"name"/);
    expect(new SampleStrategy({ baseURL: 'x', secret: 's' }, async () => null).name).toBe('sample');
  });
});

// The conformance matrix, exercised on the sample strategy.
let conformanceEmu: SampleEmulator;
describeConformance({
  title: 'sample strategy',
  async startEmulator() {
    conformanceEmu = await startSampleEmulator();
    return conformanceEmu;
  },
  createStrategy: (emulator, { timeout }) =>
    new SampleStrategy({ baseURL: emulator.url, secret: SAMPLE_SECRET, timeout }, async (_c, profile) => ({ id: profile.id })),
  credentialParam: 'code',
  missingCredential: 'fail',
  async validCallback() {
    return { params: { code: conformanceEmu.issueCode() } };
  },
  secrets: [SAMPLE_SECRET],
});
