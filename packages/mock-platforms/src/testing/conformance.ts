import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { Express } from 'express';
import passport from 'passport';
import type { Strategy } from 'passport-strategy';
import supertest from 'supertest';
import type { Emulator, Fault } from '../harness';
import { strategyApp, type Actions } from './app';

/** The codes a conformance case accepts. */
type Code = string;

/** Everything the conformance matrix needs to know about one strategy. */
export interface ConformanceTarget {
  /** Label of the describe block. */
  title: string;
  /** Start a fresh emulator of the platform. */
  startEmulator(): Promise<Emulator>;
  /** Build the strategy against the emulator, with the given per-call timeout. */
  createStrategy(emulator: Emulator, options: { timeout: number }): Strategy;
  /** The parameter that carries the credential (code, token, stoken…). */
  credentialParam: string;
  /** Where the callback carries it: 'query' (GET, default), 'body' (POST form) or 'json' (POST JSON). */
  credentialIn?: 'query' | 'body' | 'json';
  /**
   * Walk the flow up to the callback and return what the browser would send to it (path and
   * params, with a fresh valid credential and state). `agent` keeps the session cookie.
   */
  validCallback(ctx: { agent: InstanceType<typeof supertest.agent>; emulator: Emulator }): Promise<{
    path?: string;
    params: Record<string, string>;
  }>;
  /** What a request without the credential does: 'redirect' to the platform, or 'fail'. */
  missingCredential: 'redirect' | 'fail';
  /** Secret values (client secret, app secret…) that must appear nowhere. */
  secrets: string[];
  /** Only inject faults on these emulator paths (default: every path). */
  faultPath?: string | RegExp;
}

interface Outcome {
  outcome: 'success' | 'fail' | 'error' | 'redirect';
  code?: string;
  status?: number;
  message?: string;
  location?: string;
}

const TIMEOUT = 400;

/**
 * Register the conformance matrix for one strategy: platform faults (stall, 5xx, HTML, malformed or
 * wrong-shaped JSON, oversized body, connection reset) and bad input (missing, repeated, 10 KB,
 * non-ASCII, unknown credential). Every case must end in exactly one clean fail or error with a
 * stable code, never hang, and leak no secret in the response, the error or the console.
 */
