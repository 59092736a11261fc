import { describe, expect, it } from 'vitest';
import { DeadlineExceeded, WaitDeadline } from '../../src/llm/deadline.js';

const after = <T>(ms: number, value: T) => new Promise<T>((resolve) => setTimeout(() => resolve(value), ms));

describe('WaitDeadline: one timer for a stream of waits', () => {
  it('a wait longer than its time rejects with the reason given; the time between waits never counts', async () => {
    const deadline = new WaitDeadline();
    try {
      expect(await deadline.wait(after(10, 'a'), 100, 'idle_timeout')).toBe('a');
      // The reader is busy elsewhere for longer than the deadline: not a timeout.
      await after(250, null);
      expect(await deadline.wait(after(30, 'b'), 100, 'idle_timeout')).toBe('b');
      const slow = deadline.wait(after(400, 'late'), 100, 'idle_timeout');
      await expect(slow).rejects.toBeInstanceOf(DeadlineExceeded);
      await expect(slow).rejects.toMatchObject({ reason: 'idle_timeout' });
      // Once expired, the next wait has its own full time again.
      expect(await deadline.wait(after(20, 'c'), 100, 'first_token_timeout')).toBe('c');
      await expect(deadline.wait(after(400, 'late'), 50, 'first_token_timeout')).rejects.toMatchObject({ reason: 'first_token_timeout' });
    } finally {
      deadline.clear();
    }
  });

  it('a rejection of the awaited promise passes through', async () => {
    const deadline = new WaitDeadline();
    await expect(deadline.wait(Promise.reject(new Error('boom')), 100, 'idle_timeout')).rejects.toThrow('boom');
    deadline.clear();
  });
});
