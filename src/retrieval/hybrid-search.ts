import type { Logger } from 'pino';
import type { Embedder } from './embedder.js';
import type { PassageHit, PassageSearch, RankedTier, SearchPlan, SearchScope } from './passage-search.js';
import type { VectorHit, VectorSearch } from './vector-search.js';

/** Reciprocal rank fusion's constant (Cormack et al., 2009): how much the top ranks outweigh the rest. */
export const RRF_K = 60;

export interface HybridSearchOptions {
  fullText: PassageSearch;
  vectors: VectorSearch;
  embedder: Embedder;
  /** A passage found only by its embedding is relevant from this cosine similarity on. */
  minSimilarity: number;
  /** The question's embedding is given up past this long: full-text answers alone. */
  embedTimeoutMs: number;
  log: Logger;
}

/**
 * SPEC §2 with EMBEDDINGS_BASE_URL: full-text and vector search, each ranked within the tier's
 * scope, fused by reciprocal rank. A tier is relevant when full-text judges its best passage
 * relevant or a passage's embedding is at least `minSimilarity` from the question's, so tier
 * `none` still means nothing relevant. The score is the fused one over its best possible (first in both lists: 1).
 * Without the question's embedding (the model down or slow) it is full-text search alone.
 */
export class HybridSearch implements PassageSearch {
  constructor(private readonly options: HybridSearchOptions) {}

  async search(query: string, scope: SearchScope, limit: number): Promise<PassageHit[]> {
    return (await this.plan(query)).search(scope, limit);
  }

  async plan(query: string): Promise<SearchPlan> {
    const { fullText, vectors, minSimilarity } = this.options;
    const [text, vector] = await Promise.all([fullText.plan(query), this.embedQuestion(query)]);
    if (!vector) return text;
    const fused = (byText: RankedTier, byVector: VectorHit[], limit: number): RankedTier => {
      const near = byVector.filter((h) => h.similarity >= minSimilarity);
      const relevant = byText.relevant || near.length > 0;
      const corroborated = byText.corroborated;
      return {
        hits: relevant || corroborated ? fuse(byText.hits, near, limit) : [],
        relevant,
        corroborated,
        relevance: byText.relevance,
        strength: byText.strength,
      };
    };
    const rank = async (scope: SearchScope, limit: number): Promise<RankedTier> => {
      const [byText, byVector] = await Promise.all([text.rank(scope, limit), vectors.nearest(vector, scope, limit)]);
      return fused(byText, byVector, limit);
    };
    return {
      rank,
      rankEach: async (scopes, limit) => {
        const [byText, byVector] = await Promise.all([text.rankEach(scopes, limit), Promise.all(scopes.map((s) => vectors.nearest(vector, s, limit)))]);
        return scopes.map((_, i) => fused(byText[i]!, byVector[i]!, limit));
      },
      search: async (scope, limit) => (await rank(scope, limit)).hits,
    };
  }

  private async embedQuestion(query: string): Promise<number[] | null> {
    const { embedder, embedTimeoutMs, log } = this.options;
    try {
      const [vector] = await embedder.embed([query], AbortSignal.timeout(embedTimeoutMs));
      return vector ?? null;
    } catch (err) {
      log.warn({ err: { message: (err as Error).message } }, "could not embed the question; full-text search alone");
      return null;
    }
  }
}

/** Reciprocal rank fusion of the two lists; ties by passage id (byte order), as full-text's are. */
export function fuse(byText: readonly PassageHit[], byVector: readonly VectorHit[], limit: number): PassageHit[] {
  const fused = new Map<string, { hit: PassageHit; rrf: number }>();
  const add = (hit: Omit<PassageHit, 'score'>, rank: number) => {
    const entry = fused.get(hit.passage_id);
    const share = 1 / (RRF_K + rank + 1);
    if (entry) entry.rrf += share;
    else fused.set(hit.passage_id, { hit: { ...stripSimilarity(hit), score: 0 }, rrf: share });
  };
  byText.forEach(add);
  byVector.forEach(add);
  const best = 2 / (RRF_K + 1);
  return [...fused.values()]
    .map(({ hit, rrf }) => ({ ...hit, score: Math.round((rrf / best) * 1e9) / 1e9 }))
    .sort((a, b) => b.score - a.score || Buffer.compare(Buffer.from(a.passage_id), Buffer.from(b.passage_id)))
    .slice(0, limit);
}

function stripSimilarity(hit: Omit<PassageHit, 'score'> & { similarity?: number; score?: number }): Omit<PassageHit, 'score'> {
  const { similarity: _similarity, score: _score, ...rest } = hit;
  return rest;
}
