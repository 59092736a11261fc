import { randomUUID } from 'node:crypto';
import type { Redis, Result } from 'ioredis';
import { PEEK_LUA, SLIDING_WINDOW_LUA } from './sliding-window-script.js';
import { HOUR_MS, type KeyState, type LimitDecision, type LimitKey, type LimiterHealth, type RateLimiter } from './rate-limiter.js';

export interface RedisLimiterOptions {
  windowMs?: number;
  /** Prepended to every key (tests give each file its own). */
  prefix?: string;
  /**
   * Milliseconds since the epoch, passed into the script. Absent (production): the script reads
   * Redis's TIME, so every replica counts on the one clock. Tests inject one to move time.
   */
  now?: () => number;
}

type SlidingWindowReply = number[];

declare module 'ioredis' {
  interface RedisCommander<Context> {
    chrysopediaSlidingWindow(numKeys: number, ...args: (string | number)[]): Result<SlidingWindowReply, Context>;
    chrysopediaPeek(numKeys: number, ...args: (string | number)[]): Result<SlidingWindowReply, Context>;
  }
}

/** The shared sliding window: one Lua script checks and counts every key atomically. Errors propagate. */
export class RedisRateLimiter implements RateLimiter {
  readonly kind = 'redis';
  readonly stats = { outages: 0, fallbackChecks: 0 };
  private readonly windowMs: number;
  private readonly prefix: string;
  private readonly now: (() => number) | undefined;

  constructor(
    readonly client: Redis,
    options: RedisLimiterOptions = {},
  ) {
    this.windowMs = options.windowMs ?? HOUR_MS;
    this.prefix = options.prefix ?? '';
    this.now = options.now;
    // defineCommand sends EVALSHA and falls back to EVAL when a restarted Redis lost the script.
    client.defineCommand('chrysopediaSlidingWindow', { lua: SLIDING_WINDOW_LUA });
    client.defineCommand('chrysopediaPeek', { lua: PEEK_LUA });
  }

  async check(keys: readonly LimitKey[]): Promise<LimitDecision> {
    const reply = await this.client.chrysopediaSlidingWindow(
      keys.length,
      ...keys.map((k) => this.prefix + k.key),
      this.now ? this.now() : '',
      this.windowMs,
      randomUUID(),
      ...keys.map((k) => k.limit),
    );
    const rejected = Number(reply[0]);
    const states = keys.map((k, i) => {
      const count = Number(reply[1 + 2 * i]);
      return { limit: k.limit, remaining: Math.max(0, k.limit - count), resetMs: Number(reply[2 + 2 * i]) };
    });
    return { rejectedBy: rejected === 0 ? null : rejected - 1, states };
  }

  async peek(key: LimitKey): Promise<KeyState> {
    const [count, reset] = await this.client.chrysopediaPeek(1, this.prefix + key.key, this.now ? this.now() : '', this.windowMs, key.limit);
    return { limit: key.limit, remaining: Math.max(0, key.limit - Number(count)), resetMs: Number(reset) };
  }

  async health(): Promise<LimiterHealth> {
    try {
      await this.client.ping();
      return { status: 'ok', detail: 'redis' };
    } catch {
      return { status: 'down', detail: 'redis unreachable' };
    }
  }

  async close(): Promise<void> {
    await this.client.quit().catch(() => this.client.disconnect());
  }
}
