import { HOUR_MS, type KeyState, type LimitDecision, type LimitKey, type LimiterHealth, type RateLimiter } from './rate-limiter.js';

export interface MemoryLimiterOptions {
  windowMs?: number;
  /** Milliseconds since the epoch; injectable so tests can move time. */
  now?: () => number;
}

/** Keys nobody has touched for this long are swept, so idle clients do not pile up. */
const SWEEP_EVERY_MS = 60_000;

/**
 * The in-process sliding window: accepted timestamps per key, oldest first. A check runs without
 * awaiting anything, so it is atomic within the process.
 */
export class MemoryRateLimiter implements RateLimiter {
  readonly kind = 'memory';
  readonly stats = { outages: 0, fallbackChecks: 0 };
  private readonly windowMs: number;
  private readonly now: () => number;
  private readonly accepted = new Map<string, number[]>();
  private lastSweep: number;

  constructor(options: MemoryLimiterOptions = {}) {
    this.windowMs = options.windowMs ?? HOUR_MS;
    this.now = options.now ?? Date.now;
    this.lastSweep = this.now();
  }

  async check(keys: readonly LimitKey[]): Promise<LimitDecision> {
    const now = this.now();
    this.sweep(now);
    const lists = keys.map(({ key }) => this.live(key, now));
    const rejectedBy = keys.findIndex((k, i) => lists[i]!.length >= k.limit);
    if (rejectedBy === -1) {
      keys.forEach(({ key }, i) => {
        insertSorted(lists[i]!, now);
        this.accepted.set(key, lists[i]!);
      });
    }
    const states = keys.map((k, i) => stateOf(lists[i]!, k.limit, now, this.windowMs));
    return { rejectedBy: rejectedBy === -1 ? null : rejectedBy, states };
  }

  async peek(key: LimitKey): Promise<KeyState> {
    const now = this.now();
    return stateOf(this.live(key.key, now), key.limit, now, this.windowMs);
  }

  async health(): Promise<LimiterHealth> {
    return { status: 'ok', detail: 'not configured: in-process rate limiter' };
  }

  async close(): Promise<void> {
    this.accepted.clear();
  }

  /** The key's timestamps still inside the window (score > now - window, as in the Redis script). */
  private live(key: string, now: number): number[] {
    const list = this.accepted.get(key) ?? [];
    const cutoff = now - this.windowMs;
    let expired = 0;
    while (expired < list.length && list[expired]! <= cutoff) expired++;
    if (expired > 0) list.splice(0, expired);
    if (list.length === 0) this.accepted.delete(key);
    return list;
  }

  private sweep(now: number): void {
    if (now - this.lastSweep < SWEEP_EVERY_MS) return;
    this.lastSweep = now;
    for (const key of [...this.accepted.keys()]) this.live(key, now);
  }
}

/** Clocks can step back (NTP); keep the list sorted so expiry stays a prefix. */
function insertSorted(list: number[], ts: number): void {
  let i = list.length;
  while (i > 0 && list[i - 1]! > ts) i--;
  list.splice(i, 0, ts);
}

/** The slot that frees next is the one whose leaving brings the count below the limit. */
function stateOf(list: number[], limit: number, now: number, windowMs: number): KeyState {
  const freeing = list[Math.max(0, list.length - limit)];
  return {
    limit,
    remaining: Math.max(0, limit - list.length),
    resetMs: freeing === undefined ? 0 : Math.max(0, freeing + windowMs - now),
  };
}
