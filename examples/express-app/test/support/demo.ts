import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import type { Emulator } from '@campus-passport/mock-platforms';
import type { Response as TestResponse, Test } from 'supertest';
import { createApp } from '../../src/app';
import { loadConfig, type AppConfig, type Env, type PlatformEntry } from '../../src/config';
import { startEmbedded } from '../../src/embedded';
import { createLogger } from '../../src/logger';
import { PLATFORMS } from '../../src/platforms';
import type { PlatformWiring } from '../../src/platforms/types';

export const TEST_SECRET = 'test-session-secret-0123456789abcdefghijklmnop';

/** Log lines the app wrote (JSON text). */
export class LogCapture extends Writable {
  lines: string[] = [];
  override _write(chunk: Buffer, _enc: string, cb: () => void): void {
    this.lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    cb();
  }
  get text(): string {
    return this.lines.join('\n');
  }
}

export interface Demo {
  /** http://127.0.0.1:<port> */
  url: string;
  server: Server;
  config: AppConfig;
  logs: LogCapture;
  emulators: Map<string, Emulator>;
  close(): Promise<void>;
}

async function listen(): Promise<{ server: Server; url: string }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/**
 * The demo app on 127.0.0.1 with every platform on its own emulator (free ports), as `pnpm start`
 * runs it. `env` adds settings (TRUST_PROXY…); `wirings` narrows the platforms.
 */
export async function startDemo(options: { env?: Env; wirings?: readonly PlatformWiring[] } = {}): Promise<Demo> {
  const { server, url } = await listen();
  const wirings = options.wirings ?? PLATFORMS;
  const embedded = await startEmbedded(wirings, { appOrigin: url, freePorts: true });
  const config = loadConfig({ SESSION_SECRET: TEST_SECRET, ...options.env }, wirings);
  config.platforms = embedded.platforms;
  const logs = new LogCapture();
  server.on('request', createApp(config, { logger: createLogger({ level: 'info', destination: logs }) }));
  return {
    url,
    server,
    config,
    logs,
    emulators: new Map(embedded.emulators.map((e) => [e.name, e])),
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await embedded.close();
    },
  };
}

/** The demo app with a given set of platform entries (configured or not). */
export async function startWithPlatforms(platforms: PlatformEntry[], env: Env = {}): Promise<Omit<Demo, 'emulators'>> {
  const { server, url } = await listen();
  const config = loadConfig({ SESSION_SECRET: TEST_SECRET, ...env }, []);
  config.platforms = platforms;
  const logs = new LogCapture();
  server.on('request', createApp(config, { logger: createLogger({ level: 'info', destination: logs }) }));
  return {
    url,
    server,
    config,
    logs,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

/** The value of the session cookie a response sets, if any. */
export function sessionCookie(setCookie: string | string[] | undefined, name = 'campus.sid'): string | undefined {
  const list = setCookie === undefined ? [] : Array.isArray(setCookie) ? setCookie : [setCookie];
  for (const c of list) {
    const [pair] = c.split(';');
    const eq = pair.indexOf('=');
    if (pair.slice(0, eq).trim() === name) return decodeURIComponent(pair.slice(eq + 1));
  }
  return undefined;
}

/** "/path?query" of an absolute URL on the app. */
export function pathOf(url: string): string {
  const u = new URL(url);
  return `${u.pathname}${u.search}`;
}

/** The credentials a URL carries (code, state, token, stoken, ticket): they must not reach the error URL. */
export function credentialsIn(url: string): string[] {
  const u = new URL(url, 'http://demo.invalid');
  return ['code', 'state', 'token', 'stoken', 'ticket'].flatMap((k) => u.searchParams.getAll(k)).filter((v) => v.length > 0);
}

/**
 * A failed sign-in on a browser's GET answers 303 to a clean /error URL. Checks that (the URL
 * carries the code and no credential of `from`), follows it, and returns the error page.
 */
export async function followToErrorPage(
  agent: { get(path: string): Test },
  answer: TestResponse,
  from: string,
): Promise<{ location: URL; page: TestResponse }> {
  expect(answer.status).toBe(303);
  const location = new URL(answer.headers.location, 'http://demo.invalid');
  expect(location.pathname).toBe('/error');
  expect(location.searchParams.get('code')).toMatch(/^ERR_[A-Z_]+$/);
  // `code` names the error code here; the credential parameters are not there at all
  for (const key of ['state', 'token', 'stoken', 'ticket']) expect(location.searchParams.has(key)).toBe(false);
  const credentials = credentialsIn(from);
  for (const c of credentials) expect(answer.headers.location).not.toContain(c);
  const page = await agent.get(`${location.pathname}${location.search}`);
  for (const c of credentials) expect(page.text).not.toContain(c);
  return { location, page };
}
