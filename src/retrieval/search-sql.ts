/** One concept of a question, as the search statement takes it. */
export interface SqlConcept {
  weight: number;
  /**
   * Best first (highest credit): the first that matches is the one that counts. A null query is
   * padding (shapedConcepts): `tsv @@ NULL` is never true.
   */
  alternatives: { credit: number; query: string | null; inTechnique: string | null; inTitle: string | null }[];
}

const bucket = (n: number, steps: readonly number[]) => steps.find((s) => n <= s) ?? Math.ceil(n / 4) * 4;

/** The sizes a shape's alternatives per concept and its concepts are padded up to (then by 4). */
export interface ShapeSteps {
  alternatives: readonly number[];
  concepts: readonly number[];
}

/**
 * Shapes close to the question, for PGlite: its one connection keeps every shape, and padding a
 * statement costs some execution in WASM (the eval sets' searches come in 78 texts).
 */
export const CLOSE_SHAPES: ShapeSteps = { alternatives: [1, 2, 3, 4, 6, 8], concepts: [4, 6, 8, 12, 16] };

/**
 * Fewer, wider shapes, for PostgreSQL: each shape it keeps is held on every pooled connection,
 * and the padding costs it next to nothing to run (27 texts for the eval sets; decision 0019).
 */
export const FEW_SHAPES: ShapeSteps = { alternatives: [2, 4, 8], concepts: [6, 12, 16] };

/**
 * The concepts padded to one of a few shapes, so that a statement's text (which depends on the
 * number of concepts and of alternatives) comes in a few dozen forms, not one per question: every
 * concept gets as many alternatives as the one with most (up to the next of `steps.alternatives`,
 * then by 4), padded with ones that never match, and the concepts are padded up to the next of
 * `steps.concepts` (then by 4) with concepts of weight 0. Nothing padded is ever held or weighs
 * anything: the statement's rows are the same, with `held` followed by zeros for the padding.
 * (The eval sets' 581 searches come in 293 texts unpadded: docs/decisions/0018, 0019.)
 */
export function shapedConcepts(concepts: readonly SqlConcept[], steps: ShapeSteps = CLOSE_SHAPES): SqlConcept[] {
  const alternatives = bucket(Math.max(1, ...concepts.map((c) => c.alternatives.length)), steps.alternatives);
  const count = bucket(concepts.length, steps.concepts);
  const never = { credit: 0, query: null, inTechnique: null, inTitle: null };
  const padded = concepts.map((c) => ({ weight: c.weight, alternatives: [...c.alternatives] }));
  while (padded.length < count) padded.push({ weight: 0, alternatives: [] });
  for (const c of padded) while (c.alternatives.length < alternatives) c.alternatives.push(never);
  return padded;
}

export interface SearchStatement {
  concepts: SqlConcept[];
  /** Every alternative OR-ed, for ts_rank_cd. */
  any: string;
  /** Which passages are candidates (reachableQuery). */
  reachable: string;
  /** `technique_tsv`: only passages whose technique holds `reachable` (the first pass). */
  candidatesBy: 'tsv' | 'technique_tsv';
  creator: string | null;
  genres: string[] | null;
  limit: number;
  /**
   * The first `exact` rows are the exact top by score; the rest, up to `limit`, the next best of
   * the passages whose ts_rank_cd was worked out (within 0.1 of the exact-th best base). Default:
   * all `limit`.
   */
  exact?: number;
  /** Passages holding less than this weighted share of the question are not scored (a pruning bound, 0: none). */
  minCoverage: number;
}

/**
 * The search statement for one question: each concept is a column worked out in the scan itself,
 * by a CASE over its alternatives, best credit first (a concept counts once, by its best
 * alternative); coverage is the weighted share held anywhere; the base score adds the
 * share held in the technique (weight A: each alternative's words restricted to it) and the video
 * title (B), asked only of concepts held at all. ts_rank_cd, the costly part, runs only where it
 * can matter: it adds less than 0.1, so a passage whose base is 0.1 or more below the K-th best
 * base cannot enter the top K. The score is rounded so that the order of a sum never breaks a tie:
 * ties go by id, byte order. Its text depends only on the number of concepts and alternatives;
 * every value is a parameter. Each hit also carries what it holds of each concept (`held`), from
 * which the caller judges relevance; `minCoverage` only bounds which passages are worth scoring.
 */
