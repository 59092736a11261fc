declare module 'popular-english-words/words.js' {
  /** About 225,000 English words, most frequent first (from a large web corpus). */
  export const words: readonly string[];
}
