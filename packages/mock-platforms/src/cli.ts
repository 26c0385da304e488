/**
 * `campus-mock`: every platform emulator on its fixed local port, until Ctrl+C — or until whoever
 * started it (a terminal, `pnpm`, `npx`, a test) goes away: SIGINT, SIGTERM and SIGHUP stop it, and
 * so do the parent process exiting (its parent pid changes) and, when stdin is a pipe, stdin
 * closing. Stopping closes every emulator before the process exits, so the ports are free again.
 */
import { fstatSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { Emulator } from './harness';
import { startDisabledAidEmulator } from './platforms/disabled-aid';
import { DEFAULT_APP_CODE, DEFAULT_APP_SECRET, startNcuosEmulator } from './platforms/ncuos';
import { emulators, platformEntry, type PlatformEntry } from './registry';

/** Where the emulators send users back by default: the demo app (`pnpm start`). */
export const DEFAULT_APP_URL = 'http://localhost:3000';

const USAGE = `usage: campus-mock [--host 127.0.0.1] [--only name,name] [--app-url ${DEFAULT_APP_URL}] [--free-ports] [--list]
Starts every platform emulator (or only the named ones) on its fixed local port, until Ctrl+C,
SIGTERM or SIGHUP, or until the process that started it exits (or closes stdin, when it is a pipe).
  --app-url URL      the app the NCUOS and disabled-aid emulators send users back to
                     (env CAMPUS_MOCK_APP_URL; default ${DEFAULT_APP_URL}): NCUOS' registered callback
                     becomes URL/auth/ncuos/callback, the disabled-aid portal opens URL/auth/disabled-aid/callback
  --free-ports       every emulator on a free port instead of its fixed one
  --no-watch-parent  keep running when the parent exits or stdin closes (nohup, a process manager)
  --list             print each platform's name and port, start nothing
platforms: ${emulators.map((e) => e.name).join(', ')}`;

/** The app's callback paths on the emulators that are configured with the app's address (the demo's routes). */
export const APP_CALLBACK_PATHS: Readonly<Record<string, string>> = {
  ncuos: '/auth/ncuos/callback',
  'disabled-aid': '/auth/disabled-aid/callback',
};

export interface CliOptions {
  host: string;
  only?: string[];
  /** The app's base URL, without a trailing slash. */
  appURL: string;
  freePorts: boolean;
  watchParent: boolean;
  list: boolean;
  help: boolean;
}

/** An absolute http(s) URL without credentials, query or fragment; trailing slashes dropped. */
function checkAppURL(value: string, from: string): string {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    throw new Error(`${from} must be an absolute http(s) URL, e.g. ${DEFAULT_APP_URL} (got "${value}")`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw new Error(`${from} must be an http(s) URL, e.g. ${DEFAULT_APP_URL} (got "${value}")`);
  if (u.username || u.password || u.search || u.hash)
    throw new Error(`${from} must be the app's address only (no user, query or fragment), e.g. ${DEFAULT_APP_URL}`);
  return `${u.origin}${u.pathname}`.replace(/\/+$/, '');
}

/** Read the command line (and CAMPUS_MOCK_APP_URL); throws a message naming the bad option. */
export function parseCli(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): CliOptions {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      host: { type: 'string' },
      only: { type: 'string' },
      'app-url': { type: 'string' },
      'free-ports': { type: 'boolean' },
      'no-watch-parent': { type: 'boolean' },
      list: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  let only: string[] | undefined;
  if (values.only !== undefined) {
    only = values.only.split(',').filter(Boolean);
    if (only.length === 0) throw new Error('--only needs a comma-separated list of platform names');
    only.forEach(platformEntry); // throws naming the known platforms
  }
  const fromEnv = env.CAMPUS_MOCK_APP_URL?.trim();
  const appURL =
    values['app-url'] !== undefined
      ? checkAppURL(values['app-url'], '--app-url')
      : fromEnv
        ? checkAppURL(fromEnv, 'CAMPUS_MOCK_APP_URL')
        : DEFAULT_APP_URL;
  return {
    host: values.host ?? '127.0.0.1',
    only,
    appURL,
    freePorts: values['free-ports'] === true,
    watchParent: values['no-watch-parent'] !== true,
    list: values.list === true,
    help: values.help === true,
  };
}

/**
 * Start one registered emulator. The two that send users to an app registered with them (NCUOS'
 * callback, the disabled-aid portal's app link) get the app's URL through their own start options.
 */
function startOne(entry: PlatformEntry, port: number, o: CliOptions): Promise<Emulator> {
  const back = APP_CALLBACK_PATHS[entry.name] ? `${o.appURL}${APP_CALLBACK_PATHS[entry.name]}` : undefined;
  if (back && entry.name === 'ncuos')
    return startNcuosEmulator({
      port,
      host: o.host,
      apps: [{ appCode: DEFAULT_APP_CODE, appSecret: DEFAULT_APP_SECRET, callbackURL: back }],
    });
  if (back && entry.name === 'disabled-aid') return startDisabledAidEmulator({ port, host: o.host, appURL: back });
  return entry.start({ port, host: o.host });
}

/** Start the chosen emulators in registry order; if one fails, close those already started. */
export async function startChosen(o: CliOptions): Promise<Emulator[]> {
  const chosen = o.only ? o.only.map(platformEntry) : emulators;
  const started: Emulator[] = [];
  try {
    for (const e of emulators.filter((x) => chosen.includes(x))) started.push(await startOne(e, o.freePorts ? 0 : e.port, o));
  } catch (err) {
    await Promise.all(started.map((s) => s.close()));
    throw err;
  }
  return started;
}

/** stdin is a pipe or a socket (a parent that can close it), not a terminal, a file or /dev/null. */
function stdinIsPipe(): boolean {
  try {
    const s = fstatSync(0);
    return s.isFIFO() || s.isSocket();
  } catch {
    return false;
  }
}

/**
 * Stop when whoever started this process goes away: the signals a terminal, `pnpm`, `npx` or a
 * supervisor send, the parent exiting (this process is then re-parented: `process.ppid` changes),
 * or, when stdin is a pipe, the parent closing it. Calls `stop` once with the reason.
 */
function watchLifetime(stop: (why: string) => void, watchParent: boolean): void {
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
  if (!watchParent) return; // nohup ignores SIGHUP: listening for it would undo that
  process.once('SIGHUP', () => stop('SIGHUP'));
  const parent = process.ppid;
  const poll = setInterval(() => {
    if (process.ppid !== parent) stop(`the parent process (pid ${parent}) exited`);
  }, 250);
  poll.unref();
  if (stdinIsPipe()) {
    process.stdin.on('end', () => stop('stdin closed'));
    process.stdin.on('error', () => stop('stdin closed'));
    process.stdin.resume();
  }
}

/** The running CLI (what `main` returns after starting the emulators). */
export interface MockRun {
  emulators: Emulator[];
  /** Close every emulator (what a signal does before the process exits). */
  stop(): Promise<void>;
}

/**
 * `campus-mock [--host h] [--only a,b] [--app-url URL] [--free-ports] [--no-watch-parent] [--list]`.
 * Started as the program (the bin), it stays up until stopped and then exits the process;
 * `--list` and `--help` print and return.
 */
export async function main(argv: string[] = process.argv.slice(2)): Promise<MockRun | undefined> {
  const o = parseCli(argv);
  if (o.help) {
    console.log(USAGE);
    return undefined;
  }
  if (o.list) {
    for (const e of emulators) console.log(`${e.name}\t${e.port}`);
    return undefined;
  }
  if (emulators.length === 0) {
    console.log('campus-mock: no platform emulators are registered yet');
    return undefined;
  }
  const started = await startChosen(o);
  for (const e of started) {
    const entry = platformEntry(e.name);
    console.log(`${e.name.padEnd(14)} ${e.url}  ${entry.title.zh} / ${entry.title.en}  login page: ${e.url}${entry.loginPath}`);
  }
  const sendsBack = started.filter((e) => APP_CALLBACK_PATHS[e.name]).map((e) => `${o.appURL}${APP_CALLBACK_PATHS[e.name]}`);
  if (sendsBack.length) console.log(`campus-mock: users go back to ${sendsBack.join(' and ')} (--app-url to change)`);
  console.log('campus-mock: all emulators running; Ctrl+C stops them');

  let stopping: Promise<void> | undefined;
  const stop = () => (stopping ??= Promise.all(started.map((e) => e.close())).then(() => undefined));
  watchLifetime((why) => {
    if (stopping) return;
    console.log(`campus-mock: ${why}; stopping the emulators`);
    // a stuck close must not keep the ports' owner alive: exit after 3 s whatever happens
    setTimeout(() => process.exit(1), 3000).unref();
    stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  }, o.watchParent);
  return { emulators: started, stop };
}