export function searchStatement(s: SearchStatement): { sql: string; params: unknown[] } {
  const params: unknown[] = [s.any, s.limit, s.minCoverage, s.reachable, s.exact ?? s.limit, s.genres];
  // A creator's condition is in the text only when asked for: a kept (generic) plan cannot drop
  // "$n IS NULL OR creator_slug = $n" by its value, so it would never use the creator's index (on a
  // large knowledge base, 5 ms a search against 12). The genres' condition is the same for the whole
  // knowledge base and a genre, which keeps the shapes few: it reads only the small creators table.
  let scope = '';
  if (s.creator !== null) {
    params.push(s.creator);
    scope = `\n    AND p.creator_slug = $${params.length}::text`;
  }
  const { anywhere, coverage, share } = conceptColumns(s.concepts, params);
  const sql = `
WITH held AS (
  SELECT p.id, p.tsv, ${anywhere.join(', ')}
  FROM passages p
  WHERE p.${s.candidatesBy} @@ $4::tsquery${scope}
    AND ($6::text[] IS NULL OR p.creator_slug IN (SELECT slug FROM creators WHERE genre_keys && $6::text[]))
  -- A fence: without it the planner pastes each concept's CASE into every place that reads it.
  OFFSET 0
),
floored AS MATERIALIZED (
  SELECT h.id, 0.5 * ${coverage} + 0.3 * ${share('inTechnique')} + 0.1 * ${share('inTitle')} AS base,
    ARRAY[${s.concepts.map((_, i) => `h${i}`).join(', ')}]::float8[] AS held
  FROM held h
  WHERE ${coverage} >= $3::float8
),
kth AS (SELECT coalesce(min(base), 0) AS base FROM (SELECT base FROM floored ORDER BY base DESC LIMIT $5) k)
SELECT p.id AS passage_id, p.video_id, v.title AS video_title, v.url AS video_url,
  p.creator_slug, cr.name AS creator_name, p.start_seconds, p.end_seconds, p.technique, p.text,
  round((f.base + 0.1 * ts_rank_cd('{0.1,0.4,0.7,1.0}', p.tsv, $1::tsquery, 32))::numeric, 9)::float8 AS score,
  f.base::float8 AS base, f.held
FROM floored f
CROSS JOIN kth
JOIN passages p ON p.id = f.id
JOIN videos v ON v.id = p.video_id
JOIN creators cr ON cr.slug = p.creator_slug
WHERE f.base > kth.base - 0.1000001
ORDER BY score DESC, p.id COLLATE "C"
LIMIT $2`;
  return { sql, params };
}

/**
 * The concepts' columns of a search statement, their values pushed onto `params`: what each
 * passage holds of each concept (`h0`, `h1`, … of the `held` CTE, over `p.tsv`), its coverage and
 * its share held in the technique or the title (over `h.tsv`, pushed when asked for).
 */
function conceptColumns(concepts: SqlConcept[], params: unknown[]) {
  const param = (value: unknown, type: string) => {
    params.push(value);
    return `$${params.length}::${type}`;
  };
  const total = concepts.reduce((sum, c) => sum + c.weight, 0);
  const W = param(total, 'float8');
  const held = (c: SqlConcept, column: 'query' | 'inTechnique' | 'inTitle', tsv: string) =>
    `CASE ${c.alternatives.map((a) => `WHEN ${tsv} @@ ${param(a[column], 'tsquery')} THEN ${param(a.credit, 'float8')}`).join(' ')} ELSE 0 END`;
  const weights = concepts.map((c) => param(c.weight, 'float8'));
  const anywhere = concepts.map((c, i) => `${held(c, 'query', 'p.tsv')} AS h${i}`);
  const share = (column: 'inTechnique' | 'inTitle') =>
    `(${concepts.map((c, i) => `${weights[i]} * CASE WHEN h${i} > 0 THEN ${held(c, column, 'h.tsv')} ELSE 0 END`).join(' + ')}) / ${W}`;
  const coverage = `(${concepts.map((_, i) => `${weights[i]} * h${i}`).join(' + ')}) / ${W}`;
  return { anywhere, coverage, share };
}

