import { Redis } from 'ioredis';

/** Whatever Redis does, a command gives up after this long. */
export const REDIS_COMMAND_TIMEOUT_MS = 500;

/**
 * A client that fails fast instead of queueing: with Redis gone a command is refused at once
 * (no offline queue, no retries), and a Redis that hangs times out within REDIS_COMMAND_TIMEOUT_MS.
 * It keeps reconnecting in the background, so shared counting resumes when Redis is back.
 */
export function createRedisClient(url: string, onError: (err: Error) => void = () => undefined): Redis {
  const client = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
    connectTimeout: 1000,
    retryStrategy: (times) => Math.min(times * 100, 2000),
  });
  // Without a listener ioredis prints every reconnect failure to stderr.
  client.on('error', onError);
  return client;
}

/** Waits for the first connection, but never longer than `waitMs`: a dead Redis must not stop start-up. */
export async function connectWithin(client: Redis, waitMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), waitMs);
  });
  const connected = client.connect().then(
    () => true,
    () => false,
  );
  try {
    return await Promise.race([connected, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
