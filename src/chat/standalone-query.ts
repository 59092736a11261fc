import type { QueryRewriter, RewriteTurn } from '../llm/query-rewriter.js';

const FOLLOW_UP_START = /^(and|or|but|also|so|then|now|what about|how about|what if|same|instead|with|without)\b/i;
const REFERS_BACK = /\b(it|its|that|this|those|these|them|they|there|one|ones|same)\b/i;
const MAX_WORDS = 24;

/** Whether a question leans on the one before ("and with reverb?", "how do I automate it?"). */
export function isFollowUp(query: string): boolean {
  const words = query.trim().split(/\s+/);
  return words.length <= 10 && (FOLLOW_UP_START.test(query.trim()) || REFERS_BACK.test(query));
}

/**
 * Without an LLM to rewrite it, a follow-up is searched together with the previous question's
 * terms; any other question is searched as asked.
 */
export function standaloneQuery(query: string, previous: string | null): string {
  if (!previous || !isFollowUp(query)) return query;
  const seen = new Set<string>();
  const words = `${previous} ${query}`
    .split(/\s+/)
    .filter((w) => {
      const k = w.toLowerCase().replace(/[^\p{L}\p{N}-]/gu, '');
      if (!k || seen.has(k)) return false;
      seen.add(k);
      return true;
    });
  return words.slice(-MAX_WORDS).join(' ');
}

/** The rewriter without an LLM: term merging with the previous turn's standalone query. */
export class TermMergingRewriter implements QueryRewriter {
  readonly kind = 'terms' as const;
  async rewrite(query: string, history: RewriteTurn[]): Promise<string> {
    const previous = history[history.length - 1];
    return standaloneQuery(query, previous ? previous.searchQuery : null);
  }
}