export interface ScopedSearchStatement extends Omit<SearchStatement, 'candidatesBy' | 'creator' | 'genres'> {
  /** One scope each: a creator's passages, or null for the whole knowledge base. */
  creators: (string | null)[];
}

/**
 * searchStatement's ranking of several scopes at once, over the same candidates (every passage
 * holding `reachable`): each passage is scored once, and each scope's top K is the one
 * searchStatement gives for it alone (the same base, K-th best bound, score and order, within
 * the scope). Rows carry their scope's index (0-based) and come in scope order, best first.
 */
export function scopedSearchStatement(s: ScopedSearchStatement): { sql: string; params: unknown[] } {
  const params: unknown[] = [s.any, s.creators, s.limit, s.minCoverage, s.reachable, s.exact ?? s.limit];
  const { anywhere, coverage, share } = conceptColumns(s.concepts, params);
  const everywhere = s.creators.includes(null);
  const sql = `
WITH held AS (
  SELECT p.id, p.tsv, p.creator_slug, ${anywhere.join(', ')}
  FROM passages p
  WHERE p.tsv @@ $5::tsquery${everywhere ? '' : '\n    AND p.creator_slug = ANY($2::text[])'}
  -- A fence: without it the planner pastes each concept's CASE into every place that reads it.
  OFFSET 0
),
floored AS MATERIALIZED (
  SELECT h.id, h.creator_slug, 0.5 * ${coverage} + 0.3 * ${share('inTechnique')} + 0.1 * ${share('inTitle')} AS base,
    ARRAY[${s.concepts.map((_, i) => `h${i}`).join(', ')}]::float8[] AS held
  FROM held h
  WHERE ${coverage} >= $4::float8
),
scopes AS (SELECT (s.i - 1)::int AS scope, s.creator FROM unnest($2::text[]) WITH ORDINALITY AS s(creator, i)),
-- Materialized: inlined, each scope's K-th best would be worked out again for every passage.
kth AS MATERIALIZED (
  SELECT s.scope, s.creator, coalesce((SELECT min(k.base) FROM (SELECT f.base FROM floored f
    WHERE s.creator IS NULL OR f.creator_slug = s.creator ORDER BY f.base DESC LIMIT $6) k), 0) AS base
  FROM scopes s
),
scored AS (
  SELECT k.scope, p.id AS passage_id, p.video_id, v.title AS video_title, v.url AS video_url,
    p.creator_slug, cr.name AS creator_name, p.start_seconds, p.end_seconds, p.technique, p.text,
    round((f.base + 0.1 * ts_rank_cd('{0.1,0.4,0.7,1.0}', p.tsv, $1::tsquery, 32))::numeric, 9)::float8 AS score,
    f.base::float8 AS base, f.held
  FROM kth k
  JOIN floored f ON (k.creator IS NULL OR f.creator_slug = k.creator) AND f.base > k.base - 0.1000001
  JOIN passages p ON p.id = f.id
  JOIN videos v ON v.id = p.video_id
  JOIN creators cr ON cr.slug = p.creator_slug
),
ranked AS (
  SELECT sc.*, row_number() OVER (PARTITION BY sc.scope ORDER BY sc.score DESC, sc.passage_id COLLATE "C") AS n FROM scored sc
)
SELECT scope, passage_id, video_id, video_title, video_url, creator_slug, creator_name, start_seconds, end_seconds,
  technique, text, score, base, held
FROM ranked WHERE n <= $3 ORDER BY scope, n`;
  return { sql, params };
}
