import pg from 'pg';
import { StorageUnavailableError } from '../../errors.js';
import { MAX_PREPARED, MAX_SHAPED_POSTGRES, type Db, type Queryable, type QueryOptions } from '../db.js';

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
  /** Pooled connections (DATABASE_POOL_SIZE). */
  max?: number;
  /** How long a new connection may take before the database counts as unreachable (503). */
  connectTimeoutMs?: number;
  /** How long a statement may wait for a pooled connection that is busy: a wait is load, not an outage. */
  poolWaitMs?: number;
  /** How many shaped texts to keep parsed on each connection (default MAX_SHAPED_POSTGRES; 0: none). */
  maxShaped?: number;
}

/** Pooled connections by default (DATABASE_POOL_SIZE). */
export const DEFAULT_POOL_SIZE = 10;

/** How long a statement waits for a busy pool's next free connection before the request is refused (503). */
const POOL_WAIT_MS = 5000;

/** A shaped text is named on its third run: a shape seen once or twice does not take a place. */
const SHAPED_RUNS_BEFORE_NAMED = 2;

/** PostgreSQL through a pg Pool; connection failures surface as StorageUnavailableError (503). */
export class PostgresDb implements Db {
  readonly kind = 'postgres' as const;
  private readonly pool: pg.Pool;
  /** Statement names by text, the same on every connection (pg prepares each on first use). */
  private readonly names = new Map<string, string>();
  /** The same for shaped texts (search statements), and how often each not yet named has run. */
  private readonly shapedNames = new Map<string, string>();
  private readonly shapedRuns = new Map<string, number>();
  private readonly maxShaped: number;
  readonly keepsShapes: boolean;

  constructor(options: PostgresOptions) {
    const connectTimeoutMs = options.connectTimeoutMs ?? 1000;
    // The pool's timeout bounds a wait in its queue as well as a connection being made: a burst
    // of chats queueing for a second on a busy machine would be answered 503, as if the database
    // were down. Each connection is bounded by its own, shorter timeout, so an unreachable
    // database still fails within a second.
    class Client extends pg.Client {
      constructor(config?: pg.ClientConfig) {
        super({ ...config, connectionTimeoutMillis: connectTimeoutMs });
      }
    }
    this.pool = new pg.Pool({
      connectionString: options.connectionString,
      max: options.max ?? DEFAULT_POOL_SIZE,
      Client,
      connectionTimeoutMillis: Math.max(options.poolWaitMs ?? POOL_WAIT_MS, connectTimeoutMs),
      idleTimeoutMillis: 30_000,
    });
    this.maxShaped = options.maxShaped ?? MAX_SHAPED_POSTGRES;
    this.keepsShapes = this.maxShaped > 0;
    // An idle client losing its connection must not crash the process.
    this.pool.on('error', () => undefined);
  }

  query<T extends object>(sql: string, params: readonly unknown[] = [], options?: QueryOptions): Promise<T[]> {
    return guarded(async () => (await this.pool.query(this.config(sql, params, options))).rows as T[]);
  }

  private config(text: string, params: readonly unknown[], options?: QueryOptions): pg.QueryConfig {
    if (options?.shaped && !options.prepare) {
      const name = this.shapedName(text);
      return { text, values: params as unknown[], ...(name ? { name } : {}) };
    }
    let name = options?.prepare ? this.names.get(text) : undefined;
    if (options?.prepare && name === undefined && this.names.size < MAX_PREPARED) {
      name = `chrysopedia_${this.names.size + 1}`;
      this.names.set(text, name);
    }
    return { text, values: params as unknown[], ...(name ? { name } : {}) };
  }

  /**
   * A shaped text's name once it has run SHAPED_RUNS_BEFORE_NAMED times, while fewer than
   * `maxShaped` are named: the shapes questions come in most get the places. Each named shape holds
   * about 0.85 MB on every connection that runs it (its parse tree and plans; decision 0019).
   */
  private shapedName(text: string): string | undefined {
    const known = this.shapedNames.get(text);
    if (known !== undefined || this.shapedNames.size >= this.maxShaped) return known;
    const runs = this.shapedRuns.get(text) ?? 0;
    if (runs >= SHAPED_RUNS_BEFORE_NAMED) {
      const name = `chrysopedia_shape_${this.shapedNames.size + 1}`;
      this.shapedNames.set(text, name);
      this.shapedRuns.delete(text);
      return name;
    }
    // Counting is bounded too: past a few times the places, new texts are not counted.
    if (runs > 0 || this.shapedRuns.size < 8 * this.maxShaped) this.shapedRuns.set(text, runs + 1);
    return undefined;
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
