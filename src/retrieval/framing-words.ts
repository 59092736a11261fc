import { createRequire } from 'node:module';

/**
 * General English stop words (`stopwords-iso`, MIT: about 1,300 words, far more than Postgres'
 * own list of 127): pronouns, auxiliaries, adverbs and fillers ("mine", "cannot", "seem", "soon",
 * "thru"). A question word of this list that no passage holds only frames the question; counted
 * as a word the knowledge base has never seen, it would send the question to `none`
 * (docs/retrieval.md). A word of the list a passage does hold ("low", "high") keeps its meaning.
 */
export function framingWords(): readonly string[] {
  const lists = createRequire(import.meta.url)('stopwords-iso/stopwords-iso.json') as Record<string, string[]>;
  // Its one- and two-letter entries are mostly country codes ("su", "ag"), which would also catch
  // the stems of real words ("sued" is 'su').
  return (lists.en ?? []).filter((w) => w.length >= 3);
}
