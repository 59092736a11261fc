import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll } from 'vitest';
import type { Db } from '../../src/store/db.js';
import { migrate } from '../../src/store/migrate.js';
import { PgliteDb } from '../../src/store/pg/pglite-db.js';
import { PostgresDb } from '../../src/store/pg/postgres-db.js';

/** Where the test PostgreSQL lives; every test file gets a database of its own there. */
export const PG_ADMIN_URL = process.env.TEST_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';
export const REQUIRE_SERVICES = process.env.REQUIRE_SERVICES === '1';

async function postgresReachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 1000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export const postgresAvailable = await postgresReachable();
if (!postgresAvailable) {
  if (REQUIRE_SERVICES) throw new Error(`REQUIRE_SERVICES=1 but PostgreSQL is not reachable at ${PG_ADMIN_URL}`);
  console.warn(`[skip] PostgreSQL suites skipped: nothing answers at ${PG_ADMIN_URL} (set REQUIRE_SERVICES=1 to fail instead)`);
}

const created: string[] = [];
afterAll(async () => {
  if (created.length === 0) return;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  for (const name of created.splice(0)) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
});

/** A fresh, empty PostgreSQL database; dropped when the test file ends. */
export async function freshPostgresUrl(): Promise<string> {
  const name = `chrysopedia_t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  created.push(name);
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

export interface DbFactory {
  name: 'pglite' | 'postgres';
  /** A new migrated database, empty of data. */
  open(): Promise<Db>;
}

export const pgliteFactory: DbFactory = {
  name: 'pglite',
  open: async () => {
    const db = await PgliteDb.open();
    await migrate(db);
    return db;
  },
};

export const postgresFactory: DbFactory = {
  name: 'postgres',
  open: async () => {
    const db = new PostgresDb({ connectionString: await freshPostgresUrl() });
    await migrate(db);
    return db;
  },
};

/** Every implementation a contract suite runs against (PostgreSQL only where it answers). */
export const dbFactories: DbFactory[] = postgresAvailable ? [pgliteFactory, postgresFactory] : [pgliteFactory];
