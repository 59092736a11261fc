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
//
// The ranking is the same as scoring every passage that holds any term; three bounds skip the work
// that cannot change the top K (BENCHMARKS.md, "Retrieval"):
// - `needed`: a passage must reach the coverage bar, so it must hold every term heavier than
//   (1 - bar) of the question, and at least one of the rarest terms whose weights together reach
//   the bar. The bar is the floor ($5), or 0.75 when K passages in scope hold every term: those
//   score at least 0.8, which a passage under 0.75 coverage cannot reach (rank < 1 adds < 0.2).
// - coverage tests each term with `@@` instead of unpacking the passage's tsvector once per term.
// - `kth`: ts_rank_cd, the costly part, runs only for passages within 0.25 coverage of the K-th
//   best (0.26: a margin for float rounding); below that, score < 0.8 coverage + 0.2 <= the K-th's.
// Videos and creators are joined to the K passages kept, not to every candidate. `terms.quoted` is
// a lexeme as tsquery text (quotes doubled, backslashes escaped).
const SEARCH_SQL = `
WITH input AS (
  SELECT NULLIF(replace(websearch_to_tsquery('english', $1)::text, ' & ', ' | '), '') AS q
),
query AS (SELECT q::tsquery AS tsq FROM input WHERE q IS NOT NULL),
total AS (
  SELECT greatest(coalesce((SELECT value FROM kb_stats WHERE key = 'passages'), 1), 1)::float8 AS n
),
terms AS MATERIALIZED (
  SELECT t.lexeme, t.quoted, t.quoted::tsquery AS tsq, ln(1 + total.n / (coalesce(k.ndoc, 0) + 1)) AS idf
  FROM (
    SELECT lexeme, '''' || replace(replace(lexeme, '\\', '\\\\'), '''', '''''') || '''' AS quoted
    FROM (SELECT DISTINCT unnest(tsvector_to_array(to_tsvector('english', $1))) AS lexeme) l
  ) t
  CROSS JOIN total
  LEFT JOIN kb_terms k ON k.lexeme = t.lexeme
),
weight AS (SELECT NULLIF(sum(idf), 0) AS sum_idf FROM terms),
bar AS MATERIALIZED (
  SELECT CASE WHEN (
    SELECT count(*) FROM (
      SELECT 1 FROM passages p WHERE p.tsv @@ (SELECT string_agg(quoted, ' & ')::tsquery FROM terms)
        AND ($2::text IS NULL OR p.creator_slug = $2::text)
        AND ($3::text[] IS NULL OR p.creator_slug IN (SELECT slug FROM creators WHERE genres && $3::text[]))
      LIMIT $4) f
  ) >= $4 THEN greatest($5, 0.75) ELSE $5 END AS coverage
),
needed AS MATERIALIZED (
  SELECT (
    '(' || (SELECT string_agg(s.quoted, ' | ') FROM (SELECT quoted, sum(idf) OVER (ORDER BY idf, lexeme) AS suffix FROM terms) s
            WHERE s.suffix >= bar.coverage * weight.sum_idf) || ')'
    || coalesce(' & ' || (SELECT string_agg(quoted, ' & ') FROM terms WHERE idf > (1 - bar.coverage) * weight.sum_idf), '')
  )::tsquery AS tsq
  FROM bar, weight
),
hits AS MATERIALIZED (
  SELECT p.id, p.tsv,
    (SELECT coalesce(sum(t.idf), 0) FROM terms t WHERE p.tsv @@ t.tsq) / weight.sum_idf AS coverage
  FROM passages p, query, weight, needed
  WHERE p.tsv @@ query.tsq AND p.tsv @@ needed.tsq
    AND ($2::text IS NULL OR p.creator_slug = $2::text)
    AND ($3::text[] IS NULL OR p.creator_slug IN (SELECT slug FROM creators WHERE genres && $3::text[]))
),
kth AS MATERIALIZED (
  SELECT coalesce(min(coverage), 0) AS coverage FROM (SELECT coverage FROM hits WHERE coverage >= $5 ORDER BY coverage DESC LIMIT $4) k
),
top AS (
  SELECT h.id, (0.8 * h.coverage + 0.2 * ts_rank_cd('{0.2,0.4,0.7,1.0}', h.tsv, query.tsq, 32))::float8 AS score
  FROM hits h, query, kth
  WHERE h.coverage >= $5 AND h.coverage >= kth.coverage - 0.26
  ORDER BY score DESC, h.id
  LIMIT $4
)
SELECT p.id AS passage_id, p.video_id, v.title AS video_title, v.url AS video_url,
  p.creator_slug, c.name AS creator_name, p.start_seconds, p.end_seconds, p.technique, p.text, top.score
FROM top
JOIN passages p ON p.id = top.id
JOIN videos v ON v.id = p.video_id
JOIN creators c ON c.slug = p.creator_slug
ORDER BY top.score DESC, top.id`;

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
