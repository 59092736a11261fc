import { describe, expect, it } from 'vitest';
import { withoutContractions } from '../../src/retrieval/contractions.js';

describe('a question with its contractions written out', () => {
  it("drops the tails Postgres would keep as words ('m, 're, 've, 'll, 'd), with either apostrophe", () => {
    expect(withoutContractions("I'm sure you're right, we’ve tried, they'll see, I'd say")).toBe('I sure you right, we tried, they see, I say');
  });

  it('writes "n\'t" as "not", and the irregular ones as their words', () => {
    expect(withoutContractions("don't, DOESN'T, isn't, can't, won't, shan't, ain't")).toBe('do not, DOES not, is not, can not, will not, shall not, is not');
  });

  it("leaves possessives, quotes and other apostrophes alone: Postgres drops 's itself", () => {
    expect(withoutContractions("Mira's kick, it's 'punchy', rock'n'roll, 90's")).toBe("Mira's kick, it's 'punchy', rock'n'roll, 90's");
  });
});
