import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';

/** A controllable clock: emulators read time from it, so tests can expire codes and tokens. */
export interface Clock {
  /** Epoch ms, as the emulator sees it. */
  now(): number;
  /** Move the emulator's time forward. */
  advance(ms: number): void;
  /** Set the emulator's time. */
  set(epochMs: number): void;
  /** Back to real time. */
  reset(): void;
}

export function createClock(): Clock {
  let offset = 0;
  return {
    now: () => Date.now() + offset,
    advance: (ms) => {
      offset += ms;
    },
    set: (epochMs) => {
      offset = epochMs - Date.now();
    },
    reset: () => {
      offset = 0;
    },
  };
}

/** Faults an emulator can inject in front of its real routes. */
export type Fault =
  | { kind: 'latency'; ms: number }
  | { kind: 'stall' }
  | { kind: 'status'; status: number; body?: string | object; contentType?: string }
  | { kind: 'html'; status?: number }
  | { kind: 'malformed-json'; status?: number }
  | { kind: 'json'; status?: number; body: unknown }
  | { kind: 'huge'; bytes: number; status?: number }
  | { kind: 'redirect'; location: string; status?: number }
  | { kind: 'reset' };

export interface FaultOptions {
  /** How many requests it hits: 1 by default; `Infinity` until `clearFaults()`. */
  times?: number;
  /** Only requests whose path equals this string or matches this RegExp. */
  path?: string | RegExp;
  method?: string;
}

/** One request as the emulator received it. */
export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string | string[]>;
  headers: Record<string, string>;
  /** Parsed JSON / form body, or the text. */
  body: unknown;
  rawBody: string;
  /** Emulator clock time. */
  at: number;
}

export interface EmulatorContext {
  readonly name: string;
  readonly clock: Clock;
  /** The emulator's own origin (http://127.0.0.1:port), known once it listens. */
  readonly url: string;
}

export interface Emulator {
  readonly name: string;
  readonly url: string;
  readonly port: number;
  readonly clock: Clock;
  /** Every request received, oldest first (login page loads included). */
  readonly requests: RecordedRequest[];
  clearRequests(): void;
  inject(fault: Fault, options?: FaultOptions): void;
  clearFaults(): void;
  close(): Promise<void>;
}

export interface StartEmulatorOptions {
  name: string;
  /** 0 (default) = a free port. */
  port?: number;
  host?: string;
  /** Mount the platform's routes. Request bodies are already parsed into `req.body`. */
  routes(app: Express, ctx: EmulatorContext): void;
  clock?: Clock;
}

const MAX_BODY = 1024 * 1024;
const RAW_BODY = Symbol('campus-passport.rawBody');

/** The request body exactly as received (what a signature covers); '' when there was none. */
export function rawBody(req: Request): string {
  return (req as unknown as Record<symbol, string | undefined>)[RAW_BODY] ?? '';
}

function parseBody(raw: string, type: string | undefined): unknown {
  if (raw === '') return undefined;
  if (type?.includes('application/json')) {
    try {
      return JSON.parse(raw);
    } catch {
      return undefined;
    }
  }
  if (type?.includes('application/x-www-form-urlencoded')) {
    const out: Record<string, string | string[]> = {};
    for (const [k, v] of new URLSearchParams(raw)) {
      const prev = out[k];
      out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
    }
    return out;
  }
  return raw;
}

function flatHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

/** Start one emulator on 127.0.0.1 with request recording and fault injection. */
export async function startEmulator(options: StartEmulatorOptions): Promise<Emulator> {
  const clock = options.clock ?? createClock();
  const requests: RecordedRequest[] = [];
  const faults: Array<{ fault: Fault; left: number; opts: FaultOptions }> = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let url = '';
  const ctx: EmulatorContext = {
    name: options.name,
    clock,
    get url() {
      return url;
    },
  };

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  // 1. read and record the body
  app.use((req: Request, res: Response, next: NextFunction) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY) chunks.push(c);
    });
    req.on('end', () => {
      if (size > MAX_BODY) {
        res.status(413).json({ error: 'payload too large' });
        return;
      }
      const rawBody = Buffer.concat(chunks).toString('utf8');
      const body = parseBody(rawBody, req.headers['content-type']);
      (req as Request & { body: unknown }).body = body;
      Object.defineProperty(req, RAW_BODY, { value: rawBody });
      requests.push({
        method: req.method,
        path: req.path,
        query: req.query as Record<string, string | string[]>,
        headers: flatHeaders(req),
        body,
        rawBody,
        at: clock.now(),
      });
      next();
    });
    req.on('error', next);
  });

  // 2. faults
  app.use((req: Request, res: Response, next: NextFunction) => {
    const i = faults.findIndex(
      ({ opts }) =>
        (!opts.method || opts.method.toUpperCase() === req.method) &&
        (!opts.path || (typeof opts.path === 'string' ? opts.path === req.path : opts.path.test(req.path))),
    );
    if (i === -1) return next();
    const entry = faults[i];
    entry.left -= 1;
    if (entry.left <= 0) faults.splice(i, 1);
    applyFault(entry.fault, req, res, next, timers);
  });

  options.routes(app, ctx);

  app.use((req: Request, res: Response) => {
    res.status(404).json({ error: 'not_found', path: req.path });
  });
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    if (!res.headersSent) res.status(500).json({ error: 'emulator_error', message: String((err as Error)?.message ?? err) });
  });

  const server: Server = createServer(app as unknown as (req: IncomingMessage, res: ServerResponse) => void);
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  url = `http://${options.host ?? '127.0.0.1'}:${port}`;

  let closed: Promise<void> | undefined;
  return {
    name: options.name,
    url,
    port,
    clock,
    requests,
    clearRequests: () => {
      requests.length = 0;
    },
    inject(fault, opts = {}) {
      faults.push({ fault, left: opts.times ?? 1, opts });
    },
    clearFaults() {
      faults.length = 0;
    },
    close() {
      closed ??= new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        server.close(() => resolve());
        server.closeAllConnections();
        for (const s of sockets) s.destroy();
      });
      return closed;
    },
  };
}

function applyFault(fault: Fault, req: Request, res: Response, next: NextFunction, timers: Set<NodeJS.Timeout>): void {
  switch (fault.kind) {
    case 'latency': {
      const t = setTimeout(() => {
        timers.delete(t);
        next();
      }, fault.ms);
      timers.add(t);
      return;
    }
    case 'stall':
      return; // never answer; close() destroys the socket
    case 'reset':
      req.socket.destroy();
      return;
    case 'status': {
      const body = fault.body ?? '';
      const type = fault.contentType ?? (typeof body === 'string' ? 'text/plain' : 'application/json');
      res
        .status(fault.status)
        .type(type)
        .send(typeof body === 'string' ? body : JSON.stringify(body));
      return;
    }
    case 'html':
      res
        .status(fault.status ?? 200)
        .type('text/html')
        .send(
          '<!doctype html><html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1><p>nginx</p></body></html>',
        );
      return;
    case 'malformed-json':
      res
        .status(fault.status ?? 200)
        .type('application/json')
        .send('{"code":0,"data":{"truncated":');
      return;
    case 'json':
      res
        .status(fault.status ?? 200)
        .type('application/json')
        .send(JSON.stringify(fault.body));
      return;
    case 'huge':
      res
        .status(fault.status ?? 200)
        .type('application/json')
        .send(`{"pad":"${'x'.repeat(fault.bytes)}"}`);
      return;
    case 'redirect':
      res.redirect(fault.status ?? 302, fault.location);
      return;
  }
}

/** Escape text for the emulators' tiny HTML pages. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
