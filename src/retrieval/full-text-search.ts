import type { Db } from '../store/db.js';
import { Glossary, readGlossary, type GlossaryFile } from './glossary.js';
import type { PassageHit, PassageSearch, SearchScope } from './passage-search.js';
import { buildConcepts, DEFAULT_CONCEPT_OPTIONS, likelyCandidates, reachableQuery, toSearchParams, type ConceptOptions, type QueryTerm } from './query-concepts.js';

/**
 * The default relevance floor. A passage must hold at least this share of the question's
 * concepts, each weighted by its rarity in the knowledge base (idf) and by how it is held (the
 * word itself 1, a glossary synonym or a typo's correction less): a question whose rare words
 * appear nowhere ("how do I bake sourdough bread?") matches nothing, even when a common word
 * ("make") is everywhere.
 */
export const DEFAULT_MIN_COVERAGE = 0.45;

// The question's lexemes with their document frequency; for a word no passage holds, the known
// lexemes that share enough trigrams with it (the kb_terms trigram index answers `%`).
const TERMS_SQL = `
SELECT t.lexeme, t.positions::int[] AS positions, coalesce(k.ndoc, 0)::int AS ndoc,
  coalesce(c.candidates, '[]'::json) AS candidates,
  coalesce((SELECT value FROM kb_stats WHERE key = 'passages'), 0)::int AS total
FROM unnest(to_tsvector('english', $1)) AS t
LEFT JOIN kb_terms k ON k.lexeme = t.lexeme
LEFT JOIN LATERAL (
  SELECT json_agg(json_build_object('lexeme', s.lexeme, 'ndoc', s.ndoc, 'similarity', s.sim) ORDER BY s.sim DESC) AS candidates
  FROM (
    SELECT kt.lexeme, kt.ndoc, similarity(kt.lexeme, t.lexeme)::float8 AS sim
    FROM kb_terms kt
    WHERE k.lexeme IS NULL AND char_length(t.lexeme) >= 4 AND kt.lexeme % t.lexeme
    ORDER BY sim DESC, kt.ndoc DESC, kt.lexeme
    LIMIT 5
  ) s
) c ON true`;

// Candidates: passages in scope that can reach the floor ($10, reachableQuery: those holding every
// concept of one of the smallest sets that weigh enough). Each concept counts once, by its best
// alternative; coverage is the weighted share of concepts held anywhere in the passage (the
// floor), and the score adds how many are held in the technique (weight A: $11 restricts each
// alternative's words to it) and the video title (B, $12), then ts_rank_cd, whose weights
// {D, C, B, A} also favour technique and title. Which alternatives a candidate holds is worked out
// once, into narrow rows (no vectors), which are then grouped. ts_rank_cd, the costly part, runs
// only where it can matter: it adds less than 0.1, so a passage whose score without it (base) is
// 0.1 or more below the K-th best base cannot enter the top K. The score is rounded so that the
// order of a sum (which the plan decides) never breaks a tie: ties go by id, byte order.
const searchSql = (candidatesBy: 'tsv' | 'technique_tsv') => `
WITH alternatives AS (
  SELECT a.concept, a.credit, a.q::tsquery AS q, a.qa::tsquery AS qa, a.qb::tsquery AS qb
  FROM unnest($1::text[], $2::int[], $3::float8[], $11::text[], $12::text[]) AS a(q, concept, credit, qa, qb)
),
concepts AS (
  SELECT c.concept::int AS concept, c.weight FROM unnest($4::float8[]) WITH ORDINALITY AS c(weight, concept)
),
total AS (SELECT sum(weight) AS weight FROM concepts),
candidates AS MATERIALIZED (
  SELECT p.id, p.tsv
  FROM passages p
  WHERE p.${candidatesBy} @@ $10::tsquery
    AND ($6::text IS NULL OR p.creator_slug = $6::text)
    AND ($7::text[] IS NULL OR p.creator_slug IN (SELECT slug FROM creators WHERE genres && $7::text[]))
),
matches AS MATERIALIZED (
  SELECT c.id, a.concept, a.credit, c.tsv @@ a.qa AS in_technique, c.tsv @@ a.qb AS in_title
  FROM candidates c JOIN alternatives a ON c.tsv @@ a.q
),
held AS (
  SELECT m.id, m.concept, max(m.credit) AS anywhere,
    max(CASE WHEN m.in_technique THEN m.credit ELSE 0 END) AS in_technique,
    max(CASE WHEN m.in_title THEN m.credit ELSE 0 END) AS in_title
  FROM matches m
  GROUP BY m.id, m.concept
),
scored AS (
  SELECT h.id, sum(k.weight * h.anywhere) / t.weight AS coverage,
    sum(k.weight * h.in_technique) / t.weight AS technique,
    sum(k.weight * h.in_title) / t.weight AS title
  FROM held h JOIN concepts k ON k.concept = h.concept CROSS JOIN total t
  GROUP BY h.id, t.weight
),
floored AS (
  SELECT s.id, 0.5 * s.coverage + 0.3 * s.technique + 0.1 * s.title AS base FROM scored s WHERE s.coverage >= $9
),
kth AS (SELECT coalesce(min(base), 0) AS base FROM (SELECT base FROM floored ORDER BY base DESC LIMIT $8) k)
SELECT p.id AS passage_id, p.video_id, v.title AS video_title, v.url AS video_url,
  p.creator_slug, cr.name AS creator_name, p.start_seconds, p.end_seconds, p.technique, p.text,
  round((f.base + 0.1 * ts_rank_cd('{0.1,0.4,0.7,1.0}', p.tsv, $5::tsquery, 32))::numeric, 9)::float8 AS score, f.base::float8 AS base
FROM floored f
CROSS JOIN kth
JOIN passages p ON p.id = f.id
JOIN videos v ON v.id = p.video_id
JOIN creators cr ON cr.slug = p.creator_slug
WHERE f.base > kth.base - 0.1000001
ORDER BY score DESC, p.id COLLATE "C"
LIMIT $8`;
const SEARCH_SQL = searchSql('tsv');
const TECHNIQUE_SQL = searchSql('technique_tsv');

