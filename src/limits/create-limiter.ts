import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { FailoverRateLimiter } from './failover.js';
import { MemoryRateLimiter } from './memory.js';
import type { RateLimiter } from './rate-limiter.js';
import { RedisRateLimiter } from './redis.js';
import { connectWithin, createRedisClient } from './redis-client.js';

/** Embedded mode counts in-process; with REDIS_URL every replica shares Redis's counts. */
export async function createRateLimiter(
  config: Pick<Config, 'REDIS_URL' | 'RATE_LIMIT_FAIL'>,
  log: Logger,
): Promise<RateLimiter> {
  if (!config.REDIS_URL) return new MemoryRateLimiter();
  const client = createRedisClient(config.REDIS_URL, (err) => log.debug({ reason: err.message }, 'redis connection error'));
  if (!(await connectWithin(client, 1000))) {
    log.warn('rate limiter: Redis not reachable at start, will keep trying');
  }
  return new FailoverRateLimiter(new RedisRateLimiter(client), new MemoryRateLimiter(), {
    mode: config.RATE_LIMIT_FAIL,
    log,
  });
}
