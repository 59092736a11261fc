import { describe, expect, it } from 'vitest';
import { unitsApart } from '../../src/retrieval/number-units.js';

describe('a number written against its unit', () => {
  it('is split from it, as passages write it', () => {
    expect(unitsApart('sidechain at 130bpm, 48kHz, -6dB and a 10ms attack')).toBe('sidechain at 130 bpm, 48 kHz, -6 dB and a 10 ms attack');
    expect(unitsApart('a 2.5ms pre-delay')).toBe('a 2.5 ms pre-delay');
  });

  it('leaves plurals, ordinals, one-letter marks and words with digits inside as written', () => {
    expect(unitsApart('90s house, 808s, the 1st and 2nd bar, 5A sticks, 4k video, cc11, mp3, 4x4')).toBe(
      '90s house, 808s, the 1st and 2nd bar, 5A sticks, 4k video, cc11, mp3, 4x4',
    );
  });
});
