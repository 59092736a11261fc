import type { CascadeTier } from '../contract/chat-events.js';
import type { PassageHit, PassageSearch, RankedTier } from '../retrieval/passage-search.js';

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
 * A creator's (or a genre's) tier answers only when its best passage holds at least this share of
 * what the best passage anywhere holds: a weak partial match in the creator's passages does not
 * hide the real answer a wider tier has (docs/decisions/0009).
 */
export const NARROW_TIER_SHARE = 0.6;

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
  if (!creator) {
    const global = await plan.rank({}, topK);
    return global.relevant ? { tier: 'global', hits: global.hits } : { tier: 'none', hits: [] };
  }
  const [own, global] = (await plan.rankEach([{ creator: creator.slug }, {}], topK)) as [RankedTier, RankedTier];
  const bar = NARROW_TIER_SHARE * global.strength;
  if (own.relevant && own.strength >= bar) return { tier: 'creator', hits: own.hits };
  // Two signals agree: the person asked this creator, and the best passage anywhere is theirs
  // (global's strength is never below own's). Then holding part of the question is enough (relevance.ts).
  if (own.corroborated && own.hits.length > 0 && own.strength >= global.strength) return { tier: 'creator', hits: own.hits };
  if (creator.genres.length > 0) {
    const domain = await plan.rank({ genres: creator.genres }, topK);
    if (domain.relevant && domain.strength >= bar) return { tier: 'domain', hits: domain.hits };
  }
  if (global.relevant) return { tier: 'global', hits: global.hits };
  return { tier: 'none', hits: [] };
}
