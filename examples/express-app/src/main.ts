import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { config as loadDotenv } from 'dotenv';
import type { Store } from 'express-session';
import type { Logger } from 'pino';
import { createApp } from './app';
import { ConfigError, loadConfig, loadServerConfig, type AppConfig, type Env } from './config';
import { startEmbedded, type Embedded } from './embedded';
import { createLogger } from './logger';
import { PLATFORMS } from './platforms';
import { createRedisSessionStore, type RedisSessions } from './sessions';

/**
 * Start the demo. With no platform configured, the five emulators start in-process and every
 * strategy points at them; otherwise only the configured platforms are live.
 */
export interface MainOptions {
  /** Logger (tests pass one writing to a buffer). */
  logger?: Logger;
  /** Print the "open http://…" banner. Default true. */
  banner?: boolean;
}

export interface Running {
  url: string;
  config: AppConfig;
  embedded?: Embedded;
  close(): Promise<void>;
}

export async function main(env: Env = process.env, options: MainOptions = {}): Promise<Running> {
  // Bad configuration throws ConfigError (naming the variable) before anything starts.
  const server = loadServerConfig(env);
  const config = loadConfig(env, PLATFORMS);
  const logger = options.logger ?? createLogger({ level: config.logLevel });

  // Listen first, so that the emulators can be told the app's real origin (PORT=0 works too).
  const http = createServer();
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(server.port, server.host, () => resolve());
  });
  const port = (http.address() as AddressInfo).port;
  const url = config.publicURL ?? `http://localhost:${port}`;

  let embedded: Embedded | undefined;
  let redis: RedisSessions | undefined;
  try {
    if (config.platforms.every((p) => !p.configured)) {
      embedded = await startEmbedded(PLATFORMS, { appOrigin: url, freePorts: server.emulatorPorts === 'free' });
      config.platforms = embedded.platforms;
      for (const e of embedded.emulators) logger.info({ platform: e.name, url: e.url }, 'embedded emulator started');
      logger.info('no platform configured: using the embedded emulators (see .env.example to use real platforms)');
    } else {
      for (const p of config.platforms)
        logger.info(
          { platform: p.wiring.name, status: p.configured ? p.configured.baseURL : 'not configured' },
          p.configured ? 'platform configured' : 'platform not configured',
        );
    }

    let store: Store | undefined;
    if (config.redisURL) {
      redis = await createRedisSessionStore(config.redisURL, { onError: (err) => logger.error({ err }, 'redis session store') });
      store = redis.store;
      logger.info('sessions: Redis');
    } else {
      logger.warn(
        'sessions: in-memory store (MemoryStore) — it loses every login on restart and does not work with several processes; set REDIS_URL for production',
      );
    }
    if (config.sessionSecretGenerated)
      logger.warn('SESSION_SECRET is not set: using a random secret for this process (every restart logs everyone out)');

    http.on('request', createApp(config, { logger, sessionStore: store }));
  } catch (err) {
    http.close();
    await embedded?.close();
    await redis?.close();
    throw err;
  }
  logger.info({ url }, `campus-passport demo listening on ${url}`);
  if (options.banner !== false) console.log(`\n  campus-passport demo: open ${url}\n`);

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      await new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeAllConnections();
      });
      await embedded?.close();
      await redis?.close();
    })());
  return { url, config, embedded, close };
}

/**
 * Run the demo as a program: `.env` from the working directory, then `main()`; SIGINT / SIGTERM
 * close it (the emulators too) and exit. `node dist/main.js` and `scripts/start.mjs` call this.
 */
export function runAsProgram(): void {
  loadDotenv({ quiet: true });
  main().then(
    (running) => {
      const stop = () => {
        running.close().then(() => process.exit(0));
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    },
    (err: unknown) => {
      if (err instanceof ConfigError) console.error(`campus-passport demo: bad configuration — ${err.message}`);
      else console.error('campus-passport demo: failed to start:', err instanceof Error ? err.message : err);
      process.exit(1);
    },
  );
}

// Started as a program (node dist/main.js), not imported by a test or by scripts/start.mjs.
if (process.argv[1] && /main\.(c?js|mjs|ts)$/.test(process.argv[1]) && !process.env.JEST_WORKER_ID) runAsProgram();
