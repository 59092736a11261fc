/** A past turn as the rewriter sees it. */
export interface RewriteTurn {
  query: string;
  answer: string;
  /** The standalone query that turn was searched with. */
  searchQuery: string;
}

/**
 * Turns a question that leans on the conversation ("and with reverb?") into one that stands alone,
 * for retrieval. Never throws: a rewriter that cannot do better returns a safe fallback.
 */
export interface QueryRewriter {
  readonly kind: 'terms' | 'llm';
  /** `history` is oldest first; empty for a conversation's first question. */
  rewrite(query: string, history: RewriteTurn[]): Promise<string>;
}
