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

/** A question made ready to search: its terms are read once, whatever the scopes searched. */
export interface SearchPlan {
  search(scope: SearchScope, limit: number): Promise<PassageHit[]>;
}

export interface PassageSearch {
  /** Reads what the question's search needs from the knowledge base (one round trip). */
  plan(query: string): Promise<SearchPlan>;
  /** plan(query), then one search of it. */
  search(query: string, scope: SearchScope, limit: number): Promise<PassageHit[]>;
}
