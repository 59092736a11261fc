import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluate, readEvalSet } from '../../src/cli/eval.js';
import { readDemoDocument } from '../../src/kb/demo-kb.js';
import { CLOSE_SHAPES, FEW_SHAPES, searchStatement, shapedConcepts, type SqlConcept } from '../../src/retrieval/search-sql.js';
import { MAX_SHAPED, MAX_SHAPED_POSTGRES, type Db } from '../../src/store/db.js';
import { PostgresDb } from '../../src/store/pg/postgres-db.js';
import { migrate } from '../../src/store/migrate.js';
import { PgKbStore } from '../../src/store/pg/pg-kb-store.js';
import { dbFactories, freshPostgresUrl, pgliteFactory, postgresAvailable } from '../helpers/databases.js';

// Words of the demo knowledge base, and one a passage never holds.
const WORDS = ['sidechain', 'kick', 'bass', 'reverb', 'pad', 'vocal', 'compress', 'release', 'attack', 'chord', 'sampl', 'groov', 'zzyzx'];

const alternative = fc.record({ word: fc.constantFrom(...WORDS), credit: fc.constantFrom(1, 0.8, 0.72) });
const concept = fc.record({ weight: fc.double({ min: 0.5, max: 5, noNaN: true }), alternatives: fc.array(alternative, { minLength: 1, maxLength: 5 }) });

const toSql = (cs: { weight: number; alternatives: { word: string; credit: number }[] }[]): SqlConcept[] =>
  cs.map((c) => ({
    weight: c.weight,
    alternatives: [...c.alternatives]
      .sort((a, b) => b.credit - a.credit)
      .map((a) => ({ credit: a.credit, query: `'${a.word}'`, inTechnique: `'${a.word}':A`, inTitle: `'${a.word}':B` })),
  }));

describe.each(dbFactories)('search statements in a few shapes, $name', (factory) => {
  let db: Db;
  beforeAll(async () => {
    db = await factory.open();
    await new PgKbStore(db).importDocument(await readDemoDocument());
  });
  afterAll(async () => db.close());

  it('a question padded to its shape gets the same passages, scores and concepts held', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(concept, { minLength: 1, maxLength: 9 }), fc.constantFrom(null, 'mira-vox'), fc.constantFrom(CLOSE_SHAPES, FEW_SHAPES), async (cs, creator, steps) => {
        const concepts = toSql(cs);
        const words = [...new Set(cs.flatMap((c) => c.alternatives.map((a) => `'${a.word}'`)))].join(' | ');
        const run = async (given: SqlConcept[]) => {
          const { sql, params } = searchStatement({ concepts: given, any: words, reachable: words, candidatesBy: 'tsv', creator, genres: null, limit: 12, exact: 6, minCoverage: 0 });
          const rows = await db.query<{ passage_id: string; score: number; base: number; held: number[] }>(sql, params);
          return rows.map((r) => ({ id: r.passage_id, score: r.score, base: r.base, held: r.held.slice(0, concepts.length) }));
        };
        const padded = shapedConcepts(concepts, steps);
        expect(padded.length).toBeGreaterThanOrEqual(concepts.length);
        expect(await run(padded)).toEqual(await run(concepts));
      }),
      { numRuns: 40 },
    );
  });
});

// One connection: what it has prepared is what pg_prepared_statements shows.
async function openPostgres(): Promise<Db> {
  const db = new PostgresDb({ connectionString: await freshPostgresUrl(), max: 1 });
  await migrate(db);
  return db;
}

const keptParsed = [
  { name: 'pglite', cap: MAX_SHAPED, open: () => pgliteFactory.open() },
  ...(postgresAvailable ? [{ name: 'postgres', cap: MAX_SHAPED_POSTGRES, open: openPostgres }] : []),
];

describe.each(keptParsed)('search statements kept parsed on $name', ({ cap, open }) => {
  let db: Db;
  beforeAll(async () => {
    db = await open();
    await new PgKbStore(db).importDocument(await readDemoDocument());
  });
  afterAll(async () => db.close());

  it(
    `the eval sets' searches come in few texts, at most ${cap} kept parsed, and those planned once warm`,
    async () => {
      // Twice: a shape is planned for its first five runs, then its plan is kept.
      for (let round = 0; round < 2; round++) {
        for (const set of ['demo', 'dev', 'blind']) await evaluate(db, await readEvalSet(`eval/${set}-questions.json`));
      }
      const [row] = await db.query<{ texts: number; generic: number; custom: number }>(
        `SELECT count(*)::int AS texts, sum(generic_plans)::int AS generic, sum(custom_plans)::int AS custom
         FROM pg_prepared_statements WHERE name LIKE 'chrysopedia_shape_%'`,
      );
      expect(row!.texts).toBeGreaterThan(10);
      expect(row!.texts).toBeLessThanOrEqual(cap);
      expect(row!.generic).toBeGreaterThan(2 * row!.custom);
    },
    // Some 1,400 searches: about 15 s on an idle two-core machine, and twice that when it is busy.
    120_000,
  );
});
