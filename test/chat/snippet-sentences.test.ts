import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bestSentences, keyTerms } from '../../src/llm/extractive-answerer.js';

const source = (text: string) => ({ number: 1, creatorName: '', videoTitle: '', technique: null, startSeconds: 0, endSeconds: 0, text });

/** The snippet's definition: the sentences holding most of the question's terms (keyTerms of each), kept in order. */
function reference(text: string, question: Set<string>, max: number): string {
  const all = text.match(/[^.!?]+[.!?]+["')\]]*|[^.!?]+$/g)?.map((s) => s.trim()).filter(Boolean) ?? [text];
  const scored = all.map((s, i) => ({ i, s, hits: [...question].filter((t) => keyTerms(s).has(t)).length }));
  return [...scored]
    .sort((a, b) => b.hits - a.hits || a.i - b.i)
    .slice(0, max)
    .sort((a, b) => a.i - b.i)
    .map((c) => c.s)
    .join(' ');
}

const word = fc.constantFrom('compress', 'compression', 'compressing', 'Compressed', 'the', 'its', 'a', 'kick', 'kicks', 'sidechain', 'release', 'releases', 'es', 'ed', 'bass', 'low', 'end', 'on', '808s', 'x');
const sentence = fc.tuple(fc.array(word, { minLength: 1, maxLength: 12 }), fc.constantFrom('.', '!', '?', '')).map(([ws, end]) => `${ws.join(' ')}${end}`);

describe('a source\'s snippet', () => {
  it('picks the sentences that hold most of the question, in their order', () => {
    const text = 'Start with the kick. Sidechain the bass to the kick with a fast release! Then check the low end in mono.';
    expect(bestSentences(source(text), keyTerms('how fast should the sidechain release be on my bass?'), 1)).toBe('Sidechain the bass to the kick with a fast release!');
    expect(bestSentences(source(text), keyTerms('low end and the kick'), 2)).toBe('Start with the kick. Then check the low end in mono.');
  });

  it('is what its definition says for any text and question (a term counts once per sentence, stems and stop words alike)', () => {
    fc.assert(
      fc.property(fc.array(sentence, { minLength: 1, maxLength: 8 }), fc.array(word, { maxLength: 6 }), fc.integer({ min: 1, max: 3 }), (sentences, q, max) => {
        const text = sentences.join(' ');
        const question = keyTerms(q.join(' '));
        expect(bestSentences(source(text), question, max)).toBe(reference(text, question, max));
      }),
      { numRuns: 500 },
    );
  });
});
