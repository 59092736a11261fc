import { describe, expect, it } from 'vitest';
import { BUILTIN_DIMENSIONS, BuiltinEmbedder } from '../../src/retrieval/builtin-embedder.js';

const cosine = (a: number[], b: number[]) => {
  let dot = 0;
  let na = 0;
  let nb = 0;
  a.forEach((x, i) => {
    dot += x * b[i]!;
    na += x * x;
    nb += b[i]! ** 2;
  });
  return dot / Math.sqrt(na * nb);
};

describe('the built-in embedder (weights from node_modules)', () => {
  const embedder = new BuiltinEmbedder({ batch: 2 });

  it('gives one finite vector of its dimensions per text, in order, across batches', { timeout: 60_000 }, async () => {
    const texts = ['sidechain compression keyed from the kick drum', 'a plate reverb on the snare', '', 'tuning the 808 to the key of the track', 'sidechain compression keyed from the kick drum'];
    const vectors = await embedder.embed(texts);
    expect(vectors).toHaveLength(texts.length);
    for (const v of vectors) {
      expect(v).toHaveLength(BUILTIN_DIMENSIONS);
      expect(v.every(Number.isFinite)).toBe(true);
    }
    // The same text in another batch gets the same vector: order is kept.
    expect(cosine(vectors[0]!, vectors[4]!)).toBeCloseTo(1, 5);
    expect(cosine(vectors[0]!, vectors[1]!)).toBeLessThan(0.99);
  });

  it('puts a sentence nearer to its paraphrase than to an unrelated one', { timeout: 60_000 }, async () => {
    const [question, answer, unrelated] = await embedder.embed([
      'how do I make the bass duck when the kick hits',
      'sidechain compression on the bass, keyed from the kick drum',
      'a recipe for lemon cake with a crisp sugar glaze',
    ]);
    expect(cosine(question!, answer!)).toBeGreaterThan(cosine(question!, unrelated!));
  });

  it('answers nothing for no text, and rejects at once when aborted', async () => {
    expect(await embedder.embed([])).toEqual([]);
    const controller = new AbortController();
    controller.abort(new Error('gave up'));
    await expect(embedder.embed(['anything'], controller.signal)).rejects.toThrow('gave up');
  });
});
