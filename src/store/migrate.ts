import type { Db } from './db.js';
import { migrations as all, type Migration } from './migrations/index.js';

// Any fixed number: replicas starting together take turns on this lock instead of racing.
const MIGRATION_LOCK = 726_354_001;

/** Applies the migrations not yet recorded in schema_migrations; returns the names applied. */
export async function migrate(db: Db, migrations: readonly Migration[] = all): Promise<string[]> {
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await tx.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const done = new Set((await tx.query<{ name: string }>('SELECT name FROM schema_migrations')).map((r) => r.name));
    const applied: string[] = [];
    for (const m of migrations) {
      if (done.has(m.name)) continue;
      await tx.exec(m.sql);
      await tx.query('INSERT INTO schema_migrations (name) VALUES ($1)', [m.name]);
      applied.push(m.name);
    }
    return applied;
  });
}
