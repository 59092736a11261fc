/** A lexeme at its position, as Postgres' to_tsvector reports it. */
export interface PositionedLexeme {
  lexeme: string;
  position: number;
}

/**
 * One word of a text as a unit: a hyphenated word ("side-chain") is indexed by Postgres as the
 * compound followed by its parts; the unit keeps both so either spelling can be matched.
 */
export interface Unit {
  lexeme: string;
  position: number;
  parts: PositionedLexeme[];
}

/** A sequence of lexemes with the distance between consecutive ones (stop words leave gaps). */
export interface Phrase {
  lexemes: string[];
  distances: number[];
}

/** Groups to_tsvector's lexemes into units in text order, the parts of a compound folded into it. */
export function toUnits(lexemes: readonly PositionedLexeme[]): Unit[] {
  const sorted = [...lexemes].sort((a, b) => a.position - b.position);
  const units: Unit[] = [];
  for (let i = 0; i < sorted.length; i++) {
    const token = sorted[i]!;
    const pieces = token.lexeme.startsWith('-') ? 1 : token.lexeme.split('-').length;
    const parts: PositionedLexeme[] = [];
    while (pieces > 1 && i + 1 < sorted.length && sorted[i + 1]!.position <= token.position + pieces) {
      parts.push(sorted[++i]!);
    }
    units.push({ lexeme: token.lexeme, position: token.position, parts });
  }
  return units;
}

/** The lexemes a phrase of units is indexed by, compounds replaced by their parts. */
export function unitsToPhrase(units: readonly Unit[]): Phrase {
  const flat = units.flatMap((u) => (u.parts.length > 0 ? u.parts : [{ lexeme: u.lexeme, position: u.position }]));
  return {
    lexemes: flat.map((l) => l.lexeme),
    distances: flat.slice(1).map((l, i) => Math.max(1, l.position - flat[i]!.position)),
  };
}

export const unitKey = (units: readonly Unit[]): string => units.map((u) => u.lexeme).join(' ');
export const phraseKey = (phrase: Phrase): string => phrase.lexemes.join(' ');

/** Quotes a lexeme for a tsquery literal: the text is taken as the lexeme, not parsed or stemmed. */
export const quoteLexeme = (lexeme: string): string => `'${lexeme.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;

/**
 * 'a' <-> 'b' <2> 'c': the phrase as tsquery text; with a weight ('A' for the technique, 'B' for
 * the video title), matched only where the passage's vector gives its words that weight.
 */
export function phraseQuery(phrase: Phrase, weight?: 'A' | 'B'): string {
  const term = (l: string) => (weight ? `${quoteLexeme(l)}:${weight}` : quoteLexeme(l));
  return phrase.lexemes
    .map((l, i) => (i === 0 ? term(l) : ` <${phrase.distances[i - 1] === 1 ? '-' : phrase.distances[i - 1]}> ${term(l)}`))
    .join('');
}
