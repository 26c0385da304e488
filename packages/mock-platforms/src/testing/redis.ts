import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';

export interface RedisServer {
  /** redis://127.0.0.1:PORT */
  url: string;
  port: number;
  /** Freeze the server (SIGSTOP): connections stay open, nothing is answered — a stalled Redis. */
  pause(): void;
  /** Thaw a paused server (SIGCONT). */
  resume(): void;
  /** Stop the server (connections are refused) until `restart()`; its data is lost. */
  stop(): Promise<void>;
  /** Start it again on the same port. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

function which(bin: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(':')) if (dir && existsSync(`${dir}/${bin}`)) return `${dir}/${bin}`;
  return ['/usr/bin', '/usr/sbin', '/usr/local/bin'].map((d) => `${d}/${bin}`).find((p) => existsSync(p));
}

/** Install Debian's redis-server when it is missing (tests run as root on Debian). */
export function ensureRedisServer(): string {
  let bin = which('redis-server');
  if (!bin) {
    execFileSync(
      'bash',
      [
        '-c',
        'apt-get -o DPkg::Lock::Timeout=600 update -qq && DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq redis-server',
      ],
      {
        stdio: 'ignore',
        timeout: 600_000,
      },
    );
    bin = which('redis-server');
  }
  if (!bin) throw new Error('redis-server is not installed and could not be installed with apt-get');
  return bin;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

function spawnRedis(bin: string, port: number): Promise<ChildProcess> {
  const child: ChildProcess = spawn(
    bin,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'yes'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  return new Promise<ChildProcess>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('redis-server did not start within 10 s')), 10_000);
    child.stdout?.on('data', (d: Buffer) => {
      if (/Ready to accept connections/i.test(d.toString())) {
        clearTimeout(timer);
        child.stdout?.resume();
        child.stderr?.resume();
        resolve(child);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited with ${code}`));
    });
  });
}

function stopChild(child: ChildProcess | undefined): Promise<void> {
  return new Promise<void>((resolve) => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGCONT');
    child.kill('SIGTERM');
  });
}

/** Start a throw-away redis-server on a free port of 127.0.0.1 (no persistence). */
export async function startRedis(): Promise<RedisServer> {
  const bin = ensureRedisServer();
  const port = await freePort();
  let child: ChildProcess | undefined = await spawnRedis(bin, port);
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    pause: () => void child?.kill('SIGSTOP'),
    resume: () => void child?.kill('SIGCONT'),
    async stop() {
      await stopChild(child);
      child = undefined;
    },
    async restart() {
      await stopChild(child);
      child = await spawnRedis(bin, port);
    },
    async close() {
      await stopChild(child);
      child = undefined;
    },
  };
}
