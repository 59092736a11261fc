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
