import type { Db } from '../store/db.js';
import { withoutContractions } from './contractions.js';
import { unitsApart } from './number-units.js';
import { framingWords } from './framing-words.js';
import { Glossary, readGlossary, type GlossaryFile } from './glossary.js';
import { EMPTY_PLAN, type PassageHit, type PassageSearch, type RankedTier, type SearchPlan, type SearchScope } from './passage-search.js';
import { buildConcepts, DEFAULT_CONCEPT_OPTIONS, likelyCandidates, type Compound, reachableQuery, toSearchParams, type ConceptOptions, type QueryTerm } from './query-concepts.js';
import { DEFAULT_MIN_RELEVANCE, isCorroborated, isRelevant, judge } from './relevance.js';
import { CLOSE_SHAPES, FEW_SHAPES, scopedSearchStatement, searchStatement, shapedConcepts, type SqlConcept } from './search-sql.js';
import { TERMS_SQL } from './terms-sql.js';
import { rankWithVideoContext, VIDEO_CONTEXT_POOL } from './video-context.js';
import { mayBeTypo } from './typo-correction.js';
import { compoundCandidates, derivedForms, oneEditVariants, spellingVariants, typoCandidates } from './typo-variants.js';
import { loadWordRank, type WordRank } from './word-rank.js';
import { genreKeys } from '../store/genre-key.js';

/**
 * On a large knowledge base the first pass scores only passages holding at least this
 * rarity-weighted share of the question (a pruning bound, not a relevance floor); when fewer than
 * K do, a second pass scores the passages holding its rarer concepts (`MEANINGFUL_NDOC_BUDGET`).
 */
export const FIRST_PASS_COVERAGE = 0.45;

/**
 * When the first pass cannot prove its top K exact, the second scores every passage of the scope
 * holding one of the question's concepts, rarest first, until their document frequencies add up
 * to this: a question's commonest words ("make", "sound") on a large knowledge base are left to
 * the first pass. Scoring a passage costs tens of microseconds: this bounds the second pass.
 */
const MEANINGFUL_NDOC_BUDGET = 250;

/** When the question's known words are in at most this many passages together, one statement scores them all. */
const ONE_STATEMENT_NDOC = 400;

/** Above this many likely candidates, a first pass over the passages' techniques raises the bar. */
const FIRST_PASS_MIN_CANDIDATES = 1000;


export interface FullTextSearchOptions extends Partial<ConceptOptions> {
  /** From what relevance (relevance.ts) a tier's best passage answers the question. */
  minRelevance?: number;
  /** What a known concept the passage lacks counts for in relevance (relevance.ts, KNOWN_MISS). */
  knownMiss?: number;
  /** Synonyms for query expansion; default: src/retrieval/glossary.json. null: none. */
  glossary?: GlossaryFile | null;
  /** From how many likely candidates the technique pass runs first (default 1000). */
  firstPassMinCandidates?: number;
  /** Whether a word no passage holds may be corrected to one that is one edit away (default true). */
  typos?: boolean;
}

type Row = PassageHit & { base: number; held: number[] };

/** Postgres full-text search with synonyms and typo tolerance; the same SQL on PGlite and PostgreSQL. */
export class FullTextSearch implements PassageSearch {
  private readonly minRelevance: number;
  private readonly conceptOptions: ConceptOptions;
  private glossary: Promise<Glossary> | null = null;

  constructor(
    private readonly db: Db,
    private readonly options: FullTextSearchOptions = {},
  ) {
    this.minRelevance = options.minRelevance ?? DEFAULT_MIN_RELEVANCE;
    this.conceptOptions = {
      synonymCredit: options.synonymCredit ?? DEFAULT_CONCEPT_OPTIONS.synonymCredit,
      typoCredit: options.typoCredit ?? DEFAULT_CONCEPT_OPTIONS.typoCredit,
    };
  }

  async search(query: string, scope: SearchScope, limit: number): Promise<PassageHit[]> {
    return (await this.plan(query)).search(scope, limit);
  }

