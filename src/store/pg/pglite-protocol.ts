/** What the main thread asks of the PGlite worker (pglite-worker.ts), one message each. */
export type PgliteRequest =
  | { id: number; op: 'query'; sql: string; params: unknown[]; prepare: 'fixed' | 'shaped' | null; tx: number | null }
  | { id: number; op: 'exec'; sql: string; tx: number | null }
  | { id: number; op: 'begin' }
  | { id: number; op: 'end'; tx: number; commit: boolean }
  | { id: number; op: 'close' };

/** A database error as it crosses threads: its message and its fields (code, detail, constraint…). */
export interface ClonedError {
  name: string;
  message: string;
  fields: Record<string, string | number | boolean | null>;
}

export type PgliteReply = { id: number; result: unknown } | { id: number; error: ClonedError };

/** PGlite adds the statement's text and parameters to its errors: they stay in the worker. */
const KEPT_BACK = new Set(['query', 'params', 'queryOptions', 'stack']);

export function cloneError(err: unknown): ClonedError {
  if (!(err instanceof Error)) return { name: 'Error', message: String(err), fields: {} };
  const fields: ClonedError['fields'] = {};
  for (const [key, value] of Object.entries(err)) {
    if (KEPT_BACK.has(key)) continue;
    if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) fields[key] = value as string | number | boolean | null;
  }
  return { name: err.name, message: err.message, fields };
}

export function restoreError(cloned: ClonedError): Error {
  const err = Object.assign(new Error(cloned.message), cloned.fields);
  err.name = cloned.name;
  return err;
}
