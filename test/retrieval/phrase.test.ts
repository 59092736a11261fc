import { describe, expect, it } from 'vitest';
import { phraseQuery, quoteLexeme, toUnits, unitsToPhrase } from '../../src/retrieval/phrase.js';

describe('query phrases', () => {
  it('folds the parts Postgres indexes after a hyphenated word into it', () => {
    // to_tsvector('english', 'the side-chain of low end'): 'side-chain':2 'side':3 'chain':4 'low':6 'end':7
    const units = toUnits([
      { lexeme: 'low', position: 6 },
      { lexeme: 'side-chain', position: 2 },
      { lexeme: 'chain', position: 4 },
      { lexeme: 'side', position: 3 },
      { lexeme: 'end', position: 7 },
    ]);
    expect(units.map((u) => [u.lexeme, u.parts.map((p) => p.lexeme)])).toEqual([
      ['side-chain', ['side', 'chain']],
      ['low', []],
      ['end', []],
    ]);
    expect(phraseQuery(unitsToPhrase(units.slice(0, 1)))).toBe("'side' <-> 'chain'");
    expect(phraseQuery(unitsToPhrase(units.slice(1)))).toBe("'low' <-> 'end'");
  });

  it('keeps the gap a stop word leaves inside a phrase', () => {
    // 'wow and flutter': 'wow':1 'flutter':3
    const phrase = unitsToPhrase(toUnits([{ lexeme: 'wow', position: 1 }, { lexeme: 'flutter', position: 3 }]));
    expect(phraseQuery(phrase)).toBe("'wow' <2> 'flutter'");
  });

  it('quotes lexemes so tsquery takes them as they are', () => {
    expect(quoteLexeme("rock'n'roll")).toBe("'rock''n''roll'");
    expect(quoteLexeme('a\\b')).toBe("'a\\\\b'");
  });
});
