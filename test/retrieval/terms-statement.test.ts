import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDemoDocument } from '../../src/kb/demo-kb.js';
import { FullTextSearch } from '../../src/retrieval/full-text-search.js';
import { TERMS_SQL } from '../../src/retrieval/terms-sql.js';
import type { Db } from '../../src/store/db.js';
import { migrate } from '../../src/store/migrate.js';
import { PgKbStore } from '../../src/store/pg/pg-kb-store.js';
import { PgliteDb } from '../../src/store/pg/pglite-db.js';
import { PostgresDb } from '../../src/store/pg/postgres-db.js';
import { freshPostgresUrl, postgresAvailable } from '../helpers/databases.js';

// One connection each, so that pg_prepared_statements shows the chats' statement.
const factories: { name: string; open: () => Promise<Db> }[] = [
  { name: 'pglite', open: () => PgliteDb.open() },
  ...(postgresAvailable ? [{ name: 'postgres', open: async () => new PostgresDb({ connectionString: await freshPostgresUrl(), max: 1 }) }] : []),
];

// Questions of every shape the statement takes: typos, compounds, hyphens, short and long.
const QUESTIONS = [
  'how do I set the sidechain release at 128 bpm',
  'side chain compression on a kick',
  'my reverrb is too washy',
  'How should I detune a reese bass?',
  'sidechian',
  'vowel-ish talking neuro bass, mine never moves',
  'what is LUFS',
  'How do I chop string stabs from a disco record and make the loop groove like the old house records did?',
];

describe.each(factories)('the question-terms statement on $name', (factory) => {
  let db: Db;
  beforeAll(async () => {
    db = await factory.open();
    await migrate(db);
    await new PgKbStore(db).importDocument(await readDemoDocument());
  });
  afterAll(async () => db.close());

  it('is planned once, not again for every question (its generic plan is kept whatever the question)', async () => {
    const search = new FullTextSearch(db);
    for (let round = 0; round < 2; round++) for (const q of QUESTIONS) await search.plan(q);
    const [row] = await db.query<{ generic: number; custom: number }>(
      'SELECT generic_plans::int AS generic, custom_plans::int AS custom FROM pg_prepared_statements WHERE statement = $1',
      [TERMS_SQL],
    );
    // PostgreSQL tries five custom plans, then keeps the generic one when it costs no more.
    expect(row).toEqual({ generic: 2 * QUESTIONS.length - 5, custom: 5 });
  });
});
