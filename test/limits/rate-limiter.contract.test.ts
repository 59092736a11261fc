import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import type { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryRateLimiter } from '../../src/limits/memory.js';
import { HOUR_MS, type RateLimiter, retryAfterSeconds } from '../../src/limits/rate-limiter.js';
import { RedisRateLimiter } from '../../src/limits/redis.js';
import { createRedisClient } from '../../src/limits/redis-client.js';
import { adminClient, REDIS_TEST_URL, redisAvailable } from '../helpers/redis.js';

/** A clock the test moves by hand. */
class TestClock {
  constructor(public ms = Date.UTC(2025, 0, 1)) {}
  readonly now = () => this.ms;
  advance(ms: number) {
    this.ms += ms;
  }
}

interface LimiterFactory {
  name: 'memory' | 'redis';
  make(clock: TestClock): Promise<RateLimiter>;
}

// Every key of this file lives under its own prefix, so parallel test files never share a count.
const PREFIX = `test:limits-contract:${randomBytes(4).toString('hex')}:`;
let admin: Redis | null = null;
const clients: Redis[] = [];

const factories: LimiterFactory[] = [{ name: 'memory', make: async (clock) => new MemoryRateLimiter({ now: clock.now }) }];
if (redisAvailable) {
  admin = adminClient(REDIS_TEST_URL);
  factories.push({
    name: 'redis',
    make: async (clock) => {
      const client = await connectedClient();
      return new RedisRateLimiter(client, { prefix: PREFIX, now: clock.now });
    },
  });
}

async function connectedClient(): Promise<Redis> {
  const client = createRedisClient(REDIS_TEST_URL);
  clients.push(client);
  await client.connect();
  return client;
}

afterAll(async () => {
  for (const c of clients) c.disconnect();
  if (admin) {
    const keys = await admin.keys(`${PREFIX}*`);
    if (keys.length > 0) await admin.del(...keys);
    await admin.quit();
  }
});

const fresh = (name: string) => `ratelimit:ip:${name}-${randomBytes(4).toString('hex')}`;

