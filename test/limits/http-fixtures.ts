import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { invalidCredentials, type Authenticator, type RequestUser } from '../../src/auth/authenticator.js';
import type { Config } from '../../src/config.js';
import { MemoryRateLimiter } from '../../src/limits/memory.js';
import type { RateLimiter } from '../../src/limits/rate-limiter.js';
import { RedisRateLimiter } from '../../src/limits/redis.js';
import { createRedisClient } from '../../src/limits/redis-client.js';
import type { Db } from '../../src/store/db.js';
import { makeTestApp, type TestApp } from '../helpers/app.js';
import { REDIS_TEST_URL, redisAvailable } from '../helpers/redis.js';

/**
 * Users before real authentication lands: `Bearer user:<id>` is that user, any other token is
 * refused, no header is anonymous (the Authenticator seam of deps, not a stand-in for tokens).
 */
export class FakeAuthenticator implements Authenticator {
  async authenticate(authorization: string | undefined): Promise<RequestUser | null> {
    if (authorization === undefined) return null;
    const match = /^Bearer user:([a-z0-9-]+)$/.exec(authorization);
    if (!match) throw invalidCredentials();
    return { id: match[1]!, name: match[1]!, role: 'user' };
  }
}

export interface LimiterKind {
  name: 'memory' | 'redis';
  make(): Promise<RateLimiter>;
}

/** The limiters HTTP suites run over; Redis ones get a key prefix of their own each. */
export const limiterKinds: LimiterKind[] = [{ name: 'memory', make: async () => new MemoryRateLimiter() }];
if (redisAvailable) {
  limiterKinds.push({
    name: 'redis',
    make: async () => {
      const client: Redis = createRedisClient(REDIS_TEST_URL);
      await client.connect();
      return new RedisRateLimiter(client, { prefix: `test:limits-http:${randomBytes(6).toString('hex')}:` });
    },
  });
}

/** An app over a shared database that this close() leaves open (the suite closes it once). */
export async function appOver(db: Db, limiter: RateLimiter, env: Partial<Record<keyof Config, string>>): Promise<TestApp> {
  const t = await makeTestApp(db, env, { limiter, auth: new FakeAuthenticator() });
  return {
    ...t,
    close: async () => {
      await t.app.close();
      await limiter.close();
    },
  };
}
