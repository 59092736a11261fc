import type { CascadeTier } from '../contract/chat-events.js';
import type { PassageHit, PassageSearch } from '../retrieval/passage-search.js';

export type { CascadeTier };

export interface CascadeResult {
  tier: CascadeTier;
  hits: PassageHit[];
}

export interface CascadeCreator {
  slug: string;
  genres: string[];
}

/**
 * SPEC §2: the creator's passages, then creators sharing a genre, then everything; the first tier
 * with a relevant passage answers.
 */
export async function runCascade(
  search: PassageSearch,
  query: string,
  creator: CascadeCreator | null,
  topK: number,
): Promise<CascadeResult> {
  // The tiers search the same question in wider scopes: its terms are read once.
  const plan = await search.plan(query);
  if (creator) {
    const own = await plan.search({ creator: creator.slug }, topK);
    if (own.length > 0) return { tier: 'creator', hits: own };
    if (creator.genres.length > 0) {
      const domain = await plan.search({ genres: creator.genres }, topK);
      if (domain.length > 0) return { tier: 'domain', hits: domain };
    }
  }
  const global = await plan.search({}, topK);
  if (global.length > 0) return { tier: 'global', hits: global };
  return { tier: 'none', hits: [] };
}
