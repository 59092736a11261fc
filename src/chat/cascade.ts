import type { PassageHit, PassageSearch } from '../retrieval/passage-search.js';

export type CascadeTier = 'creator' | 'domain' | 'global' | 'none';

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
  if (creator) {
    const own = await search.search(query, { creator: creator.slug }, topK);
    if (own.length > 0) return { tier: 'creator', hits: own };
    if (creator.genres.length > 0) {
      const domain = await search.search(query, { genres: creator.genres }, topK);
      if (domain.length > 0) return { tier: 'domain', hits: domain };
    }
  }
  const global = await search.search(query, {}, topK);
  if (global.length > 0) return { tier: 'global', hits: global };
  return { tier: 'none', hits: [] };
}
