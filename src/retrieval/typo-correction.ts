import { editDistance } from '../edit-distance.js';
import { derivedForms, withDroppedG } from './typo-variants.js';
import type { QueryTerm } from './query-concepts.js';
import type { WordRank } from './word-rank.js';

// Which known word an unknown word of the question is a typo of (docs/retrieval.md).

const maxEdits = (length: number) => (length >= 8 ? 2 : 1);

/**
 * A word the knowledge base has never seen is taken for a typo of a known one only when it is not
 * a common English word: absent from the word list, or in its long tail (past this rank the list,
 * drawn from a web corpus, holds its own misspellings: "attak"). "taxes", "truss" or "starter"
 * are words, about something else; "saturaton" and "sidechian" are typos.
 */
const COMMON_WORDS = 100_000;

/**
 * British and American spellings of one word ("normalise", "normalize"), or a dropped g ("goin",
 * "going"): the same word, never a typo.
 */
const sameWordSpelt = (a: string, b: string): boolean =>
  b === withDroppedG(a) ||
  (a.length === b.length && [...a].every((ch, i) => ch === b[i] || (ch === 's' && b[i] === 'z') || (ch === 'z' && b[i] === 's')));

/** Whether a word as typed may be a misspelling at all: not a common English word. */
export function mayBeTypo(typed: string, rank: WordRank): boolean {
  const own = rank(typed);
  return own === undefined || own > COMMON_WORDS;
}

/**
 * Whether a word is the typed word's kin: the same word spelt the British or American way, or with
 * another derivational ending ("bouncy", "bounce"). A common English word is only ever read as its kin.
 */
function kinOf(typed: string): (word: string) => boolean {
  const derived = new Set(derivedForms(typed));
  return (word) => sameWordSpelt(typed, word) || derived.has(word);
}

/**
 * The known lexeme an unknown word of 4+ letters is most likely a typo of, or null. First the
 * words one edit from the word as typed (a letter wrong, missing, doubled or two swapped) whose
 * stem a passage holds, the most common English word first: "saturaton" is one edit from
 * "saturation", whose stem 'satur' is four from 'saturaton'. Then known lexemes one edit from the
 * stem (two for 8+ letters), found by trigram similarity.
 */
export function correction(term: QueryTerm, rank: WordRank): { lexeme: string; ndoc: number } | null {
  return corrections(term, rank)[0] ?? null;
}

/** How many of the words one edit away a typo may stand for: the passages' other words decide. */
const MAX_CORRECTIONS = 3;

/**
 * The known lexemes an unknown word may be a typo of, likeliest first (correction's order), up to
 * three: "resee" may be "reese" or "reset", and the passage holding the question's other words
 * too ranks first.
 */
export function corrections(term: QueryTerm, rank: WordRank): { lexeme: string; ndoc: number }[] {
  const typed = term.typed;
  if (term.ndoc > 0 || !typed || !/^\p{L}+$/u.test(term.lexeme)) return [];
  const fixes = [...(term.fixes ?? [])].sort(
    (a, b) => (rank(a.word) ?? Infinity) - (rank(b.word) ?? Infinity) || b.ndoc - a.ndoc || (a.lexeme < b.lexeme ? -1 : a.lexeme > b.lexeme ? 1 : 0),
  );
  if (fixes.length > 0) {
    // A common English word is never taken for a typo of another word, only read as its kin.
    const kin = kinOf(typed);
    const allowed = mayBeTypo(typed, rank) ? fixes : fixes.filter((f) => kin(f.word));
    const out: { lexeme: string; ndoc: number }[] = [];
    for (const f of allowed) {
      if (out.length === MAX_CORRECTIONS) break;
      if (!out.some((o) => o.lexeme === f.lexeme)) out.push({ lexeme: f.lexeme, ndoc: f.ndoc });
    }
    return out;
  }
  if (!mayBeTypo(typed, rank)) return [];
  const best = closestCandidate(term);
  return best ? [best] : [];
}

function closestCandidate(term: QueryTerm): { lexeme: string; ndoc: number } | null {
  let best: { lexeme: string; ndoc: number; distance: number; similarity: number } | null = null;
  for (const c of term.candidates) {
    const distance = editDistance(term.lexeme, c.lexeme, maxEdits(term.lexeme.length));
    if (distance > maxEdits(term.lexeme.length)) continue;
    const better =
      !best ||
      distance < best.distance ||
      (distance === best.distance && (c.similarity > best.similarity || (c.similarity === best.similarity && c.ndoc > best.ndoc)));
    if (better) best = { ...c, distance };
  }
  return best && { lexeme: best.lexeme, ndoc: best.ndoc };
}
