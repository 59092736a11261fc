/**
 * How common an English word is: its rank in a frequency list of about 225,000 words
 * (`popular-english-words`, from a large web corpus; 1 = "the"), or undefined when the word is not
 * in it. Typo correction asks it whether a word the knowledge base has never seen is a real word
 * ("taxes", "truss": leave it, the question is about something else) or a misspelling
 * ("saturaton", "sidechian": correct it). Loaded on first use (about 2 MB), then kept.
 */
export type WordRank = (word: string) => number | undefined;

let loading: Promise<WordRank> | null = null;

export function loadWordRank(): Promise<WordRank> {
  loading ??= (async () => {
    const { words } = await import('popular-english-words/words.js');
    const ranks = new Map<string, number>();
    words.forEach((w, i) => {
      if (!ranks.has(w)) ranks.set(w, i + 1);
    });
    return (word: string) => ranks.get(word);
  })();
  loading.catch(() => {
    loading = null;
  });
  return loading;
}
