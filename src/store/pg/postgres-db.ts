import pg from 'pg';
import { StorageUnavailableError } from '../../errors.js';
import { MAX_PREPARED, type Db, type Queryable, type QueryOptions } from '../db.js';

// SQLSTATE classes that mean "the database is not there right now", not "your SQL is wrong".
const unavailableStates = /^(08|53|57P0[1-3])/;
const unavailableErrnos = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH', 'EPIPE', 'EAI_AGAIN']);

function isUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && (unavailableStates.test(code) || unavailableErrnos.has(code))) return true;
  return /timeout|Connection terminated|connect ECONN|Client has encountered a connection error/i.test(err.message);
}

async function guarded<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (isUnavailable(err)) throw new StorageUnavailableError();
    throw err;
  }
}

export interface PostgresOptions {
  connectionString: string;
  max?: number;
  connectTimeoutMs?: number;
}

/** PostgreSQL through a pg Pool; connection failures surface as StorageUnavailableError (503). */
export class PostgresDb implements Db {
  readonly kind = 'postgres' as const;
  private readonly pool: pg.Pool;
  /** Statement names by text, the same on every connection (pg prepares each on first use). */
  private readonly names = new Map<string, string>();

  constructor(options: PostgresOptions) {
    this.pool = new pg.Pool({
      connectionString: options.connectionString,
      max: options.max ?? 10,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 1000,
      idleTimeoutMillis: 30_000,
    });
    // An idle client losing its connection must not crash the process.
    this.pool.on('error', () => undefined);
  }

  query<T extends object>(sql: string, params: readonly unknown[] = [], options?: QueryOptions): Promise<T[]> {
    return guarded(async () => (await this.pool.query(this.config(sql, params, options))).rows as T[]);
  }

  private config(text: string, params: readonly unknown[], options?: QueryOptions): pg.QueryConfig {
    let name = options?.prepare ? this.names.get(text) : undefined;
    if (options?.prepare && name === undefined && this.names.size < MAX_PREPARED) {
      name = `chrysopedia_${this.names.size + 1}`;
      this.names.set(text, name);
    }
    return { text, values: params as unknown[], ...(name ? { name } : {}) };
  }

  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    return guarded(async () => {
      const client = await this.pool.connect();
      try {
        await client.query('BEGIN');
        const result = await fn({
          query: async <R extends object>(sql: string, params: readonly unknown[] = [], options?: QueryOptions) =>
            (await client.query(this.config(sql, params, options))).rows as R[],
          exec: async (sql: string) => {
            await client.query(sql);
          },
        });
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    });
  }

  exec(sql: string): Promise<void> {
    return guarded(async () => {
      await this.pool.query(sql);
    });
  }

  async ping(): Promise<void> {
    await this.query('SELECT 1');
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
