import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loosestReachableQuery, minimalCovers, reachableQuery } from '../../src/retrieval/query-concepts.js';
import type { Db } from '../../src/store/db.js';
import { pgliteFactory } from '../helpers/databases.js';

// Concept i is held by a passage through its own word wi, or its synonym si (credit < 1).
const alternativesOf = (n: number) => Array.from({ length: n }, (_, i) => [`'w${i}'`, `'s${i}'`]);

describe('the candidates of a search are the passages that can reach the relevance floor', () => {
  let db: Db;
  beforeAll(async () => {
    db = await pgliteFactory.open();
  });
  afterAll(async () => db.close());

  const matches = async (query: string, lexemes: string[]) =>
    (await db.query<{ ok: boolean }>('SELECT array_to_tsvector($1::text[]) @@ $2::tsquery AS ok', [lexemes, query]))[0]!.ok;

  it('keeps every passage whose concepts could reach the floor, whichever way it holds them, and no other', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.double({ min: 0.01, max: 12, noNaN: true }), { minLength: 1, maxLength: 6 }),
        fc.double({ min: 0.05, max: 0.95, noNaN: true }),
        fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }),
        async (weights, floor, bySynonym) => {
          const query = reachableQuery(alternativesOf(weights.length), weights, floor);
          const total = weights.reduce((a, b) => a + b, 0);
          // Every set of held concepts whose weight could make the floor (at full credit) must match.
          for (let held = 1; held < 1 << weights.length; held++) {
            const concepts = weights.map((_, i) => i).filter((i) => held & (1 << i));
            const best = concepts.reduce((sum, i) => sum + weights[i]!, 0) / total;
            const lexemes = concepts.map((i) => (bySynonym[i] ? `s${i}` : `w${i}`));
            // Up to 6 concepts there are at most 20 smallest sets: the exact query, never the loose one.
            if (best >= floor) expect(await matches(query, lexemes), `${query} should match ${lexemes.join(' ')}`).toBe(true);
            else if (best < floor - 1e-6) expect(await matches(query, lexemes), `${query} should not match ${lexemes.join(' ')}`).toBe(false);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('needs two common words together where neither is enough alone', async () => {
    // "kick compression attack": three common words of like weight; any two make the floor.
    const query = reachableQuery(alternativesOf(3), [1, 1.1, 0.9], 0.45);
    expect(await matches(query, ['w0'])).toBe(false);
    expect(await matches(query, ['w1'])).toBe(false);
    expect(await matches(query, ['w0', 's2'])).toBe(true);
    expect(await matches(query, ['s1', 'w2'])).toBe(true);
  });

  it('falls back to a looser query of linear size for long questions of even weights', async () => {
    const weights = Array.from({ length: 14 }, () => 1);
    expect(minimalCovers(weights, 7, 24)).toBeNull();
    const query = reachableQuery(alternativesOf(14), weights, 0.5);
    expect(query).toBe(loosestReachableQuery(alternativesOf(14), weights, 0.5));
    expect(query.length).toBeLessThan(1000);
    expect(await matches(query, Array.from({ length: 7 }, (_, i) => `w${i}`))).toBe(true);
  });

  it('leaves out a passage that holds only the common words of the question', async () => {
    // "how do I sidechain a kick": 'sidechain' is rare (weight 3), 'kick' common (1): kick alone is 25 %.
    const query = reachableQuery(alternativesOf(2), [3, 1], 0.45);
    expect(await matches(query, ['w1'])).toBe(false);
    expect(await matches(query, ['w0'])).toBe(true);
    expect(await matches(query, ['s0', 'w1'])).toBe(true);
  });

  it('requires a concept that outweighs all the others together past the floor', async () => {
    const query = reachableQuery(alternativesOf(3), [8, 1, 1], 0.45);
    expect(await matches(query, ['w1', 'w2'])).toBe(false);
    expect(await matches(query, ['s0'])).toBe(true);
  });

  it('is any concept at all when there is no floor', async () => {
    const query = reachableQuery(alternativesOf(2), [3, 1], 0);
    expect(await matches(query, ['s1'])).toBe(true);
  });
});
