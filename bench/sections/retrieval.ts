import path from 'node:path';
import { configFrom } from '../../src/config.js';
import { importDocument } from '../../src/kb/import-document.js';
import { FullTextSearch } from '../../src/retrieval/full-text-search.js';
import type { SearchScope } from '../../src/retrieval/passage-search.js';
import type { Db } from '../../src/store/db.js';
import { migrate } from '../../src/store/migrate.js';
import { PgKbStore } from '../../src/store/pg/pg-kb-store.js';
import { PgliteDb } from '../../src/store/pg/pglite-db.js';
import { PostgresDb } from '../../src/store/pg/postgres-db.js';
import type { BackendName, BenchContext } from '../lib/context.js';
import { fmt, table, verdict } from '../lib/markdown.js';
import { medianRound, quantile } from '../lib/stats.js';
import { syntheticDocument, syntheticQuestions } from '../lib/synthetic-kb.js';
import type { Section, SectionResult, TargetCheck } from './section.js';

const TARGETS: Record<BackendName, number> = { postgres: 15, pglite: 50 };
const TARGET_SIZE = 100_000;

interface Measured {
  scope: 'whole knowledge base' | 'one creator';
  p50: number;
  p99: number;
  empty: number;
}

async function openDb(ctx: BenchContext, backend: BackendName): Promise<Db> {
  // Embedded mode keeps PGlite on disk, as `chrysopedia serve` does without DATABASE_URL.
  const db = backend === 'pglite' ? await PgliteDb.open(path.join(await ctx.tempDir('bench-retrieval-'), 'pglite')) : new PostgresDb({ connectionString: (await ctx.throwawayDatabase()).url });
  await migrate(db);
  return db;
}

async function measure(search: FullTextSearch, questions: string[], scopes: (i: number) => SearchScope, rounds: number, topK: number) {
  const all: { p50: number; p99: number; empty: number }[] = [];
  for (let r = 0; r < rounds; r++) {
    const samples: number[] = [];
    let empty = 0;
    for (const [i, q] of questions.entries()) {
      const t = performance.now();
      const hits = await search.search(q, scopes(i), topK);
      samples.push(performance.now() - t);
      if (hits.length === 0) empty++;
    }
    all.push({ p50: quantile(samples, 0.5), p99: quantile(samples, 0.99), empty });
  }
  return medianRound(all, (x) => x.p50);
}

/**
 * Retrieval alone (FullTextSearch, the SQL chat uses for every cascade tier) over synthetic
 * knowledge bases imported through the real importDocument, on fresh databases: the time of one
 * search, questions one after another.
 */
export const retrievalSection: Section = {
  title: 'Retrieval',
  async run(ctx): Promise<SectionResult> {
    const p = ctx.profile.retrieval;
    const topK = configFrom().CHAT_TOP_K;
    const questions = syntheticQuestions(p.questions);
    const figures: Record<string, number> = {};
    const rows: (string | number)[][] = [];
    const targets: TargetCheck[] = [];
    for (const backend of ctx.backends) {
      const db = await openDb(ctx, backend.name);
      try {
        const kb = new PgKbStore(db);
        let size = 0;
        for (const [step, target] of p.sizes.entries()) {
          // Each step adds creators, videos and passages of its own to what is there.
          const doc = syntheticDocument({ passages: target - size, seed: step + 1, prefix: `syn${step}` });
          const t = performance.now();
          await importDocument(kb, doc);
          const importSeconds = (performance.now() - t) / 1000;
          size = target;
          // What autovacuum does on a server soon after a large import (an insert-driven vacuum since
          // PostgreSQL 13, then ANALYZE): planner statistics, and the new rows' visibility settled,
          // so that the figures are those of a knowledge base in use, not of its first minute.
          await db.exec('VACUUM ANALYZE');
          const creators = (await kb.listCreators()).map((c) => c.slug);
          const search = new FullTextSearch(db);
          const scopes: [Measured['scope'], (i: number) => SearchScope][] = [
            ['whole knowledge base', () => ({})],
            ['one creator', (i) => ({ creator: creators[(i * 7) % creators.length]! })],
          ];
          for (const [scope, scopeOf] of scopes) {
            const m = await measure(search, questions, scopeOf, p.rounds, topK);
            ctx.log(`retrieval, ${backend.label}, ${size} passages, ${scope}: p50 ${fmt(m.p50)} ms, p99 ${fmt(m.p99)} ms`);
            rows.push([backend.label, size, scope, fmt(m.p50), fmt(m.p99), `${m.empty}/${questions.length}`, scope === 'whole knowledge base' ? `${fmt(importSeconds, 1)} s (${Math.round((target - (p.sizes[step - 1] ?? 0)) / importSeconds)}/s)` : '']);
            const key = `${backend.name}.${size}.${scope === 'one creator' ? 'creator' : 'global'}`;
            figures[`${key}.p50_ms`] = m.p50;
            figures[`${key}.p99_ms`] = m.p99;
            if (size === TARGET_SIZE && scope === 'whole knowledge base') {
              targets.push({ target: `retrieval p50 ≤ ${TARGETS[backend.name]} ms at ${TARGET_SIZE / 1000}k passages, ${backend.label}`, measured: `${fmt(m.p50)} ms`, met: m.p50 <= TARGETS[backend.name] });
            }
          }
        }
      } finally {
        await db.close();
      }
    }
    const markdown = [
      `${questions.length} synthetic questions ("how do I use sidechain compression on a clap?", "my vocal sounds muddy, how do I tame it",`,
      'a few that match nothing), one after another, top', `${topK} (CHAT_TOP_K), ${p.rounds} round(s), the median round shown. The knowledge`,
      'bases are generated by `bench/lib/synthetic-kb.ts` from word lists (about 20 passages a video, 50 videos a creator; a passage',
      'is about one technique with asides, words drawn with a Zipf-like skew so that "kick", "compression" or "attack" are common and',
      'most words are not) and imported through the real `importDocument` into a fresh database (PGlite on disk as in embedded mode;',
      'a throwaway PostgreSQL database, dropped after), then `VACUUM ANALYZE`d, as autovacuum does after a large import. The larger size adds to the smaller one. *Import* is the time',
      'of that step through `importDocument`, including the term statistics the ranking needs.',
      '',
      table(['database', 'passages', 'scope', 'p50 ms', 'p99 ms', 'no result', 'import'], rows, [false, true, false, true, true, true, true]),
      '',
      ...targets.map((t) => `- ${t.target}: ${t.measured} — ${verdict(t.met)}`),
    ].join('\n');
    return { markdown, figures, targets };
  },
};
