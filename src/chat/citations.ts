/** The `[n]` markers of an answer (also `[1, 3]`), split into those naming a sent source and the rest. */
export function extractCitations(answer: string, sourceCount: number): { citations: number[]; invalid: number[] } {
  const valid = new Set<number>();
  const invalid = new Set<number>();
  for (const m of answer.matchAll(/\[(\d{1,4}(?:\s*,\s*\d{1,4})*)\]/g)) {
    for (const part of (m[1] ?? '').split(',')) {
      const n = Number(part.trim());
      (n >= 1 && n <= sourceCount ? valid : invalid).add(n);
    }
  }
  const sorted = (s: Set<number>) => [...s].sort((a, b) => a - b);
  return { citations: sorted(valid), invalid: sorted(invalid) };
}
