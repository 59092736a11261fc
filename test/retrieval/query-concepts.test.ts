import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Glossary } from '../../src/retrieval/glossary.js';
import { buildConcepts, correction, idf, type QueryTerm } from '../../src/retrieval/query-concepts.js';
import type { Db } from '../../src/store/db.js';
import { pgliteFactory } from '../helpers/databases.js';

const term = (lexeme: string, positions: number[], ndoc: number, candidates: QueryTerm['candidates'] = []): QueryTerm => ({ lexeme, positions, ndoc, candidates });
const labels = (concepts: { label: string }[]) => concepts.map((c) => c.label);

describe('splitting a question into weighted concepts', () => {
  let db: Db;
  let glossary: Glossary;
  beforeAll(async () => {
    db = await pgliteFactory.open();
    glossary = await Glossary.stem(db, {
      same: [['low end', 'sub bass'], ['reverb', 'verb']],
      narrower: [{ from: ['low end'], to: ['bass'] }],
      ignore: ['please', 'tips'],
    });
  });
  afterAll(async () => db.close());

  it('reads a glossary phrase as one concept whose synonyms count for less', () => {
    // "tips to tame the low end please": 'tip':1 'tame':3 'low':5 'end':6 'pleas':7
    const concepts = buildConcepts([term('tip', [1], 0), term('tame', [3], 2), term('low', [5], 40), term('end', [6], 30), term('pleas', [7], 0)], glossary);
    expect(labels(concepts)).toEqual(['tame', 'low end']);
    const lowEnd = concepts[1]!;
    expect(lowEnd.ndoc).toBe(30);
    expect(lowEnd.alternatives.map((a) => [a.phrase.lexemes.join(' '), a.credit])).toEqual([
      ['low end', 1],
      ['sub bass', 0.8],
      ['bass', 0.8],
    ]);
  });

  it('gives an unknown word its likely correction at reduced credit, and keeps the weight of a word no passage holds', () => {
    const [c] = buildConcepts([term('revrb', [1], 0, [{ lexeme: 'reverb', ndoc: 50, similarity: 0.5 }])], glossary);
    expect(c!.ndoc).toBe(0);
    expect(c!.alternatives.map((a) => [a.phrase.lexemes.join(' '), a.credit])).toEqual([
      ['revrb', 1],
      ['reverb', 0.7],
      ['verb', 0.7 * 0.8],
    ]);
  });

  it('corrects only words one edit away (two for long words), and never a known or short word', () => {
    const near = { lexeme: 'break', ndoc: 20, similarity: 0.5 };
    expect(correction(term('brek', [1], 0, [near]))).toEqual({ lexeme: 'break', ndoc: 20 });
    expect(correction(term('brake', [1], 3, [near]))).toBeNull();
    expect(correction(term('bre', [1], 0, [near]))).toBeNull();
    expect(correction(term('brzzk', [1], 0, [near]))).toBeNull();
    expect(correction(term('granualar', [1], 0, [{ lexeme: 'granular', ndoc: 8, similarity: 0.6 }]))).toEqual({ lexeme: 'granular', ndoc: 8 });
  });

  it('weighs a word by its rarity, a word in no passage the most', () => {
    expect(idf(0, 300)).toBeGreaterThan(idf(1, 300));
    expect(idf(1, 300)).toBeGreaterThan(idf(150, 300));
    expect(idf(300, 300)).toBeGreaterThan(0);
  });
});
