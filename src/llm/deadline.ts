/** Our own timer ran out (the SDK's timeouts are not what the SPEC's deadlines mean). */
export class DeadlineExceeded extends Error {
  constructor(readonly reason: 'first_token_timeout' | 'idle_timeout' | 'rewrite_timeout') {
    super(reason);
    this.name = 'DeadlineExceeded';
  }
}

/**
 * Settles like `promise`, or rejects with DeadlineExceeded after `ms`. The loser is not
 * cancelled here: the caller aborts the request, and the promise's rejection is swallowed.
 */
export async function within<T>(promise: Promise<T>, ms: number, reason: DeadlineExceeded['reason']): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineExceeded(reason)), Math.max(0, ms));
  });
  promise.catch(() => undefined);
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * `within` for a sequence of waits on one stream: each wait settles like its promise or rejects
 * with DeadlineExceeded once it has lasted `ms`, with one timer for all of them (refreshed while
 * `ms` stays the same) instead of a timer and a promise per wait, a per-token cost of a stream.
 * Time spent between waits (the reader busy elsewhere) never counts.
 */
export class WaitDeadline {
  private timer: NodeJS.Timeout | undefined;
  private ms = Number.NaN;
  private reason: DeadlineExceeded['reason'] = 'idle_timeout';
  private waiting = false;
  private expired: Promise<never> | null = null;
  private expire: ((err: DeadlineExceeded) => void) | null = null;
  private readonly onTimer = () => {
    if (!this.waiting || !this.expire) return;
    const expire = this.expire;
    this.expired = this.expire = null;
    expire(new DeadlineExceeded(this.reason));
  };

  async wait<T>(promise: Promise<T>, ms: number, reason: DeadlineExceeded['reason']): Promise<T> {
    promise.catch(() => undefined);
    this.reason = reason;
    if (!this.expired) {
      this.expired = new Promise<never>((_, reject) => (this.expire = reject));
      this.expired.catch(() => undefined);
    }
    if (this.timer && ms === this.ms) this.timer.refresh();
    else {
      clearTimeout(this.timer);
      this.ms = ms;
      this.timer = setTimeout(this.onTimer, Math.max(0, ms));
    }
    this.waiting = true;
    try {
      return await Promise.race([promise, this.expired]);
    } finally {
      this.waiting = false;
    }
  }

  clear(): void {
    clearTimeout(this.timer);
  }
}
