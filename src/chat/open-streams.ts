import { setTimeout as sleep } from 'node:timers/promises';

/** The answer streams in flight: counted for metrics, awaited on shutdown. */
export class OpenStreams {
  private readonly running = new Set<Promise<unknown>>();

  get size(): number {
    return this.running.size;
  }

  /** Runs work as an open stream until it settles. */
  async track<T>(work: Promise<T>): Promise<T> {
    this.running.add(work);
    try {
      return await work;
    } finally {
      this.running.delete(work);
    }
  }

  /** Resolves true once every open stream has ended, or false when timeoutMs passes first. */
  async drain(timeoutMs: number): Promise<boolean> {
    const all = Promise.allSettled([...this.running]).then(() => true);
    return Promise.race([all, sleep(timeoutMs, false, { ref: false })]);
  }
}
