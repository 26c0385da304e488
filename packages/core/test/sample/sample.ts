/**
 * A tiny platform used only by core's tests: POST /token {code} with the app secret → the user.
 * Codes are single-use and expire after 5 minutes on the emulator's clock.
 */
import { randomBytes } from 'node:crypto';
import { startEmulator, type Emulator } from '@campus-passport/mock-platforms';
import {
  CampusAuthError,
  type CampusProfile,
  type CampusRequest,
  type CampusStrategyOptions,
  type VerifyFunction,
  type VerifyFunctionWithRequest,
} from '../../src';
import { CampusStrategy, expectObject, readParam, reqString, type FlowOutcome } from '../../src/kit';

export const SAMPLE_SECRET = 'sample-app-secret-VERY-SECRET-42';

export interface SampleEmulator extends Emulator {
  issueCode(userId?: string): string;
}

export async function startSampleEmulator(): Promise<SampleEmulator> {
  const codes = new Map<string, { user: string; exp: number }>();
  let clockRef: () => number = Date.now;
  const emu = await startEmulator({
    name: 'sample',
    routes(app, ctx) {
      clockRef = () => ctx.clock.now();
      app.post('/token', (req, res) => {
        const body = (req.body ?? {}) as Record<string, unknown>;
        if (body.secret !== SAMPLE_SECRET) return void res.status(401).json({ ok: false, error: 'bad_secret' });
        const entry = typeof body.code === 'string' ? codes.get(body.code) : undefined;
        if (!entry || entry.exp < ctx.clock.now()) return void res.status(400).json({ ok: false, error: 'invalid_code' });
        codes.delete(body.code as string);
        res.json({ ok: true, user: { id: entry.user, name: `用户${entry.user}` } });
      });
    },
  });
  return Object.assign(emu, {
    issueCode(userId = '1001') {
      const code = randomBytes(16).toString('hex');
      codes.set(code, { user: userId, exp: clockRef() + 5 * 60_000 });
      return code;
    },
  });
}

export interface SampleProfile extends CampusProfile<{ id: string; name: string }> {
  provider: 'sample';
}

export interface SampleOptions extends CampusStrategyOptions {
  baseURL: string;
  secret: string;
}

export class SampleStrategy extends CampusStrategy<{ code: string }, SampleProfile> {
  private readonly baseURL: string;
  private readonly secret: string;
  // Overloads keyed on passReqToCallback, so an inline verify gets its parameter types.
  constructor(
    options: SampleOptions & { passReqToCallback: true },
    verify: VerifyFunctionWithRequest<{ code: string }, SampleProfile>,
  );
  constructor(options: SampleOptions & { passReqToCallback?: false }, verify: VerifyFunction<{ code: string }, SampleProfile>);
  constructor(
    options: SampleOptions,
    verify: VerifyFunction<{ code: string }, SampleProfile> | VerifyFunctionWithRequest<{ code: string }, SampleProfile>,
  ) {
    super('sample', options, verify);
    this.baseURL = options.baseURL;
    this.secret = options.secret;
  }

  protected async flow(req: CampusRequest): Promise<FlowOutcome<{ code: string }, SampleProfile>> {
    const code = readParam(req, 'code', { platform: 'sample' });
    if (!code) throw new CampusAuthError('ERR_NO_CREDENTIAL', 'no code', { platform: 'sample' });
    const res = await this.transport({
      method: 'POST',
      url: `${this.baseURL}/token`,
      json: { code, secret: this.secret },
      headers: { authorization: `Bearer ${this.secret}` },
      timeout: this.timeout,
      platform: 'sample',
    });
    const body = expectObject(res.body, 'sample', 'the token answer', res.status);
    if (res.status === 400 && body.error === 'invalid_code')
      throw new CampusAuthError('ERR_INVALID_CREDENTIAL', 'the code is invalid or used', {
        platform: 'sample',
        platformCode: 'invalid_code',
      });
    if (res.status !== 200 || body.ok !== true)
      throw new CampusAuthError('ERR_PLATFORM', `sample refused (HTTP ${res.status})`, {
        platform: 'sample',
        upstreamStatus: res.status,
      });
    const user = expectObject(body.user, 'sample', 'the user');
    const id = reqString(user, 'id', 'sample', 'the user');
    const profile: SampleProfile = {
      provider: 'sample',
      id,
      displayName: String(user.name ?? ''),
      _json: { id, name: String(user.name ?? '') },
      _raw: res.text,
    };
    return { kind: 'login', credentials: { code }, profile };
  }
}
