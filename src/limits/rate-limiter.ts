/** One key to count a request against, with how many requests it accepts per window. */
export interface LimitKey {
  key: string;
  limit: number;
}

/** Where one key stands after a check. */
export interface KeyState {
  limit: number;
  /** Requests this key still accepts in the current window. */
  remaining: number;
  /** Milliseconds until the next slot frees (a counted request leaves the window); 0 when none is counted. */
  resetMs: number;
}

export interface LimitDecision {
  /** Index of the first key that refused, or null: then the request was counted against every key. */
  rejectedBy: number | null;
  /** One state per key, in the order given. */
  states: KeyState[];
}

export interface LimiterHealth {
  status: 'ok' | 'degraded' | 'down';
  detail: string;
}

/** What an outage cost, for metrics: counted by the limiter, read by whoever exports them. */
export interface LimiterStats {
  /** Outages of the shared store seen (each warned about once). */
  outages: number;
  /** Checks answered by the in-process fallback while the shared store was unreachable. */
  fallbackChecks: number;
}

/**
 * A sliding-window limiter: at most `limit` accepted requests per key in any window. One check
 * covers several keys atomically: a request is counted against all of them or none.
 */
export interface RateLimiter {
  readonly kind: 'memory' | 'redis';
  readonly stats: LimiterStats;
  check(keys: readonly LimitKey[]): Promise<LimitDecision>;
  /** Where one key stands now, without counting anything. */
  peek(key: LimitKey): Promise<KeyState>;
  health(): Promise<LimiterHealth>;
  close(): Promise<void>;
}

export const HOUR_MS = 3_600_000;

/** Whole seconds until a slot frees, never below 1: what Retry-After says. */
export function retryAfterSeconds(state: KeyState): number {
  return Math.max(1, Math.ceil(state.resetMs / 1000));
}