/** Above this many likely candidates, a first pass over the passages' techniques raises the bar. */
const FIRST_PASS_MIN_CANDIDATES = 1000;

export interface FullTextSearchOptions extends Partial<ConceptOptions> {
  /** The relevance floor: the least rarity-weighted share of the question a passage must hold. */
  minCoverage?: number;
  /** Synonyms for query expansion; default: src/retrieval/glossary.json. null: none. */
  glossary?: GlossaryFile | null;
  /** From how many likely candidates the technique pass runs first (default 1000). */
  firstPassMinCandidates?: number;
}

/** Postgres full-text search with synonyms and typo tolerance; the same SQL on PGlite and PostgreSQL. */
export class FullTextSearch implements PassageSearch {
  private readonly minCoverage: number;
  private readonly conceptOptions: ConceptOptions;
  private glossary: Promise<Glossary> | null = null;

  constructor(
    private readonly db: Db,
    private readonly options: FullTextSearchOptions = {},
  ) {
    this.minCoverage = options.minCoverage ?? DEFAULT_MIN_COVERAGE;
    this.conceptOptions = {
      synonymCredit: options.synonymCredit ?? DEFAULT_CONCEPT_OPTIONS.synonymCredit,
      typoCredit: options.typoCredit ?? DEFAULT_CONCEPT_OPTIONS.typoCredit,
    };
  }

  async search(query: string, scope: SearchScope, limit: number): Promise<PassageHit[]> {
    const genres = scope.genres && scope.genres.length > 0 ? scope.genres : null;
    if (scope.genres && !genres) return [];
    const rows = await this.db.query<QueryTerm & { total: number }>(TERMS_SQL, [query]);
    if (rows.length === 0) return [];
    const concepts = buildConcepts(rows, await this.loadGlossary(), this.conceptOptions);
    if (concepts.length === 0) return [];
    const total = rows[0]!.total;
    const p = toSearchParams(concepts, total, this.minCoverage);
    const run = async (sql: string, reachable: string) => {
      const found = await this.db.query<PassageHit & { base: number }>(sql, [
        p.queries,
        p.conceptOf,
        p.credits,
        p.weights,
        p.any,
        scope.creator ?? null,
        genres,
        limit,
        this.minCoverage,
        reachable,
        p.inTechnique,
        p.inTitle,
      ]);
      return found;
    };
    const strip = (hits: (PassageHit & { base: number })[]): PassageHit[] => hits.map(({ base: _base, ...hit }) => hit);
    if (likelyCandidates(p.weights, concepts, total, this.minCoverage) < (this.options.firstPassMinCandidates ?? FIRST_PASS_MIN_CANDIDATES)) {
      return strip(await run(SEARCH_SQL, p.reachable));
    }
    // Many passages can reach the floor (a question of common words over a large knowledge base).
    // First pass: only the passages whose technique holds the question, which its own index finds
    // cheaply. Any other passage holds less than the floor's share of the question in its
    // technique (and at most its coverage in its title), so its base score is below
    // 0.5 c + 0.3 floor + 0.1 c for its coverage c; to beat the first pass's K-th best base (less
    // 0.1: ts_rank_cd adds less) c must be at least `raised`, a far higher floor for the second
    // pass. The first pass's passages beyond its top K are beaten by K of its own.
    const head = await run(TECHNIQUE_SQL, p.reachable);
    let reachable = p.reachable;
    if (head.length >= limit) {
      const bound = Math.min(...head.map((h) => h.base));
      const raised = (bound - 0.1000001 - 0.3 * this.minCoverage) / 0.6 - 1e-9;
      if (raised > 1) return strip(head);
      if (raised > this.minCoverage) reachable = reachableQuery(p.alternativesByConcept, p.weights, raised);
    }
    const rest = await run(SEARCH_SQL, reachable);
    const seen = new Set(rest.map((h) => h.passage_id));
    const merged = [...rest, ...head.filter((h) => !seen.has(h.passage_id))];
    merged.sort((x, y) => y.score - x.score || Buffer.compare(Buffer.from(x.passage_id), Buffer.from(y.passage_id)));
    return strip(merged.slice(0, limit));
  }

  private loadGlossary(): Promise<Glossary> {
    if (this.options.glossary === null) return Promise.resolve(Glossary.empty());
    this.glossary ??= (async () => Glossary.stem(this.db, this.options.glossary ?? (await readGlossary())))();
    // A failed load is not kept: the next search tries again.
    this.glossary.catch(() => {
      this.glossary = null;
    });
    return this.glossary;
  }
}