describe.each(factories)('$name rate limiter', ({ name, make }) => {
  it('admits exactly L of 3L parallel requests', async () => {
    const limiter = await make(new TestClock());
    const key = fresh('parallel');
    const decisions = await Promise.all(Array.from({ length: 30 }, () => limiter.check([{ key, limit: 10 }])));
    expect(decisions.filter((d) => d.rejectedBy === null)).toHaveLength(10);
    expect(decisions.filter((d) => d.rejectedBy === 0)).toHaveLength(20);
  });

  it('admits exactly L of 3L parallel requests when identity and creator are checked together', async () => {
    const limiter = await make(new TestClock());
    const creator = fresh('creator');
    const decisions = await Promise.all(
      Array.from({ length: 12 }, (_, i) => limiter.check([{ key: fresh(`id${i}`), limit: 100 }, { key: creator, limit: 4 }])),
    );
    expect(decisions.filter((d) => d.rejectedBy === null)).toHaveLength(4);
    expect(decisions.filter((d) => d.rejectedBy === 1)).toHaveLength(8);
  });

  it('has no double burst at a window edge: L requests just before it leave no room just after it', async () => {
    const clock = new TestClock();
    const limiter = await make(clock);
    const key = fresh('edge');
    clock.advance(HOUR_MS - 100); // the end of what a fixed window would call "this hour"
    for (let i = 0; i < 3; i++) expect((await limiter.check([{ key, limit: 3 }])).rejectedBy).toBeNull();
    clock.advance(200); // past the fixed-window boundary
    expect((await limiter.check([{ key, limit: 3 }])).rejectedBy).toBe(0);
    clock.advance(HOUR_MS - 201); // one millisecond before the first slot frees
    expect((await limiter.check([{ key, limit: 3 }])).rejectedBy).toBe(0);
    clock.advance(1);
    expect((await limiter.check([{ key, limit: 3 }])).rejectedBy).toBeNull();
  });

  it('never admits more than L in any window of 3600 s, and refuses only when L were admitted in it', async () => {
    const limiter = await make(new TestClock());
    const limit = 4;
    // Gaps from 0 to 1.5 windows, so sequences cross window edges in every way.
    const gaps = fc.array(fc.integer({ min: 0, max: Math.round(1.5 * HOUR_MS) }), { minLength: 1, maxLength: 25 });
    await fc.assert(
      fc.asyncProperty(gaps, async (steps) => {
        const clock = new TestClock();
        const probe = await make(clock);
        const key = fresh('window');
        const admitted: number[] = [];
        for (const gap of steps) {
          clock.advance(gap);
          const inWindow = admitted.filter((t) => t > clock.ms - HOUR_MS).length;
          const decision = await probe.check([{ key, limit }]);
          expect(decision.rejectedBy === null).toBe(inWindow < limit);
          if (decision.rejectedBy === null) admitted.push(clock.ms);
        }
        for (const t of admitted) expect(admitted.filter((u) => u > t - HOUR_MS && u <= t).length).toBeLessThanOrEqual(limit);
        await probe.close();
      }),
      { numRuns: name === 'redis' ? 40 : 200 },
    );
    await limiter.close();
  });

  it('says retry_after as whole seconds, at least 1, right to within 1 s', async () => {
    const clock = new TestClock();
    const limiter = await make(clock);
    const key = fresh('retry');
    await limiter.check([{ key, limit: 2 }]);
    clock.advance(1_234_567);
    await limiter.check([{ key, limit: 2 }]);
    clock.advance(10_000);
    const refused = await limiter.check([{ key, limit: 2 }]);
    expect(refused.rejectedBy).toBe(0);
    const retryAfter = retryAfterSeconds(refused.states[0]!);
    // The first request frees its slot at 3600 s - 1 244.567 s = 2 355.433 s from now.
    expect(retryAfter).toBe(2356);
    clock.advance((retryAfter - 1) * 1000);
    expect((await limiter.check([{ key, limit: 2 }])).rejectedBy).toBe(0);
    clock.advance(1000);
    expect((await limiter.check([{ key, limit: 2 }])).rejectedBy).toBeNull();

    // A slot freeing in a fraction of a second still says 1, never 0.
    const soon = fresh('soon');
    await limiter.check([{ key: soon, limit: 1 }]);
    clock.advance(HOUR_MS - 200);
    const almost = await limiter.check([{ key: soon, limit: 1 }]);
    expect(almost.rejectedBy).toBe(0);
    expect(retryAfterSeconds(almost.states[0]!)).toBe(1);
  });

  it('reports remaining and when the next slot frees', async () => {
    const clock = new TestClock();
    const limiter = await make(clock);
    const key = fresh('state');
    expect((await limiter.check([{ key, limit: 3 }])).states[0]).toEqual({ limit: 3, remaining: 2, resetMs: HOUR_MS });
    clock.advance(60_000);
    expect((await limiter.check([{ key, limit: 3 }])).states[0]).toEqual({ limit: 3, remaining: 1, resetMs: HOUR_MS - 60_000 });
  });

  it('peeks at a key without counting: same state as the check reported, and the count unchanged', async () => {
    const clock = new TestClock();
    const limiter = await make(clock);
    const key = fresh('peek');
    expect(await limiter.peek({ key, limit: 2 })).toEqual({ limit: 2, remaining: 2, resetMs: 0 });
    await limiter.check([{ key, limit: 2 }]);
    clock.advance(1000);
    const seen = await limiter.peek({ key, limit: 2 });
    expect(seen).toEqual({ limit: 2, remaining: 1, resetMs: HOUR_MS - 1000 });
    expect(await limiter.peek({ key, limit: 2 })).toEqual(seen);
    expect((await limiter.check([{ key, limit: 2 }])).rejectedBy).toBeNull();
    const full = await limiter.peek({ key, limit: 2 });
    expect(full).toEqual({ limit: 2, remaining: 0, resetMs: HOUR_MS - 1000 });
    clock.advance(HOUR_MS);
    expect(await limiter.peek({ key, limit: 2 })).toEqual({ limit: 2, remaining: 2, resetMs: 0 });
  });

  it('leaves the identity count unchanged when the creator limit refuses', async () => {
    const limiter = await make(new TestClock());
    const identity = fresh('identity');
    const creator = fresh('creator');
    await limiter.check([{ key: fresh('someone-else'), limit: 10 }, { key: creator, limit: 1 }]);
    const refused = await limiter.check([{ key: identity, limit: 10 }, { key: creator, limit: 1 }]);
    expect(refused.rejectedBy).toBe(1);
    expect(refused.states[0]!.remaining).toBe(10);
    // Nothing was spent: the next request of that identity is its first.
    expect((await limiter.check([{ key: identity, limit: 10 }])).states[0]!.remaining).toBe(9);
  });

  it('leaves the creator count unchanged when the identity limit refuses', async () => {
    const limiter = await make(new TestClock());
    const identity = fresh('identity');
    const creator = fresh('creator');
    await limiter.check([{ key: identity, limit: 1 }]);
    const refused = await limiter.check([{ key: identity, limit: 1 }, { key: creator, limit: 5 }]);
    expect(refused.rejectedBy).toBe(0);
    expect(refused.states[1]!.remaining).toBe(5);
  });

  it('counts a lowered limit correctly against requests admitted under a higher one', async () => {
    const clock = new TestClock();
    const limiter = await make(clock);
    const key = fresh('lowered');
    for (let i = 0; i < 4; i++) {
      await limiter.check([{ key, limit: 10 }]);
      clock.advance(1000);
    }
    const refused = await limiter.check([{ key, limit: 2 }]);
    expect(refused.rejectedBy).toBe(0);
    // Three of the four must leave before one more fits: the slot frees when the third-oldest goes.
    expect(refused.states[0]!.resetMs).toBe(HOUR_MS - 2000);
  });
});

describe.runIf(redisAvailable)('redis rate limiter keys', () => {
  it('leaves no key without an expiry', async () => {
    const clock = new TestClock();
    const client = await connectedClient();
    const prefix = `${PREFIX}expiry:`;
    const limiter = new RedisRateLimiter(client, { prefix, now: clock.now });
    for (let i = 0; i < 20; i++) {
      await limiter.check([{ key: `ratelimit:ip:10.0.0.${i % 3}`, limit: 4 }, { key: `ratelimit:creator:c${i % 2}`, limit: 5 }]);
      clock.advance(30_000);
    }
    const keys = await admin!.keys(`${prefix}*`);
    expect(keys.length).toBe(5);
    for (const key of keys) {
      const ttl = await admin!.pttl(key);
      expect(ttl, key).toBeGreaterThan(0);
      expect(ttl, key).toBeLessThanOrEqual(HOUR_MS);
    }
  });

  it('uses the SPEC key names under the prefix', async () => {
    const client = await connectedClient();
    const prefix = `${PREFIX}names:`;
    await new RedisRateLimiter(client, { prefix }).check([{ key: 'ratelimit:user:u1', limit: 3 }]);
    expect(await admin!.zcard(`${prefix}ratelimit:user:u1`)).toBe(1);
  });
});