  async plan(question: string): Promise<SearchPlan> {
    const query = unitsApart(withoutContractions(question));
    const typos = this.options.typos !== false;
    const [glossary, rank] = await Promise.all([this.loadGlossary(), typos ? loadWordRank() : Promise.resolve<WordRank>(() => undefined)]);
    // A common English word is never taken for a typo (query-concepts.ts): only the others' variants are looked up.
    const words = typos ? typoCandidates(query) : [];
    const variants = words.map((w) => [...(mayBeTypo(w, rank) ? oneEditVariants(w) : spellingVariants(w)), ...derivedForms(w)].join(' '));
    const { pairs, splits } = compoundCandidates(query);
    const rows = await this.db.query<QueryTerm & { total: number; compounds: (Compound & { key: string })[] | null }>(TERMS_SQL, [
      query,
      JSON.stringify(words.map((word, i) => ({ word, variants: variants[i] }))),
      JSON.stringify(pairs),
      JSON.stringify(splits),
    ], { prepare: true });
    const compounds = new Map<string, Compound[]>();
    for (const c of rows[0]?.compounds ?? []) compounds.set(c.key, [...(compounds.get(c.key) ?? []), { lexemes: c.lexemes, ndoc: c.ndoc }]);
    const concepts = rows.length === 0 ? [] : buildConcepts(rows, glossary, this.conceptOptions, typos ? rank : () => undefined, compounds);
    if (concepts.length === 0) return EMPTY_PLAN;
    const total = rows[0]!.total;
    const floor = FIRST_PASS_COVERAGE;
    const p = toSearchParams(concepts, total, floor);
    const known = concepts.map((c) => c.known);
    const ndocs = concepts.map((c) => c.ndoc);
    // Alternatives best credit first: in the statement, the first that matches is the one that counts.
    const sqlConcepts: SqlConcept[] = p.weights.map((weight) => ({ weight, alternatives: [] }));
    p.queries.forEach((q, k) =>
      sqlConcepts[p.conceptOf[k]! - 1]!.alternatives.push({ credit: p.credits[k]!, query: q, inTechnique: p.inTechnique[k]!, inTitle: p.inTitle[k]! }),
    );
    for (const c of sqlConcepts) c.alternatives.sort((x, y) => y.credit - x.credit);
    // A few dozen statement texts in all, not one per question (shapedConcepts): the database keeps
    // them parsed, and each shape keeps a generic plan once it has run a few times (decisions 0018, 0019).
    const shaped = !this.db.keepsShapes ? sqlConcepts : shapedConcepts(sqlConcepts, this.db.kind === 'pglite' ? CLOSE_SHAPES : FEW_SHAPES);
    const ownHeld = <R extends Row>(rows: R[]): R[] => rows.map((r) => ({ ...r, held: r.held.slice(0, sqlConcepts.length) }));
    // The second pass's candidates: the concepts the knowledge base holds, rarest first, within the budget.
    const byRarity = concepts.map((c, i) => ({ c, i })).filter(({ c }) => c.ndoc > 0 || c.known).sort((a, b) => a.c.ndoc - b.c.ndoc || a.i - b.i);
    const meaningful: number[] = [];
    let spent = 0;
    for (const { c, i } of byRarity) {
      if (meaningful.length > 0 && spent + c.ndoc > MEANINGFUL_NDOC_BUDGET) break;
      meaningful.push(i);
      spent += c.ndoc;
    }
    const oneStatement = concepts.reduce((sum, c) => sum + c.ndoc, 0) <= ONE_STATEMENT_NDOC;
    // Each by its first alternative only (the word itself, or its likeliest correction): a synonym's
    // passages are not counted in the budget.
    const anyMeaningful = meaningful.length === 0 ? null : [...new Set(meaningful.map((i) => p.alternativesByConcept[i]![0]!))].map((q) => `(${q})`).join(' | ');
    // Whether many passages can reach the first pass's bound does not depend on the scope.
    const manyCandidates = likelyCandidates(p.weights, concepts, total, floor) >= (this.options.firstPassMinCandidates ?? FIRST_PASS_MIN_CANDIDATES);

    const rankScope = async (scope: SearchScope, limit: number): Promise<RankedTier> => {
      // The rows ranked again with their videos' context (video-context.ts): the top K stays exact.
      const pool = limit * VIDEO_CONTEXT_POOL;
      // Compared as stored: by genreKey ("Hip-Hop" is "hip hop").
      const keys = scope.genres ? genreKeys(scope.genres) : [];
      const genres = keys.length > 0 ? keys : null;
      if (scope.genres && !genres) return { hits: [], relevant: false, corroborated: false, relevance: 0, strength: 0 };
      const run = async (candidatesBy: 'tsv' | 'technique_tsv', reachable: string, minCoverage: number) => {
        const { sql, params } = searchStatement({
          concepts: shaped,
          any: p.any,
          reachable,
          candidatesBy,
          creator: scope.creator ?? null,
          genres,
          limit: pool,
          exact: limit,
          minCoverage,
        });
        return ownHeld(await this.db.query<Row>(sql, params, { shaped: true }));
      };
      return tierOf(await this.topK(run, p, floor, scope, limit, pool, { manyCandidates, oneStatement, anyMeaningful }), limit);
    };
    // Relevance and strength are judged on the top K by the passages' own words, as they were
    // before the videos' context; the hits shown are the pool ranked again with it.
    const tierOf = (pooled: Row[], limit: number): RankedTier => {
      const hits = pooled.slice(0, limit);
      let relevance = 0;
      let relevant = false;
      let corroborated = false;
      let strength = 0;
      for (const h of hits) {
        const j = judge(h.held, p.weights, known, ndocs, total, this.options.knownMiss);
        relevance = Math.max(relevance, j.relevance);
        relevant ||= isRelevant(j, this.minRelevance);
        corroborated ||= isCorroborated(j);
        strength = Math.max(strength, h.score);
      }
      return { hits: rankWithVideoContext(pooled, p.weights, limit).map(strip), relevant, corroborated, relevance, strength };
    };
    const rankEach = async (scopes: readonly SearchScope[], limit: number): Promise<RankedTier[]> => {
      // Where one statement scores every candidate (a small knowledge base), creators' scopes and
      // the whole knowledge base are ranked in one: each passage is scored once, one round trip.
      if (!oneStatement || scopes.length < 2 || scopes.some((s) => s.genres)) return Promise.all(scopes.map((s) => rankScope(s, limit)));
      const { sql, params } = scopedSearchStatement({
        concepts: shaped,
        any: p.any,
        reachable: anyMeaningful === null ? p.reachable : `(${p.reachable}) | ${anyMeaningful}`,
        creators: scopes.map((s) => s.creator ?? null),
        limit: limit * VIDEO_CONTEXT_POOL,
        exact: limit,
        minCoverage: 0,
      });
      const rows = ownHeld(await this.db.query<Row & { scope: number }>(sql, params, { shaped: true }));
      return scopes.map((_, i) => tierOf(rows.filter((r) => r.scope === i).map(({ scope: _scope, ...hit }) => hit), limit));
    };
    return {
      rank: rankScope,
      rankEach,
      search: async (scope, limit) => {
        const tier = await rankScope(scope, limit);
        return tier.relevant ? tier.hits : [];
      },
    };
  }

