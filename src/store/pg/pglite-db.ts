import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { vector } from '@electric-sql/pglite-pgvector';
import { MAX_PREPARED, type Db, type Queryable, type QueryOptions } from '../db.js';
import { PglitePrepared } from './pglite-prepared.js';

/** Embedded Postgres (WASM). One connection: PGlite queues concurrent queries itself. */
export class PgliteDb implements Db {
  readonly kind = 'pglite' as const;
  private readonly prepared: PglitePrepared;
  private constructor(private readonly pg: PGlite) {
    this.prepared = new PglitePrepared(pg, MAX_PREPARED);
  }

  /** dataDir undefined → in memory (tests). `vector`: load pgvector (only vector search needs it). */
  static async open(dataDir?: string, options: { vector?: boolean } = {}): Promise<PgliteDb> {
    if (dataDir) await mkdir(dataDir, { recursive: true });
    const pg = await PGlite.create({ dataDir, extensions: options.vector ? { pg_trgm, vector } : { pg_trgm } });
    return new PgliteDb(pg);
  }

  async query<T extends object>(sql: string, params: readonly unknown[] = [], options?: QueryOptions): Promise<T[]> {
    const name = options?.prepare ? this.prepared.nameFor(sql) : undefined;
    if (name !== undefined) return this.prepared.run<T>(sql, name, params, { inTransaction: false });
    const res = await this.pg.query<T>(sql, params as unknown[]);
    return res.rows;
  }

  async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.pg.transaction(async (tx) =>
      fn({
        query: async <R extends object>(sql: string, params: readonly unknown[] = [], options?: QueryOptions) => {
          const name = options?.prepare ? this.prepared.nameFor(sql) : undefined;
          if (name !== undefined) return this.prepared.run<R>(sql, name, params, { inTransaction: true });
          return (await tx.query<R>(sql, params as unknown[])).rows;
        },
        exec: async (sql: string) => {
          await tx.exec(sql);
        },
      }),
    );
  }

  async exec(sql: string): Promise<void> {
    await this.pg.exec(sql);
  }

  async ping(): Promise<void> {
    await this.pg.query('SELECT 1');
  }

  async close(): Promise<void> {
    if (!this.pg.closed) await this.pg.close();
  }
}
