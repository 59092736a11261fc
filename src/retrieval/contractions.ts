/**
 * A question with its contractions written out, before it is read into lexemes. Postgres' parser
 * splits "I'm", "you're", "we've", "they'll", "I'd" at the apostrophe and keeps the tail as a word
 * of its own ('m', 're', 've', 'll', 'd'), which no stop list drops; transcripts are full of
 * them, so the question would count a passage that says "I'm" as holding part of it, and one that
 * does not as missing it ("I'm not sure what's happening"). "won't" would be read as 'won'.
 * The tails are dropped and "n't" becomes "not" (a stop word): what is left are the words.
 */
const TAIL = /\b([a-z]+)['’](?:m|re|ve|ll|d)\b/giu;
/** What comes before "n't" where it is not the word itself: "can't", "won't", "shan't", "ain't". */
const IRREGULAR_NOT: Readonly<Record<string, string>> = { ca: 'can', wo: 'will', sha: 'shall', ai: 'is' };
const NOT = /\b([a-z]+)n['’]t\b/giu;

export function withoutContractions(question: string): string {
  return question
    .replace(TAIL, '$1')
    .replace(NOT, (_, head: string) => `${IRREGULAR_NOT[head.toLowerCase()] ?? head} not`);
}
