import type { Queryable } from '../store/db.js';
import type { PassageHit, SearchScope } from './passage-search.js';
import { genreKeys } from '../store/genre-key.js';

export interface VectorHit extends Omit<PassageHit, 'score'> {
  /** Cosine similarity to the question, −1..1 (1: same direction). */
  similarity: number;
}

/** pgvector's text form of a vector: `[0.1,0.2,…]`. */
export const vectorLiteral = (v: readonly number[]) => `[${v.join(',')}]`;

// The scope as the full-text search has it; `<=>` is cosine distance, what the HNSW index orders by.
const NEAREST_SQL = `
SELECT p.id AS passage_id, p.video_id, v.title AS video_title, v.url AS video_url,
  p.creator_slug, cr.name AS creator_name, p.start_seconds, p.end_seconds, p.technique, p.text,
  (1 - (e.embedding <=> $1::vector))::float8 AS similarity
FROM passage_embeddings e
JOIN passages p ON p.id = e.passage_id AND p.content_hash = e.content_hash
JOIN videos v ON v.id = p.video_id
JOIN creators cr ON cr.slug = p.creator_slug
WHERE ($2::text IS NULL OR p.creator_slug = $2::text)
  AND ($3::text[] IS NULL OR p.creator_slug IN (SELECT slug FROM creators WHERE genre_keys && $3::text[]))
ORDER BY e.embedding <=> $1::vector, p.id COLLATE "C"
LIMIT $4`;

/** Nearest passages to a question's embedding, within a scope (SPEC §2's tiers). */
export class VectorSearch {
  constructor(private readonly db: Queryable) {}

  async nearest(vector: readonly number[], scope: SearchScope, limit: number): Promise<VectorHit[]> {
    const keys = scope.genres ? genreKeys(scope.genres) : [];
    const genres = keys.length > 0 ? keys : null;
    if (scope.genres && !genres) return [];
    return this.db.query<VectorHit>(NEAREST_SQL, [vectorLiteral(vector), scope.creator ?? null, genres, limit]);
  }
}
