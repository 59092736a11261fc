import type { Db } from '../store/db.js';
import type { PassageHit, PassageSearch, SearchScope } from './passage-search.js';

/**
 * The default relevance floor. A passage must hold at least this share of the question's terms,
 * each term weighted by its rarity in the knowledge base (idf): a question whose rare words appear
 * nowhere ("how do I bake bread?") matches nothing, even when a common word ("make") is everywhere.
 */
export const DEFAULT_MIN_COVERAGE = 0.45;

// Full-text search, OR-ing the question's terms (websearch_to_tsquery ANDs them, which finds
// nothing for most spoken questions), ranked by rarity-weighted coverage first, ts_rank_cd second.
// ts_rank_cd weights are {D, C, B, A}: technique (A) counts most, then video title (B), then text (C).
const SEARCH_SQL = `
WITH input AS (
  SELECT NULLIF(replace(websearch_to_tsquery('english', $1)::text, ' & ', ' | '), '') AS q
),
query AS (SELECT q::tsquery AS tsq FROM input WHERE q IS NOT NULL),
total AS (
  SELECT greatest(coalesce((SELECT value FROM kb_stats WHERE key = 'passages'), 1), 1)::float8 AS n
),
terms AS (
  SELECT t.lexeme, ln(1 + total.n / (coalesce(k.ndoc, 0) + 1)) AS idf
  FROM (SELECT DISTINCT unnest(tsvector_to_array(to_tsvector('english', $1))) AS lexeme) t
  CROSS JOIN total
  LEFT JOIN kb_terms k ON k.lexeme = t.lexeme
),
weight AS (SELECT NULLIF(sum(idf), 0) AS sum_idf FROM terms),
hits AS (
  SELECT p.id, p.video_id, p.creator_slug, p.start_seconds, p.end_seconds, p.technique, p.text,
    ts_rank_cd('{0.2,0.4,0.7,1.0}', p.tsv, query.tsq, 32) AS rank,
    (SELECT coalesce(sum(t.idf), 0) FROM terms t WHERE t.lexeme = ANY(tsvector_to_array(p.tsv))) / weight.sum_idf AS coverage
  FROM passages p, query, weight
  WHERE p.tsv @@ query.tsq
    AND ($2::text IS NULL OR p.creator_slug = $2::text)
    AND ($3::text[] IS NULL OR p.creator_slug IN (SELECT slug FROM creators WHERE genres && $3::text[]))
)
SELECT h.id AS passage_id, h.video_id, v.title AS video_title, v.url AS video_url,
  h.creator_slug, c.name AS creator_name, h.start_seconds, h.end_seconds, h.technique, h.text,
  (0.8 * h.coverage + 0.2 * h.rank)::float8 AS score
FROM hits h
JOIN videos v ON v.id = h.video_id
JOIN creators c ON c.slug = h.creator_slug
WHERE h.coverage >= $5
ORDER BY score DESC, h.id
LIMIT $4`;

/** Postgres full-text search; the same SQL on PGlite and PostgreSQL. */
export class FullTextSearch implements PassageSearch {
  constructor(
    private readonly db: Db,
    private readonly minCoverage = DEFAULT_MIN_COVERAGE,
  ) {}

  async search(query: string, scope: SearchScope, limit: number): Promise<PassageHit[]> {
    const genres = scope.genres && scope.genres.length > 0 ? scope.genres : null;
    if (scope.genres && !genres) return [];
    return this.db.query<PassageHit>(SEARCH_SQL, [query, scope.creator ?? null, genres, limit, this.minCoverage]);
  }
}
