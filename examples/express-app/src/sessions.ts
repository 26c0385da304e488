import { RedisStore } from 'connect-redis';
import type { Store } from 'express-session';
import { createClient } from 'redis';

export interface RedisSessions {
  store: Store;
  close(): Promise<void>;
}

export interface RedisSessionOptions {
  prefix?: string;
  /** Attempts before startup gives up when Redis cannot be reached. Default 5. */
  startupAttempts?: number;
  /** Called with connection errors after startup (the client reconnects by itself). */
  onError?(err: Error): void;
}

/** Sessions in Redis (connect-redis), for several app processes or restarts without logouts. */
export async function createRedisSessionStore(url: string, options: RedisSessionOptions = {}): Promise<RedisSessions> {
  const attempts = options.startupAttempts ?? 5;
  let ready = false;
  const client = createClient({
    url,
    socket: {
      connectTimeout: 5_000,
      // at startup, give up after a few attempts (a wrong REDIS_URL must not hang); later, retry forever
      reconnectStrategy: (retries: number, cause: Error) =>
        !ready && retries >= attempts
          ? new Error(`Redis unreachable at startup: ${cause.message}`)
          : Math.min(100 * 2 ** retries, 3_000),
    },
  });
  client.on('error', (err: Error) => {
    if (ready) options.onError?.(err);
  });
  try {
    await client.connect();
  } catch (err) {
    if (client.isOpen) client.destroy();
    throw err;
  }
  ready = true;
  return {
    store: new RedisStore({ client, prefix: options.prefix ?? 'campus-passport:sess:' }),
    close: async () => {
      await client.close();
    },
  };
}
