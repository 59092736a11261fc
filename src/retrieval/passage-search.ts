/** A passage found for a question, with what a citation needs. */
export interface PassageHit {
  passage_id: string;
  video_id: string;
  video_title: string;
  video_url: string;
  creator_slug: string;
  creator_name: string;
  start_seconds: number;
  end_seconds: number;
  technique: string | null;
  text: string;
  /** 0..1: mostly the share of the question's (rarity-weighted) terms the passage holds. */
  score: number;
}

/** Where to look: one creator, the creators sharing any of these genres, or everywhere. */
export interface SearchScope {
  creator?: string;
  genres?: string[];
}

/** A tier's ranked passages and whether any of them is relevant: two separate questions. */
export interface RankedTier {
  /** Best first: every passage of the scope sharing a meaningful term with the question, top `limit`. */
  hits: PassageHit[];
  /** Whether the best of them answers the question (src/retrieval/relevance.ts), not merely shares a word. */
  relevant: boolean;
  /**
   * Whether a passage holds enough of the question to answer it where another signal agrees
   * (relevance.ts, isCorroborated): a weaker verdict than `relevant`, which it does not imply.
   */
  corroborated: boolean;
  /** Full-text's relevance of the best passage, 0..1 (relevance.ts): what `relevant` was decided on. */
  relevance: number;
  /**
   * The best passage's score, 0..1 (how much of the question it holds, and where: technique,
   * title, text): the cascade compares a creator's tier with the whole knowledge base's by it.
   */
  strength: number;
}

/** A question made ready to search: its terms are read once, whatever the scopes searched. */
export interface SearchPlan {
  /** The scope's passages ranked, and the verdict on their relevance. */
  rank(scope: SearchScope, limit: number): Promise<RankedTier>;
  /** rank() of each scope, in order: the same tiers, in fewer statements where the plan can. */
  rankEach(scopes: readonly SearchScope[], limit: number): Promise<RankedTier[]>;
  /** rank(), keeping the hits only when relevant: empty means nothing here. */
  search(scope: SearchScope, limit: number): Promise<PassageHit[]>;
}

/** The empty plan: a question with nothing to search for. */
export const EMPTY_PLAN: SearchPlan = {
  rank: async () => ({ hits: [], relevant: false, corroborated: false, relevance: 0, strength: 0 }),
  rankEach: async (scopes) => scopes.map(() => ({ hits: [], relevant: false, corroborated: false, relevance: 0, strength: 0 })),
  search: async () => [],
};

export interface PassageSearch {
  /** Reads what the question's search needs from the knowledge base (one round trip). */
  plan(query: string): Promise<SearchPlan>;
  /** plan(query), then one search of it (relevant hits only). */
  search(query: string, scope: SearchScope, limit: number): Promise<PassageHit[]>;
}
