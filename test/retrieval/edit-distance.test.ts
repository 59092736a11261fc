import { describe, expect, it } from 'vitest';
import { editDistance } from '../../src/edit-distance.js';

describe('edit distance', () => {
  it('counts insertions, deletions, substitutions and a swap of adjacent letters as one edit each', () => {
    expect(editDistance('reverb', 'reverb')).toBe(0);
    expect(editDistance('revrb', 'reverb')).toBe(1);
    expect(editDistance('reverbb', 'reverb')).toBe(1);
    expect(editDistance('reverv', 'reverb')).toBe(1);
    expect(editDistance('sidechian', 'sidechain')).toBe(1);
    expect(editDistance('kcik', 'kick')).toBe(1);
    expect(editDistance('compresion', 'compressor')).toBe(2);
    expect(editDistance('', 'abc')).toBe(3);
  });

  it('stops early once the distance is past the limit', () => {
    expect(editDistance('granular', 'sidechain', 2)).toBe(3);
    expect(editDistance('a', 'abcdef', 2)).toBe(3);
  });
});
