const LETTERS = 'abcdefghijklmnopqrstuvwxyz';

/** Words shorter than this are not corrected: too many real words lie one edit from them. */
export const MIN_TYPO_WORD_LENGTH = 4;

/**
 * Every string one edit from `word`: a letter deleted, two adjacent letters swapped, a letter
 * replaced, a letter inserted (a doubled letter is an insertion). About 54 × length strings; the
 * database stems them all and keeps those whose stem a passage holds.
 */
export function oneEditVariants(word: string): string[] {
  const out = new Set<string>();
  for (let i = 0; i < word.length; i++) {
    out.add(word.slice(0, i) + word.slice(i + 1));
    if (i + 1 < word.length) out.add(word.slice(0, i) + word[i + 1] + word[i] + word.slice(i + 2));
    for (const c of LETTERS) if (c !== word[i]) out.add(word.slice(0, i) + c + word.slice(i + 1));
  }
  for (let i = 0; i <= word.length; i++) for (const c of LETTERS) out.add(word.slice(0, i) + c + word.slice(i));
  out.delete(word);
  return [...out];
}

/** The question's words that may be corrected: lower-case ASCII letters only, 4 or more of them. */
export function typoCandidates(question: string): string[] {
  const words = question.toLowerCase().match(/[a-z]+/g) ?? [];
  return [...new Set(words.filter((w) => w.length >= MIN_TYPO_WORD_LENGTH))];
}

/** A word with its dropped g written out ("goin" → "going", "knockin" → "knocking"), or null. */
export const withDroppedG = (word: string): string | null => (word.endsWith('in') ? `${word}g` : null);

/**
 * For a correctly spelt word: its other spelling, British -is- for American -iz- and back
 * ("normalise", "normalize"), one letter at a time; and a dropped g written out ("goin",
 * "knockin": the word list holds them as words of their own).
 */
export function spellingVariants(word: string): string[] {
  const g = withDroppedG(word);
  const out: string[] = g ? [g] : [];
  for (let i = 1; i < word.length - 1; i++) {
    if (word[i] === 's' || word[i] === 'z') out.push(word.slice(0, i) + (word[i] === 's' ? 'z' : 's') + word.slice(i + 1));
  }
  return out;
}

/**
 * The same word with another derivational ending, for a word whose stem no passage holds: the
 * English stemmer folds inflections ("bouncing", "bounced") but not derivations, so "bouncy",
 * "dreamy", "easily" or "muddy" miss the passages that say "bounce", "dream", "easy", "mud".
 * Each is an ending taken off or swapped ("-y" → "", "-e"; "-ily" → "-y"; "-ish", "-ness", "-ly",
 * "-er", "-est" → ""; a consonant doubled before "-y" or "-er" singled); the database stems them and
 * keeps those a passage holds. Words of 5+ letters only, and the root kept 3+ letters long.
 */
export function derivedForms(word: string): string[] {
  if (word.length < 5) return [];
  const out = new Set<string>();
  const root = (n: number) => word.slice(0, word.length - n);
  const ending = (suffix: string, ...replacements: string[]) => {
    if (!word.endsWith(suffix) || word.length - suffix.length < 3) return;
    const r = root(suffix.length);
    for (const rep of replacements) out.add(r + rep);
    // "muddy" → "mud", "thinner" → "thin": the consonant doubled before the ending.
    if (r.length >= 4 && r.at(-1) === r.at(-2) && !'aeiou'.includes(r.at(-1)!)) out.add(r.slice(0, -1));
  };
  ending('ily', 'y', '');
  ending('iness', 'y');
  ending('ness', '');
  ending('ly', '');
  ending('ish', '', 'e');
  ending('iest', 'y');
  ending('ier', 'y');
  ending('est', '', 'e');
  ending('er', '', 'e');
  ending('y', '', 'e');
  out.delete(word);
  return [...out];
}

/** Two words the knowledge base may write as one, or the two parts of one word. */
export interface WordPair {
  a: string;
  b: string;
}

/**
 * Where the question may write a compound differently from the passages: each pair of adjacent
 * words ("side chain", "side-chain" → is 'sidechain' known?) and each split of a word of 6+ letters
 * into two parts of 3+ ("sidechain" → are 'side' and 'chain' known?).
 */
export function compoundCandidates(question: string): { pairs: WordPair[]; splits: WordPair[] } {
  const words = question.toLowerCase().match(/[a-z]+/g) ?? [];
  const pairs: WordPair[] = [];
  const splits: WordPair[] = [];
  for (let i = 0; i + 1 < words.length; i++) {
    const a = words[i]!;
    const b = words[i + 1]!;
    if (a.length >= 2 && b.length >= 2 && a.length + b.length >= 6) pairs.push({ a, b });
  }
  for (const w of new Set(words)) {
    for (let k = 3; w.length >= 6 && k <= w.length - 3; k++) splits.push({ a: w.slice(0, k), b: w.slice(k) });
  }
  return { pairs, splits };
}
