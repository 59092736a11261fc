import type { Db } from '../store/db.js';
import { Glossary, readGlossary, type GlossaryFile } from './glossary.js';
import type { PassageHit, PassageSearch, SearchPlan, SearchScope } from './passage-search.js';
import { searchStatement, type SqlConcept } from './search-sql.js';
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
    return (await this.plan(query)).search(scope, limit);
  }

  async plan(query: string): Promise<SearchPlan> {
    const rows = await this.db.query<QueryTerm & { total: number }>(TERMS_SQL, [query]);
    const concepts = rows.length === 0 ? [] : buildConcepts(rows, await this.loadGlossary(), this.conceptOptions);
    if (concepts.length === 0) return { search: async () => [] };
    const total = rows[0]!.total;
    const p = toSearchParams(concepts, total, this.minCoverage);
    // Alternatives best credit first: in the statement, the first that matches is the one that counts.
    const sqlConcepts: SqlConcept[] = p.weights.map((weight) => ({ weight, alternatives: [] }));
    p.queries.forEach((query, k) =>
      sqlConcepts[p.conceptOf[k]! - 1]!.alternatives.push({ credit: p.credits[k]!, query, inTechnique: p.inTechnique[k]!, inTitle: p.inTitle[k]! }),
    );
    for (const c of sqlConcepts) c.alternatives.sort((x, y) => y.credit - x.credit);
    // Whether many passages can reach the floor does not depend on the scope.
    const manyCandidates =
      likelyCandidates(p.weights, concepts, total, this.minCoverage) >= (this.options.firstPassMinCandidates ?? FIRST_PASS_MIN_CANDIDATES);
    return {
      search: async (scope, limit) => {
        const genres = scope.genres && scope.genres.length > 0 ? scope.genres : null;
        if (scope.genres && !genres) return [];
        const run = async (candidatesBy: 'tsv' | 'technique_tsv', reachable: string) => {
          const { sql, params } = searchStatement({
            concepts: sqlConcepts,
            any: p.any,
            reachable,
            candidatesBy,
            creator: scope.creator ?? null,
            genres,
            limit,
            minCoverage: this.minCoverage,
          });
          return this.db.query<PassageHit & { base: number }>(sql, params);
        };
        // One creator's passages are few enough to score in one pass (the first pass would look
        // for techniques across everyone's).
        if (scope.creator || !manyCandidates) return strip(await run('tsv', p.reachable));
        // Many passages can reach the floor (a question of common words over a large knowledge
        // base). First pass: only the passages whose technique holds the question, which its own
        // index finds cheaply. Any other passage holds less than the floor's share of the question
        // in its technique (and at most its coverage in its title), so its base score is below
        // 0.5 c + 0.3 floor + 0.1 c for its coverage c; to beat the first pass's K-th best base
        // (less 0.1: ts_rank_cd adds less) c must be at least `raised`, a far higher floor for the
        // second pass. The first pass's passages beyond its top K are beaten by K of its own.
        const head = await run('technique_tsv', p.reachable);
        let reachable = p.reachable;
        if (head.length >= limit) {
          const bound = Math.min(...head.map((h) => h.base));
          const raised = (bound - 0.1000001 - 0.3 * this.minCoverage) / 0.6 - 1e-9;
          if (raised > 1) return strip(head);
          if (raised > this.minCoverage) reachable = reachableQuery(p.alternativesByConcept, p.weights, raised);
        }
        const rest = await run('tsv', reachable);
        const seen = new Set(rest.map((h) => h.passage_id));
        const merged = [...rest, ...head.filter((h) => !seen.has(h.passage_id))];
        merged.sort((x, y) => y.score - x.score || Buffer.compare(Buffer.from(x.passage_id), Buffer.from(y.passage_id)));
        return strip(merged.slice(0, limit));
      },
    };
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

const strip = (hits: (PassageHit & { base: number })[]): PassageHit[] => hits.map(({ base: _base, ...hit }) => hit);
