import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_PREPARED, PostgresDb } from '../../src/store/pg/postgres-db.js';
import { freshPostgresUrl, postgresAvailable } from '../helpers/databases.js';

describe.runIf(postgresAvailable)('PostgresDb statements', () => {
  let db: PostgresDb;
  beforeAll(async () => {
    // One connection: what it has prepared is what pg_prepared_statements shows.
    db = new PostgresDb({ connectionString: await freshPostgresUrl(), max: 1 });
  });
  afterAll(async () => db.close());

  const prepared = async () => (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_prepared_statements'))[0]!.n;

  it('a statement to prepare is parsed once per connection and gives the same rows each time', async () => {
    const before = await prepared();
    for (let i = 0; i < 3; i++) {
      expect(await db.query('SELECT $1::int + 1 AS n', [i], { prepare: true })).toEqual([{ n: i + 1 }]);
    }
    expect(await prepared()).toBe(before + 1);
    await db.query('SELECT $1::int + 2 AS n', [1]);
    expect(await prepared()).toBe(before + 1);
  });

  it(`prepares at most ${MAX_PREPARED} texts; the others run unnamed, with the same results`, async () => {
    for (let i = 0; i < MAX_PREPARED + 5; i++) {
      expect(await db.query(`SELECT $1::int * ${i} AS n`, [2], { prepare: true })).toEqual([{ n: 2 * i }]);
    }
    expect(await prepared()).toBe(MAX_PREPARED);
  });

  it('a prepared statement inside a transaction is rolled back with it', async () => {
    await db.exec('CREATE TABLE t (x int)');
    await expect(
      db.transaction(async (tx) => {
        await tx.query('INSERT INTO t (x) VALUES ($1)', [1], { prepare: true });
        throw new Error('stop');
      }),
    ).rejects.toThrow('stop');
    expect(await db.query('SELECT count(*)::int AS n FROM t')).toEqual([{ n: 0 }]);
  });
});
