export interface QueryOptions {
  /**
   * A statement every chat runs: PostgreSQL keeps it parsed on each connection (a named statement)
   * instead of parsing it again each time. PGlite's API has no named statements: it ignores this.
   */
  prepare?: boolean;
}

/** What every SQL driver offers: PGlite (embedded) and PostgreSQL run the same SQL through it. */
export interface Queryable {
  query<T extends object = Record<string, unknown>>(sql: string, params?: readonly unknown[], options?: QueryOptions): Promise<T[]>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

export interface Db extends Queryable {
  readonly kind: 'pglite' | 'postgres';
  /** Runs fn in one transaction; a throw rolls everything back. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Resolves when the database answers a trivial query. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
