import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Glossary } from '../../src/retrieval/glossary.js';
import { buildConcepts, idf, type QueryTerm } from '../../src/retrieval/query-concepts.js';
import { correction } from '../../src/retrieval/typo-correction.js';
import { derivedForms, spellingVariants } from '../../src/retrieval/typo-variants.js';
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

  it('counts a misspelling of a word the question also spells right once, as that word', () => {
    // "repeated notes … when the note repaets": 'repeat':1 'note':2,5 'repaet':6
    const repaet: QueryTerm = { ...term('repaet', [6], 0), typed: 'repaets', fixes: [{ word: 'repeats', lexeme: 'repeat', ndoc: 4 }] };
    const concepts = buildConcepts([term('repeat', [1], 4), term('note', [2, 5], 30), repaet], glossary, undefined, () => undefined);
    expect(labels(concepts)).toEqual(['repeat', 'note']);
  });

  it('replaces an unknown word by its likely correction, weighed as the corrected word', () => {
    const [c] = buildConcepts([{ ...term('revrb', [1], 0, [{ lexeme: 'reverb', ndoc: 50, similarity: 0.5 }]), typed: 'revrb' }], glossary);
    expect(c!.ndoc).toBe(50);
    expect(c!.known).toBe(true);
    expect(c!.alternatives.map((a) => [a.phrase.lexemes.join(' '), a.credit])).toEqual([
      ['reverb', 0.9],
      ['verb', 0.9 * 0.8],
    ]);
  });

  it('keeps a word no passage holds unknown, with the highest weight, when nothing is one edit from it', () => {
    const [c] = buildConcepts([{ ...term('sourdough', [1], 0), typed: 'sourdough' }], glossary);
    expect(c).toMatchObject({ ndoc: 0, known: false });
  });

  it('corrects only words one edit away (two for long words), and never a known or short word', () => {
    const near = { lexeme: 'break', ndoc: 20, similarity: 0.5 };
    const typed = (t: QueryTerm, word = t.lexeme): QueryTerm => ({ ...t, typed: word });
    const noWords = () => undefined;
    expect(correction(typed(term('brek', [1], 0, [near])), noWords)).toEqual({ lexeme: 'break', ndoc: 20 });
    expect(correction(typed(term('brake', [1], 3, [near])), noWords)).toBeNull();
    // A word of fewer than 4 letters is not offered (typoCandidates): nothing was typed.
    expect(correction(term('bre', [1], 0, [near]), noWords)).toBeNull();
    expect(correction(typed(term('brzzk', [1], 0, [near])), noWords)).toBeNull();
    expect(correction(typed(term('granualar', [1], 0, [{ lexeme: 'granular', ndoc: 8, similarity: 0.6 }])), noWords)).toEqual({ lexeme: 'granular', ndoc: 8 });
  });

  it('corrects the word as typed: a word one edit from it whose stem a passage holds, the commonest first', () => {
    const ranks = new Map([['saturation', 9000], ['saturating', 40000]]);
    const rank = (w: string) => ranks.get(w);
    const t: QueryTerm = {
      ...term('saturaton', [1], 0),
      typed: 'saturaton',
      fixes: [
        { word: 'saturating', lexeme: 'satur', ndoc: 4 },
        { word: 'saturation', lexeme: 'satur', ndoc: 4 },
      ],
    };
    expect(correction(t, rank)).toEqual({ lexeme: 'satur', ndoc: 4 });
  });

  it('never corrects a common English word the knowledge base lacks: the question is about something else', () => {
    const rank = (w: string) => ({ taxes: 4902, takes: 1024 })[w];
    const t: QueryTerm = { ...term('tax', [1], 0), typed: 'taxes', fixes: [{ word: 'takes', lexeme: 'take', ndoc: 30 }] };
    expect(correction(t, rank)).toBeNull();
    // A British spelling is the same word: "normalise" finds "normalize".
    const uk: QueryTerm = { ...term('normalis', [1], 0), typed: 'normalise', fixes: [{ word: 'normalize', lexeme: 'normal', ndoc: 3 }] };
    expect(correction(uk, (w) => ({ normalise: 60000, normalize: 20000 })[w])).toEqual({ lexeme: 'normal', ndoc: 3 });
  });

  it('reads a common English word the knowledge base lacks as another ending of a word it holds ("punchy": "punch"), never as a typo', () => {
    expect(derivedForms('bouncy')).toEqual(expect.arrayContaining(['bounc', 'bounce']));
    expect(derivedForms('easily')).toContain('easy');
    expect(derivedForms('muddy')).toContain('mud');
    expect(derivedForms('mix')).toEqual([]);
    const rank = (w: string) => ({ punchy: 12000, punch: 3000, paunchy: 60000 })[w];
    const punchy = (fixes: QueryTerm['fixes']): QueryTerm => ({ ...term('punchi', [1], 0), typed: 'punchy', fixes });
    expect(correction(punchy([{ word: 'punch', lexeme: 'punch', ndoc: 22 }]), rank)).toEqual({ lexeme: 'punch', ndoc: 22 });
    // One edit away but not the same word: a common word is never corrected to it.
    expect(correction(punchy([{ word: 'paunchy', lexeme: 'paunchi', ndoc: 2 }]), rank)).toBeNull();
  });

  it('reads a dropped g as the same word ("goin": "going"), though the word list holds "goin" as a word', () => {
    expect(spellingVariants('goin')).toContain('going');
    expect(spellingVariants('mix')).not.toContain('mixg');
    const rank = (w: string) => ({ goin: 25108, going: 490, gain: 2000 })[w];
    const goin = (fixes: QueryTerm['fixes']): QueryTerm => ({ ...term('goin', [1], 0), typed: 'goin', fixes });
    expect(correction(goin([{ word: 'going', lexeme: 'go', ndoc: 40 }]), rank)).toEqual({ lexeme: 'go', ndoc: 40 });
    // Another word one edit away is not the same word: a common word is never corrected to it.
    expect(correction(goin([{ word: 'gain', lexeme: 'gain', ndoc: 12 }]), rank)).toBeNull();
  });

  it('reads a hyphenated word no passage holds as its known parts, and keeps it whole when none is known', () => {
    // "vowel-ish bass": 'vowel-ish':1 'vowel':2 'ish':3 'bass':4
    const split = buildConcepts([term('vowel-ish', [1], 0), term('vowel', [2], 5), term('ish', [3], 0), term('bass', [4], 120)], glossary);
    expect(labels(split)).toEqual(['vowel', 'bass']);
    const whole = buildConcepts([term('truss-rod', [1], 0), term('truss', [2], 0), term('rod', [3], 0)], glossary);
    expect(whole).toMatchObject([{ label: 'truss-rod', known: false }]);
    // A hyphenated word passages hold as written stays one concept.
    expect(labels(buildConcepts([term('side-chain', [1], 9), term('side', [2], 30), term('chain', [3], 12)], glossary))).toEqual(['side-chain']);
  });

  it('leaves out a part of one or two letters: a prefix or a letter, though transcripts hold it ("you\'re": \'re\')', () => {
    // "re-arranged the amen": 're-arrang':1 're':2 'arrang':3 'amen':5
    const rearranged = buildConcepts([term('re-arrang', [1], 0), term('re', [2], 45), term('arrang', [3], 6), term('amen', [5], 3)], glossary);
    expect(labels(rearranged)).toEqual(['arrang', 'amen']);
    // "b-b-b-baby": its letters say nothing, the word does.
    const stutter = buildConcepts([term('b-b-b-babi', [1], 0), term('b', [2, 3, 4], 4), term('babi', [5], 1)], glossary);
    expect(labels(stutter)).toEqual(['babi']);
  });

  it('leaves out a general English stop word no passage holds, and keeps one a passage holds', async () => {
    const withFraming = await Glossary.stem(db, { same: [], narrower: [], ignore: [] }, ['mine', 'low']);
    // "my reese is dull, mine never wobbles, low end": 'rees':2 'dull':4 'mine':5 'never':6 'wobbl':7 'low':8 'end':9
    const concepts = buildConcepts(
      [term('rees', [2], 11), term('dull', [4], 3), term('mine', [5], 0), term('never', [6], 28), term('wobbl', [7], 10), term('low', [8], 109), term('end', [9], 60)],
      withFraming,
    );
    expect(labels(concepts)).toEqual(['rees', 'dull', 'never', 'wobbl', 'low', 'end']);
    expect(labels(buildConcepts([term('mine', [1], 0), term('rees', [2], 11)], glossary))).toEqual(['mine', 'rees']);
  });

  it('weighs a word by its rarity, a word in no passage the most', () => {
    expect(idf(0, 300)).toBeGreaterThan(idf(1, 300));
    expect(idf(1, 300)).toBeGreaterThan(idf(150, 300));
    expect(idf(300, 300)).toBeGreaterThan(0);
  });
});
