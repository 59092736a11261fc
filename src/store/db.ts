export interface QueryOptions {
  /**
   * A statement every chat runs: the database keeps it parsed (a named statement, on each
   * connection of PostgreSQL's pool, once in PGlite) instead of parsing it again each time.
   */
  prepare?: boolean;
  /**
   * A statement whose text comes in a bounded number of shapes (search-sql.ts's shapedConcepts):
   * kept parsed, so that each shape keeps a generic plan: PGlite up to MAX_SHAPED texts;
   * PostgreSQL, whose pool holds them on every connection, the first MAX_SHAPED_POSTGRES (or
   * DATABASE_SEARCH_SHAPES) to run three times.
   */
  shaped?: boolean;
}

/**
 * A guard: at most this many texts become named statements. Each holds a few hundred KB (its parse
 * tree and plans) on every connection, so only fixed texts are meant to be prepared.
 */
export const MAX_PREPARED = 32;

/** How many texts of shaped statements PGlite keeps parsed (the eval sets' searches come in 78). */
export const MAX_SHAPED = 96;

/**
 * How many shaped texts PostgreSQL keeps parsed, on each connection of the pool: at about 0.85 MB
 * each, at most some 20 MB a connection. The eval sets' searches come in 27 shapes there
 * (search-sql.ts's FEW_SHAPES; decision 0019).
 */
export const MAX_SHAPED_POSTGRES = 24;

/** What every SQL driver offers: PGlite (embedded) and PostgreSQL run the same SQL through it. */
export interface Queryable {
  query<T extends object = Record<string, unknown>>(sql: string, params?: readonly unknown[], options?: QueryOptions): Promise<T[]>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

export interface Db extends Queryable {
  readonly kind: 'pglite' | 'postgres';
  /**
   * Whether `{ shaped: true }` statements are kept parsed at all: a search pads its concepts to a
   * shape only then (padding an unnamed statement only costs).
   */
  readonly keepsShapes: boolean;
  /** Runs fn in one transaction; a throw rolls everything back. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Resolves when the database answers a trivial query. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
