import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDemoDocument } from '../../src/kb/demo-kb.js';
import { FullTextSearch } from '../../src/retrieval/full-text-search.js';
import type { Db, QueryOptions } from '../../src/store/db.js';
import { PgKbStore } from '../../src/store/pg/pg-kb-store.js';
import { dbFactories } from '../helpers/databases.js';

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  'Index Cond'?: string;
  Plans?: PlanNode[];
}

const nodes = (n: PlanNode): PlanNode[] => [n, ...(n.Plans ?? []).flatMap(nodes)];

/** The statements a search runs, as it runs them. */
function recording(db: Db): { db: Db; statements: { sql: string; params: readonly unknown[] }[] } {
  const statements: { sql: string; params: readonly unknown[] }[] = [];
  const wrapped: Db = Object.assign(Object.create(db) as Db, {
    query: <T extends object>(sql: string, params: readonly unknown[] = [], options?: QueryOptions) => {
      statements.push({ sql, params });
      return db.query<T>(sql, params, options);
    },
  });
  return { db: wrapped, statements };
}

// Known words, a typo (its variants are stemmed and looked up), a word no passage holds
// (trigram candidates), a compound written apart.
const QUESTIONS = ['How do I make a techno kick punchy?', 'how do I saturaton my sidechian bass', 'side chain the kik', 'zorbulating wobble'];

describe.each(dbFactories)('the knowledge base terms statement, $name', (factory) => {
  let db: Db;
  beforeAll(async () => {
    db = await factory.open();
    await new PgKbStore(db).importDocument(await readDemoDocument());
  });
  afterAll(async () => db.close());

  // pg_trgm's GIN index answers `=` too, and was planned for lookups by a run-time value at 0.8 ms
  // each against the primary key's 0.005 ms: most of a chat's database time (migration 0007).
  it('looks lexemes up by the primary key, never by the trigram index, which serves only similarity', async () => {
    const rec = recording(db);
    const search = new FullTextSearch(rec.db);
    for (const q of QUESTIONS) await search.search(q, {}, 6);
    const terms = rec.statements.filter((s) => s.sql.includes('FROM kb_terms'));
    expect(terms.length).toBeGreaterThanOrEqual(QUESTIONS.length);
    let lookups = 0;
    for (const s of terms) {
      const [row] = await db.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] | string }>(`EXPLAIN (FORMAT JSON) ${s.sql}`, s.params);
      const raw = row!['QUERY PLAN'];
      const plan = (typeof raw === 'string' ? JSON.parse(raw) : raw) as [{ Plan: PlanNode }];
      for (const n of nodes(plan[0].Plan)) {
        if (n['Index Name'] === 'kb_terms_lexeme_trgm_idx') expect(n['Index Cond']).toMatch(/%/);
        if (n['Index Name'] === 'kb_terms_pkey') lookups++;
      }
    }
    expect(lookups).toBeGreaterThan(0);
  });
});
