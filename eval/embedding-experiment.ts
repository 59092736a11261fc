// Does the built-in embedder (USE-lite) fused by RRF beat full-text search alone? On a fresh
// in-memory PGlite with pgvector, demo knowledge base: both eval sets, full-text only and hybrid at
// several EMBEDDINGS_MIN_SIMILARITY values; then the costs (1,000 synthetic passages embedded,
// per-question embedding p50, RSS). `npx tsx eval/embedding-experiment.ts [--sims 0.3,0.5] [--rerank-sims 0,0.5] [--skip-costs] [--skip-kinds]`
import { parseArgs } from 'node:util';
import pino from 'pino';
import { syntheticDocument } from '../bench/lib/synthetic-kb.js';
import { evaluate, readEvalSet } from '../src/cli/eval.js';
import { computeMetrics, type QuestionResult } from '../src/cli/eval-metrics.js';
import { readDemoDocument } from '../src/kb/demo-kb.js';
import { validateDocument } from '../src/kb/validate-document.js';
import { BuiltinEmbedder } from '../src/retrieval/builtin-embedder.js';
import type { Embedder } from '../src/retrieval/embedder.js';
import { EmbeddingIndexer } from '../src/retrieval/embedding-indexer.js';
import { FullTextSearch } from '../src/retrieval/full-text-search.js';
import { fuse, HybridSearch, RRF_K } from '../src/retrieval/hybrid-search.js';
import type { PassageHit, PassageSearch, SearchPlan } from '../src/retrieval/passage-search.js';
import { VectorSearch, type VectorHit } from '../src/retrieval/vector-search.js';
import { migrate } from '../src/store/migrate.js';
import { PgKbStore } from '../src/store/pg/pg-kb-store.js';
import { PgliteDb } from '../src/store/pg/pglite-db.js';
import { ensureVectorSchema } from '../src/store/pg/vector-schema.js';

const { values } = parseArgs({
  options: {
    sims: { type: 'string', default: '0.3,0.4,0.45,0.5,0.55,0.6,0.7' },
    'rerank-sims': { type: 'string', default: '0,0.3,0.5' },
    'skip-costs': { type: 'boolean', default: false },
    'skip-kinds': { type: 'boolean', default: false },
  },
});
const list = (v: string) => (v === '' ? [] : v.split(',').map(Number));
const sims = list(values.sims);
const rerankSims = list(values['rerank-sims']);
/** How the rerank-only search merges: RRF, RRF with the vector ranks at half weight, or full-text's hits first and the vector's after. */
type Merge = 'rrf' | 'rrf-half' | 'append';
const merges: Merge[] = ['rrf', 'rrf-half', 'append'];
const log = pino({ level: 'warn' });
const f = (n: number) => n.toFixed(3);
const rss = () => Math.round(process.memoryUsage().rss / 1e6);

/** The same question is embedded once for every similarity tried. */
class CachedEmbedder implements Embedder {
  readonly model: string;
  readonly dimensions: number;
  private readonly cache = new Map<string, number[]>();
  constructor(private readonly inner: Embedder) {
    this.model = inner.model;
    this.dimensions = inner.dimensions;
  }
  async embed(texts: readonly string[]): Promise<number[][]> {
    const missing = texts.filter((t) => !this.cache.has(t));
    if (missing.length > 0) (await this.inner.embed(missing)).forEach((v, i) => this.cache.set(missing[i]!, v));
    return texts.map((t) => this.cache.get(t)!);
  }
}

/**
 * The other way to fuse: full-text alone decides whether a tier has anything (its floor), the
 * embeddings only re-rank and add passages within a tier full-text found relevant.
 */
class RerankOnlySearch implements PassageSearch {
  constructor(
    private readonly fullText: PassageSearch,
    private readonly vectors: VectorSearch,
    private readonly embedder: Embedder,
    private readonly minSimilarity: number,
    private readonly merge: Merge,
  ) {}
  async search(query: string, scope: Parameters<SearchPlan['search']>[0], limit: number) {
    return (await this.plan(query)).search(scope, limit);
  }
  async plan(query: string): Promise<SearchPlan> {
    const [text, [vector]] = await Promise.all([this.fullText.plan(query), this.embedder.embed([query])]);
    return {
      search: async (scope, limit) => {
        const byText = await text.search(scope, limit);
        if (byText.length === 0 || !vector) return byText;
        const byVector = (await this.vectors.nearest(vector, scope, limit)).filter((h) => h.similarity >= this.minSimilarity);
        if (this.merge === 'rrf') return fuse(byText, byVector, limit);
        if (this.merge === 'append') {
          const seen = new Set(byText.map((h) => h.passage_id));
          return [...byText, ...byVector.filter((h) => !seen.has(h.passage_id)).map((h) => ({ ...h, score: 0 }))].slice(0, limit);
        }
        return weightedFuse(byText, byVector, limit, 0.5);
      },
    };
  }
}

