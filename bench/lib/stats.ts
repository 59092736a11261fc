/** The q-quantile (0..1) of samples, nearest-rank; NaN when there are none. */
export function quantile(samples: readonly number[], q: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

export const median = (samples: readonly number[]) => quantile(samples, 0.5);

/** The round whose `key` is the median of all rounds (for an odd count, a real round, not a blend). */
export function medianRound<T>(rounds: readonly T[], key: (round: T) => number): T {
  const sorted = [...rounds].sort((a, b) => key(a) - key(b));
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

export function bestRound<T>(rounds: readonly T[], key: (round: T) => number, higherIsBetter = false): T {
  return [...rounds].sort((a, b) => (higherIsBetter ? key(b) - key(a) : key(a) - key(b)))[0]!;
}
