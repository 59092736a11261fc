import type { Logger } from 'pino';
import { StorageUnavailableError } from '../errors.js';
import type { KeyState, LimitDecision, LimitKey, LimiterHealth, RateLimiter } from './rate-limiter.js';

export type FailMode = 'open' | 'closed';

export interface FailoverOptions {
  /** open: count in-process while the shared store is down; closed: refuse with 503. */
  mode: FailMode;
  log: Pick<Logger, 'warn' | 'info'>;
}

/**
 * The shared limiter with a fallback (RATE_LIMIT_FAIL): while the primary fails, checks go to the
 * in-process limiter (open) or are refused (closed). Each outage is logged once and counted.
 */
export class FailoverRateLimiter implements RateLimiter {
  readonly kind;
  readonly stats = { outages: 0, fallbackChecks: 0 };
  private inOutage = false;

  constructor(
    private readonly primary: RateLimiter,
    private readonly fallback: RateLimiter,
    private readonly options: FailoverOptions,
  ) {
    this.kind = primary.kind;
  }

  async check(keys: readonly LimitKey[]): Promise<LimitDecision> {
    let decision: LimitDecision;
    try {
      decision = await this.primary.check(keys);
    } catch (err) {
      this.noteOutage(err);
      if (this.options.mode === 'closed') throw new StorageUnavailableError();
      this.stats.fallbackChecks++;
      return this.fallback.check(keys);
    }
    if (this.inOutage) {
      this.inOutage = false;
      this.options.log.info('rate limiter: Redis reachable again, shared counting resumed');
    }
    return decision;
  }

  async peek(key: LimitKey): Promise<KeyState> {
    try {
      return await this.primary.peek(key);
    } catch (err) {
      this.noteOutage(err);
      if (this.options.mode === 'closed') throw new StorageUnavailableError();
      return this.fallback.peek(key);
    }
  }

  async health(): Promise<LimiterHealth> {
    const primary = await this.primary.health();
    if (primary.status === 'ok') return primary;
    return this.options.mode === 'open'
      ? { status: 'degraded', detail: `${primary.detail}: counting in-process (RATE_LIMIT_FAIL=open)` }
      : { status: 'down', detail: `${primary.detail}: chat refused (RATE_LIMIT_FAIL=closed)` };
  }

  async close(): Promise<void> {
    await Promise.all([this.primary.close(), this.fallback.close()]);
  }

  private noteOutage(err: unknown): void {
    if (this.inOutage) return;
    this.inOutage = true;
    this.stats.outages++;
    const reason = err instanceof Error ? err.message : String(err);
    this.options.log.warn(
      { reason, mode: this.options.mode },
      this.options.mode === 'open'
        ? 'rate limiter: Redis unreachable, counting in-process until it is back'
        : 'rate limiter: Redis unreachable, chat refused until it is back',
    );
  }
}