export function describeConformance(target: ConformanceTarget): void {
  describe(`conformance: ${target.title}`, () => {
    let emulator: Emulator;
    let app: Express;
    let actions: Actions;
    let name = '';
    let consoleText = '';
    let seq = 0;

    beforeAll(async () => {
      emulator = await target.startEmulator();
      ({ app, actions, name } = strategyApp(target.createStrategy(emulator, { timeout: TIMEOUT }), {
        prefix: `conformance-${target.credentialParam}`,
      }));
      for (const m of ['log', 'info', 'warn', 'error', 'debug'] as const) {
        jest.spyOn(console, m).mockImplementation((...args: unknown[]) => {
          consoleText += `${args.map(String).join(' ')}\n`;
        });
      }
    });
    afterEach(() => {
      emulator.clearFaults();
    });
    afterAll(async () => {
      jest.restoreAllMocks();
      passport.unuse(name);
      await emulator.close();
    });

    async function run(
      mutate: (params: Record<string, string>) => string | Record<string, string> | null,
      fault?: Fault,
    ): Promise<{ out: Outcome; text: string }> {
      const agent = supertest.agent(app);
      const valid = await target.validCallback({ agent, emulator });
      if (fault) emulator.inject(fault, { times: Infinity, path: target.faultPath });
      const id = `t${++seq}`;
      const mutated = mutate({ ...valid.params });
      const path = valid.path ?? '/callback';
      const inBody = target.credentialIn === 'body';
      let res: supertest.Response;
      const started = Date.now();
      if (inBody) {
        const body = typeof mutated === 'string' ? mutated : new URLSearchParams(mutated ?? {}).toString();
        res = await agent
          .post(path)
          .set('x-test-id', id)
          .type('form')
          .send(body)
          .timeout(TIMEOUT * 10);
      } else if (target.credentialIn === 'json') {
        // a repeated parameter becomes an array, as a JSON client would send it
        const body: Record<string, string | string[]> = {};
        const pairs = typeof mutated === 'string' ? [...new URLSearchParams(mutated)] : Object.entries(mutated ?? {});
        for (const [k, v] of pairs) {
          const prev = body[k];
          body[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
        }
        res = await agent
          .post(path)
          .set('x-test-id', id)
          .set('content-type', 'application/json')
          .send(JSON.stringify(body))
          .timeout(TIMEOUT * 10);
      } else {
        const qs = typeof mutated === 'string' ? mutated : new URLSearchParams(mutated ?? {}).toString();
        res = await agent
          .get(`${path}?${qs}`)
          .set('x-test-id', id)
          .timeout(TIMEOUT * 10);
      }
      expect(Date.now() - started).toBeLessThan(TIMEOUT * 10);
      // let any late second action land before counting
      await new Promise((r) => setTimeout(r, 30));
      expect(actions.get(id)).toHaveLength(1);
      const out: Outcome =
        res.status >= 300 && res.status < 400 ? { outcome: 'redirect', location: res.headers.location } : (res.body as Outcome);
      const everything = `${res.text}\n${JSON.stringify(res.headers)}\n${consoleText}`;
      for (const s of target.secrets) expect(everything).not.toContain(s);
      return { out, text: res.text };
    }

    const p = target.credentialParam;
    const replace = (value: string) => (params: Record<string, string>) => ({ ...params, [p]: value });

    const faultCases: Array<[string, Fault, Code[]]> = [
      ['platform stalls', { kind: 'stall' }, ['ERR_TIMEOUT']],
      [
        'platform answers 500 text',
        { kind: 'status', status: 500, body: 'Internal Server Error' },
        ['ERR_PLATFORM', 'ERR_BAD_RESPONSE'],
      ],
      [
        'platform answers 503 JSON',
        { kind: 'json', status: 503, body: { message: 'maintenance' } },
        ['ERR_PLATFORM', 'ERR_BAD_RESPONSE'],
      ],
      ['platform answers HTML', { kind: 'html' }, ['ERR_BAD_RESPONSE']],
      ['platform answers malformed JSON', { kind: 'malformed-json' }, ['ERR_BAD_RESPONSE']],
      [
        'platform answers wrong-shaped JSON (object)',
        { kind: 'json', body: { unexpected: true } },
        ['ERR_BAD_RESPONSE', 'ERR_PLATFORM'],
      ],
      ['platform answers wrong-shaped JSON (array)', { kind: 'json', body: [1, 2, 3] }, ['ERR_BAD_RESPONSE', 'ERR_PLATFORM']],
      ['platform answers a 2 MiB body', { kind: 'huge', bytes: 2 * 1024 * 1024 }, ['ERR_BAD_RESPONSE']],
      ['platform resets the connection', { kind: 'reset' }, ['ERR_NETWORK']],
    ];
    for (const [title, fault, codes] of faultCases) {
      it(`${title} → error ${codes.join(' | ')}`, async () => {
        const { out } = await run((x) => x, fault);
        expect(out.outcome).toBe('error');
        expect(codes).toContain(out.code);
      });
    }

    it('missing credential → one clean ' + target.missingCredential, async () => {
      const { out } = await run((params) => {
        const rest = { ...params };
        delete rest[p];
        return rest;
      });
      if (target.missingCredential === 'redirect') {
        expect(out.outcome).toBe('redirect');
        expect(out.location).toBeTruthy();
      } else {
        expect(out.outcome).toBe('fail');
        expect(out.code).toBe('ERR_NO_CREDENTIAL');
      }
    });

    it('repeated credential (array) → fail ERR_INVALID_CREDENTIAL', async () => {
      const { out } = await run((params) => {
        const qs = new URLSearchParams(params);
        qs.append(p, params[p] ?? 'x');
        return qs.toString();
      });
      expect(out.outcome).toBe('fail');
      expect(out.code).toBe('ERR_INVALID_CREDENTIAL');
    });

    it('10 KB credential → fail ERR_INVALID_CREDENTIAL', async () => {
      const { out } = await run(replace('A'.repeat(10 * 1024)));
      expect(out.outcome).toBe('fail');
      expect(out.code).toBe('ERR_INVALID_CREDENTIAL');
    });

    it('non-ASCII credential → fail ERR_INVALID_CREDENTIAL', async () => {
      const { out } = await run(replace('登录码\u0000\u202e'));
      expect(out.outcome).toBe('fail');
      expect(out.code).toBe('ERR_INVALID_CREDENTIAL');
    });

    it('unknown credential → fail ERR_INVALID_CREDENTIAL', async () => {
      const { out } = await run(replace('0123456789abcdef0123456789abcdef'));
      expect(out.outcome).toBe('fail');
      expect(out.code).toBe('ERR_INVALID_CREDENTIAL');
    });

    it('the valid credential still logs in (the matrix is not vacuous)', async () => {
      const { out } = await run((x) => x);
      expect(out.outcome).toBe('success');
    });
  });
}
