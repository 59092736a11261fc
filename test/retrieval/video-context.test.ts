import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rankWithVideoContext, VIDEO_CONTEXT_CREDIT } from '../../src/retrieval/video-context.js';

const hit = (passage_id: string, video_id: string, score: number, held: number[]) => ({ passage_id, video_id, score, held });

describe('ranking a tier again with what each passage\'s video holds', () => {
  // Concepts: 'neuro' (weight 3), 'vowel' (2), 'bounce' (1).
  const weights = [3, 2, 1];

  it('lifts a passage whose video holds the concepts it lacks above one holding as much alone', () => {
    const hits = [
      hit('other#1', 'other', 0.31, [0, 1, 0]),
      hit('neuro#507', 'neuro', 0.3, [0, 1, 0]),
      hit('neuro#35', 'neuro', 0.25, [1, 0, 0]),
    ];
    const ranked = rankWithVideoContext(hits, weights, 2);
    expect(ranked.map((h) => h.passage_id)).toEqual(['neuro#507', 'neuro#35']);
    // 'neuro' (3 of 6) earned at half credit, in the coverage half of the score.
    expect(ranked[0]!.score).toBeCloseTo(0.3 + (0.5 * 3 * VIDEO_CONTEXT_CREDIT) / 6, 9);
  });

  it('changes nothing when every passage is alone in its video, and keeps ties in passage id order', () => {
    const hits = [hit('b#1', 'b', 0.4, [1, 0, 0]), hit('a#1', 'a', 0.4, [1, 0, 0]), hit('c#1', 'c', 0.2, [0, 0, 1])];
    expect(rankWithVideoContext(hits, weights, 6).map((h) => [h.passage_id, h.score])).toEqual([
      ['a#1', 0.4],
      ['b#1', 0.4],
      ['c#1', 0.2],
    ]);
  });

  it('never gives a passage more for a concept than its own words do', () => {
    const hits = [hit('v#1', 'v', 0.5, [1, 1, 1]), hit('v#2', 'v', 0.2, [1, 1, 1])];
    expect(rankWithVideoContext(hits, weights, 6).map((h) => h.score)).toEqual([0.5, 0.2]);
  });

  it('keeps every score within 0..1, returns at most limit, best first, and leaves the hits it was given as they were', () => {
    const arbHits = fc.array(
      fc.record({
        passage_id: fc.string({ minLength: 1, maxLength: 6 }),
        video_id: fc.constantFrom('a', 'b', 'c'),
        score: fc.double({ min: 0, max: 1, noNaN: true }),
        held: fc.array(fc.constantFrom(0, 0.72, 0.8, 0.9, 1), { minLength: 3, maxLength: 3 }),
      }),
      { maxLength: 12 },
    );
    fc.assert(
      fc.property(arbHits, fc.integer({ min: 1, max: 12 }), (hits, limit) => {
        const ranked = rankWithVideoContext(hits, weights, limit);
        expect(ranked.length).toBe(Math.min(limit, hits.length));
        for (const r of ranked) {
          expect(r.score).toBeGreaterThanOrEqual(0);
          expect(r.score).toBeLessThanOrEqual(1);
        }
        ranked.slice(1).forEach((r, i) => expect(r.score).toBeLessThanOrEqual(ranked[i]!.score));
        const before = new Map(hits.map((h) => [h, h.score]));
        for (const h of hits) expect(before.get(h)).toBe(h.score);
      }),
      { seed: 16, numRuns: 500 },
    );
  });
});