  /**
   * The scope's top K by score, over every passage holding one of the question's concepts (on a
   * large knowledge base, of its meaningful ones), and the next best up to `pool`.
   */
  private async topK(
    run: (candidatesBy: 'tsv' | 'technique_tsv', reachable: string, minCoverage: number) => Promise<Row[]>,
    p: ReturnType<typeof toSearchParams>,
    floor: number,
    scope: SearchScope,
    limit: number,
    pool: number,
    how: { manyCandidates: boolean; oneStatement: boolean; anyMeaningful: string | null },
  ): Promise<Row[]> {
    const { anyMeaningful } = how;
    // Few passages hold the question's words (a small knowledge base): all of them in one statement.
    if (how.oneStatement) return run('tsv', anyMeaningful === null ? p.reachable : `(${p.reachable}) | ${anyMeaningful}`, 0);
    // One creator's passages need no technique pass (it would look across everyone's).
    const head = scope.creator || !how.manyCandidates ? await run('tsv', p.reachable, floor) : await this.firstPass(run, p, floor, limit, pool);
    // K passages hold 45 % of the question or more: on a large knowledge base they are the answer.
    // (Exact when the K-th beats what a passage holding less could score; otherwise a passage
    // holding a little less but naming the question in its technique could rank among them, a
    // difference a third statement per tier is not worth at this scale.)
    if (head.length >= limit) return head;
    if (anyMeaningful === null) return head;
    const rest = await run('tsv', anyMeaningful, 0);
    const seen = new Set(rest.map((h) => h.passage_id));
    return sortHits([...rest, ...head.filter((h) => !seen.has(h.passage_id))]).slice(0, pool);
  }

  /**
   * The exact top K among the passages holding at least `floor` of the question, on a large
   * knowledge base, and the next best up to `pool` among those scored.
   */
  private async firstPass(
    run: (candidatesBy: 'tsv' | 'technique_tsv', reachable: string, minCoverage: number) => Promise<Row[]>,
    p: ReturnType<typeof toSearchParams>,
    floor: number,
    limit: number,
    pool: number,
  ): Promise<Row[]> {
    // Many passages can reach the bound (a question of common words over a large knowledge base).
    // First: only the passages whose technique holds the question, which its own index finds
    // cheaply. Any other passage holds less than the bound's share of the question in its
    // technique (and at most its coverage in its title), so its base score is below
    // 0.5 c + 0.3 floor + 0.1 c for its coverage c; to beat the technique pass's K-th best base
    // (less 0.1: ts_rank_cd adds less) c must be at least `raised`, a far higher bound for the
    // full pass. The technique pass's passages beyond its top K are beaten by K of its own.
    const head = await run('technique_tsv', p.reachable, floor);
    let reachable = p.reachable;
    let bound = floor;
    if (head.length >= limit) {
      const kth = Math.min(...head.slice(0, limit).map((h) => h.base));
      const raised = (kth - 0.1000001 - 0.3 * floor) / 0.6 - 1e-9;
      if (raised > 1) return head;
      if (raised > floor) {
        reachable = reachableQuery(p.alternativesByConcept, p.weights, raised);
        bound = raised;
      }
    }
    const rest = await run('tsv', reachable, bound);
    const seen = new Set(rest.map((h) => h.passage_id));
    return sortHits([...rest, ...head.filter((h) => !seen.has(h.passage_id))]).slice(0, pool);
  }

  private loadGlossary(): Promise<Glossary> {
    if (this.options.glossary === null) return Promise.resolve(Glossary.empty());
    this.glossary ??= (async () => Glossary.stem(this.db, this.options.glossary ?? (await readGlossary()), framingWords()))();
    // A failed load is not kept: the next search tries again.
    this.glossary.catch(() => {
      this.glossary = null;
    });
    return this.glossary;
  }
}

const sortHits = (hits: Row[]): Row[] =>
  hits.sort((x, y) => y.score - x.score || Buffer.compare(Buffer.from(x.passage_id), Buffer.from(y.passage_id)));

const strip = ({ base: _base, held: _held, ...hit }: Row): PassageHit => hit;