function weightedFuse(byText: readonly PassageHit[], byVector: readonly VectorHit[], limit: number, vectorWeight: number): PassageHit[] {
  const score = new Map<string, { hit: PassageHit; rrf: number }>();
  const add = (hit: PassageHit, rank: number, weight: number) => {
    const e = score.get(hit.passage_id) ?? { hit, rrf: 0 };
    e.rrf += weight / (RRF_K + rank + 1);
    score.set(hit.passage_id, e);
  };
  byText.forEach((h, i) => add(h, i, 1));
  byVector.forEach((h, i) => add({ ...h, score: 0 }, i, vectorWeight));
  return [...score.values()].sort((a, b) => b.rrf - a.rrf || (a.hit.passage_id < b.hit.passage_id ? -1 : 1)).slice(0, limit).map((e) => e.hit);
}

function line(label: string, results: readonly QuestionResult[]): string {
  const m = computeMetrics(results);
  return `${label.padEnd(34)} n=${String(m.questions).padStart(3)}  r@1 ${f(m.recall1)}  r@3 ${f(m.recall3)}  r@6 ${f(m.recall6)}  MRR ${f(m.mrr)}  tier ${f(m.tierAccuracy)}`;
}

function report(set: string, label: string, results: readonly QuestionResult[]): void {
  process.stdout.write(`${line(`${set} ${label}`, results)}\n`);
  if (set !== 'blind' || values['skip-kinds']) return;
  const kindOf = (r: QuestionResult) => (r.question.note ?? '').split(';')[0]!.replace('kind: ', '');
  const kinds = [...new Set(results.map(kindOf))].sort();
  for (const k of kinds) process.stdout.write(`  ${line(k, results.filter((r) => kindOf(r) === k))}\n`);
}

const rssStart = rss();
const db = await PgliteDb.open(undefined, { vector: true });
await migrate(db);
await new PgKbStore(db).importDocument(await readDemoDocument());
const builtin = new BuiltinEmbedder();
await ensureVectorSchema(db, { model: builtin.model, dimensions: builtin.dimensions });
let t = performance.now();
const demoEmbedded = await new EmbeddingIndexer({ db, embedder: builtin, log }).run();
process.stdout.write(`demo KB: ${demoEmbedded} passages embedded in ${((performance.now() - t) / 1000).toFixed(1)} s (includes the model load); RSS ${rss()} MB\n`);

const embedder = new CachedEmbedder(builtin);
const fullText = new FullTextSearch(db);
const sets = { demo: await readEvalSet('eval/demo-questions.json'), blind: await readEvalSet('eval/blind-questions.json') };
for (const [set, questions] of Object.entries(sets)) {
  report(set, 'full-text', await evaluate(db, questions, fullText));
  for (const minSimilarity of sims) {
    const hybrid = new HybridSearch({ fullText, vectors: new VectorSearch(db), embedder, minSimilarity, embedTimeoutMs: 60_000, log });
    report(set, `hybrid min-sim ${minSimilarity}`, await evaluate(db, questions, hybrid));
  }
  for (const merge of merges) {
    for (const minSimilarity of rerankSims) {
      const search = new RerankOnlySearch(fullText, new VectorSearch(db), embedder, minSimilarity, merge);
      report(set, `rerank-only ${merge} min-sim ${minSimilarity}`, await evaluate(db, questions, search));
    }
  }
}

if (values['skip-costs']) {
  await db.close();
  process.exit(0);
}
// Costs: 1,000 synthetic passages through the indexer (what an import would add), then one
// question at a time as the chat embeds it.
await new PgKbStore(db).importDocument(validateDocument(syntheticDocument({ passages: 1000, prefix: 'exp' }), await new PgKbStore(db).creatorSlugs()));
t = performance.now();
const stored = await new EmbeddingIndexer({ db, embedder: builtin, log }).run();
const importMs = performance.now() - t;
const questions = [...sets.demo, ...sets.blind].map((q) => q.query);
const times: number[] = [];
for (const q of questions) {
  const s = performance.now();
  await builtin.embed([q]);
  times.push(performance.now() - s);
}
times.sort((a, b) => a - b);
const p = (x: number) => times[Math.min(times.length - 1, Math.floor(x * times.length))]!.toFixed(1);
process.stdout.write(`import: ${stored} synthetic passages embedded in ${(importMs / 1000).toFixed(1)} s (${(importMs / stored).toFixed(1)} ms/passage)\n`);
process.stdout.write(`question embedding (${times.length} questions, one at a time): p50 ${p(0.5)} ms, p90 ${p(0.9)} ms, max ${p(1)} ms\n`);
process.stdout.write(`RSS: ${rssStart} MB at start, ${rss()} MB at the end (PGlite + model)\n`);
await db.close();
