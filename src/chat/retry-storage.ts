import pRetry from 'p-retry';
import { StorageUnavailableError } from '../errors.js';

/**
 * Runs a storage write again while the database is unreachable (a restart, a failover, a cut
 * link), for up to `withinMs`: the write must be idempotent. Any other failure, or the time
 * spent, rethrows the last error. `onRetry` hears of each failed attempt that will be retried.
 */
export function retryWhileUnavailable<T>(write: () => Promise<T>, withinMs: number, onRetry: (attempt: number) => void): Promise<T> {
  if (withinMs <= 0) return write();
  return pRetry(write, {
    retries: Number.POSITIVE_INFINITY,
    maxRetryTime: withinMs,
    minTimeout: 100,
    factor: 2,
    maxTimeout: 2000,
    randomize: true,
    shouldRetry: ({ error }) => error instanceof StorageUnavailableError,
    onFailedAttempt: ({ error, attemptNumber }) => {
      if (error instanceof StorageUnavailableError) onRetry(attemptNumber);
    },
  });
}
