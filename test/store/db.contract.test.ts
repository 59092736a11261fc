import { createServer, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StorageUnavailableError } from '../../src/errors.js';
import { MAX_PREPARED, type Db } from '../../src/store/db.js';
import { PgliteDb } from '../../src/store/pg/pglite-db.js';
import { PostgresDb } from '../../src/store/pg/postgres-db.js';
import { freshPostgresUrl, postgresAvailable } from '../helpers/databases.js';

// One connection each: what it has prepared is what pg_prepared_statements shows.
const factories: { name: string; open: () => Promise<Db> }[] = [
  { name: 'pglite', open: () => PgliteDb.open() },
  ...(postgresAvailable ? [{ name: 'postgres', open: async () => new PostgresDb({ connectionString: await freshPostgresUrl(), max: 1 }) }] : []),
];

describe.each(factories)('Db statements on $name', (factory) => {
  let db: Db;
  beforeAll(async () => {
    db = await factory.open();
    await db.exec('CREATE TABLE t (x int PRIMARY KEY)');
  });
  afterAll(async () => db.close());

  const prepared = async () => (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_prepared_statements'))[0]!.n;
  const rows = async () => (await db.query<{ x: number }>('SELECT x FROM t ORDER BY x')).map((r) => r.x);

  it('a statement to prepare is parsed once and gives the same rows each time', async () => {
    const before = await prepared();
    for (let i = 0; i < 3; i++) {
      expect(await db.query('SELECT $1::int + 1 AS n', [i], { prepare: true })).toEqual([{ n: i + 1 }]);
    }
    expect(await prepared()).toBe(before + 1);
    await db.query('SELECT $1::int + 2 AS n', [1]);
    expect(await prepared()).toBe(before + 1);
  });

  it('takes every kind of value a chat passes, and gives back the same values as an unprepared statement', async () => {
    const sql = 'SELECT $1::text AS t, $2::int AS i, $3::float8 AS f, $4::text[] AS a, $5::json AS j, $6::text AS n, $7::boolean AS b';
    const params = ["it's \"quoted\"", 42, 0.125, ['side', 'chain', 'a,b'], JSON.stringify([{ word: 'x', variants: 'y z' }]), null, true];
    const expected = [{ t: "it's \"quoted\"", i: 42, f: 0.125, a: ['side', 'chain', 'a,b'], j: [{ word: 'x', variants: 'y z' }], n: null, b: true }];
    expect(await db.query(sql, params, { prepare: true })).toEqual(expected);
    expect(await db.query(sql, params, { prepare: true })).toEqual(expected);
    expect(await db.query(sql, params)).toEqual(expected);
  });

  it('a failing statement rejects with the database error, and the next statements run', async () => {
    await db.query('INSERT INTO t (x) VALUES ($1)', [7], { prepare: true });
    await expect(db.query('INSERT INTO t (x) VALUES ($1)', [7], { prepare: true })).rejects.toMatchObject({ code: '23505' });
    await expect(db.query('SELECT 1 / $1::int AS n', [0], { prepare: true })).rejects.toMatchObject({ code: '22012' });
    expect(await db.query('SELECT 1 / $1::int AS n', [1], { prepare: true })).toEqual([{ n: 1 }]);
    expect(await rows()).toEqual([7]);
    await db.query('DELETE FROM t');
  });

  it('many callers at once on a new statement: each gets its own rows, and it is prepared once', async () => {
    const before = await prepared();
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => db.query<{ n: number }>('SELECT $1::int * 3 AS n', [i], { prepare: true })));
    expect(results).toEqual(Array.from({ length: 20 }, (_, i) => [{ n: i * 3 }]));
    expect(await prepared()).toBe(before + 1);
  });

  it('a prepared statement inside a transaction is rolled back with it', async () => {
    await expect(
      db.transaction(async (tx) => {
        await tx.query('INSERT INTO t (x) VALUES ($1)', [1], { prepare: true });
        throw new Error('stop');
      }),
    ).rejects.toThrow('stop');
    expect(await rows()).toEqual([]);
  });

  it('a prepared statement outside a transaction never becomes part of it', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let inserted!: () => void;
    const insertedInTx = new Promise<void>((resolve) => (inserted = resolve));
    const tx = db.transaction(async (q) => {
      await q.query('INSERT INTO t (x) VALUES ($1)', [1], { prepare: true });
      inserted();
      await gate;
      throw new Error('rolled back');
    });
    await insertedInTx;
    const outside = db.query('INSERT INTO t (x) VALUES ($1)', [2], { prepare: true });
    // Let the outside statement run (PostgreSQL) or queue (PGlite's one connection) before the rollback.
    await new Promise((resolve) => setTimeout(resolve, 50));
    release();
    await expect(tx).rejects.toThrow('rolled back');
    await outside;
    expect(await rows()).toEqual([2]);
    await db.query('DELETE FROM t');
  });

  it(`prepares at most ${MAX_PREPARED} texts; the others run unnamed, with the same results`, async () => {
    for (let i = 0; i < MAX_PREPARED + 5; i++) {
      expect(await db.query(`SELECT $1::int * ${i} AS n`, [2], { prepare: true })).toEqual([{ n: 2 * i }]);
    }
    // pg-pool replaces a connection after an error, so earlier statements may be gone from this one.
    expect(await prepared()).toBeLessThanOrEqual(MAX_PREPARED);
    const texts = (await db.query<{ statement: string }>('SELECT statement FROM pg_prepared_statements')).map((r) => r.statement);
    expect(texts).toContain(`SELECT $1::int * ${MAX_PREPARED - 10} AS n`);
    expect(texts).not.toContain(`SELECT $1::int * ${MAX_PREPARED + 4} AS n`);
  });
});

describe.runIf(postgresAvailable)('shaped statements on PostgreSQL', () => {
  const text = (i: number) => `SELECT $1::int * ${i} AS n`;
  const run = async (db: Db, times: number, texts: number) => {
    for (let t = 0; t < times; t++) {
      for (let i = 0; i < texts; i++) expect(await db.query(text(i), [2], { shaped: true })).toEqual([{ n: 2 * i }]);
    }
  };
  const named = async (db: Db) => (await db.query<{ statement: string }>('SELECT statement FROM pg_prepared_statements')).map((r) => r.statement).sort();

  it('a shaped text is kept parsed from its third run, up to the cap; the others run unnamed, with the same rows', async () => {
    const db = new PostgresDb({ connectionString: await freshPostgresUrl(), max: 1, maxShaped: 2 });
    try {
      await run(db, 2, 4);
      expect(await named(db)).toEqual([]);
      await run(db, 2, 4);
      expect(await named(db)).toEqual([text(0), text(1)]);
    } finally {
      await db.close();
    }
  });

  it('with a cap of 0 (DATABASE_SEARCH_SHAPES=0), none is kept', async () => {
    const db = new PostgresDb({ connectionString: await freshPostgresUrl(), max: 1, maxShaped: 0 });
    try {
      await run(db, 4, 2);
      expect(await named(db)).toEqual([]);
    } finally {
      await db.close();
    }
  });
});

describe.runIf(postgresAvailable)('the PostgreSQL pool under load and when the database is gone', () => {
  it('a statement waits for a busy pool longer than a connection may take to open: a queue is load, not an outage', async () => {
    const db = new PostgresDb({ connectionString: await freshPostgresUrl(), max: 1, connectTimeoutMs: 300, poolWaitMs: 5000 });
    try {
      await db.query('SELECT 1');
      const busy = db.query('SELECT pg_sleep(1)');
      const started = performance.now();
      expect(await db.query<{ n: number }>('SELECT 2 AS n')).toEqual([{ n: 2 }]);
      expect(performance.now() - started).toBeGreaterThan(700);
      await busy;
    } finally {
      await db.close();
    }
  });

  it('a database that cannot be reached is the storage error the API maps to 503, within the connection timeout', async () => {
    const closed = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as AddressInfo;
        server.close(() => resolve(port));
      });
    });
    // A port that accepts and never answers: the connection hangs until its own timeout.
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const silentPort = (silent.address() as AddressInfo).port;
    try {
      for (const port of [closed, silentPort]) {
        const db = new PostgresDb({ connectionString: `postgresql://postgres@127.0.0.1:${port}/none`, connectTimeoutMs: 300, poolWaitMs: 5000 });
        const started = performance.now();
        await expect(db.query('SELECT 1')).rejects.toBeInstanceOf(StorageUnavailableError);
        expect(performance.now() - started).toBeLessThan(1500);
        await db.close();
      }
    } finally {
      silent.close();
    }
  });
});

describe('the embedded database (PGlite) in its worker thread', () => {
  it('keeps the event loop free while a statement runs: a timer fires before a long statement ends', async () => {
    const db = await PgliteDb.open();
    try {
      const order: string[] = [];
      const statement = db.query('SELECT pg_sleep(0.4)').then(() => order.push('statement'));
      await new Promise((resolve) => setTimeout(resolve, 20));
      order.push('timer');
      await statement;
      expect(order).toEqual(['timer', 'statement']);
    } finally {
      await db.close();
    }
  });

  it('refuses a parameter that cannot cross to the worker, and goes on serving', async () => {
    const db = await PgliteDb.open();
    try {
      await expect(db.query('SELECT $1::text AS t', [() => 'x'])).rejects.toThrow();
      expect(await db.query('SELECT $1::text AS t', ['x'])).toEqual([{ t: 'x' }]);
    } finally {
      await db.close();
    }
  });

  it('refuses statements once closed, with the storage error the API maps to 503', async () => {
    const db = await PgliteDb.open();
    await db.close();
    await expect(db.query('SELECT 1')).rejects.toMatchObject({ code: 'service_unavailable' });
    await db.close();
  });
});
