/**
 * The worker thread that owns the embedded database (PGlite runs each statement synchronously, in
 * WASM): PgliteDb on the main thread sends it statements (pglite-protocol.ts). It runs them as
 * PGlite's own `query` would, named ones through PglitePrepared, and keeps each open transaction
 * until the main thread ends it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { vector } from '@electric-sql/pglite-pgvector';
import { MAX_PREPARED, MAX_SHAPED } from '../db.js';
import { cloneError, type PgliteReply, type PgliteRequest } from './pglite-protocol.js';
import { PglitePrepared } from './pglite-prepared.js';

export interface PgliteWorkerData {
  dataDir: string | undefined;
  vector: boolean;
}

interface OpenTransaction {
  tx: Transaction;
  end: (commit: boolean) => void;
  done: Promise<unknown>;
}

const ROLLBACK = Symbol('rollback');
const port = parentPort!;
const options = workerData as PgliteWorkerData;
const pg = await PGlite.create({ dataDir: options.dataDir, extensions: options.vector ? { pg_trgm, vector } : { pg_trgm } });
const prepared = { fixed: new PglitePrepared(pg, MAX_PREPARED, 'chrysopedia_'), shaped: new PglitePrepared(pg, MAX_SHAPED, 'chrysopedia_shape_') };
const open = new Map<number, OpenTransaction>();
let nextTx = 1;

function transactionOf(id: number | null): OpenTransaction | undefined {
  if (id === null) return undefined;
  const t = open.get(id);
  if (!t) throw new Error('the transaction is over');
  return t;
}

/** Starts a transaction; resolves with its id once BEGIN has run, and keeps it until `end`. */
function begin(): Promise<number> {
  return new Promise((started, failed) => {
    const id = nextTx++;
    const done = pg.transaction(async (tx) => {
      const commit = await new Promise<boolean>((end) => {
        open.set(id, { tx, end, done });
        started(id);
      });
      if (!commit) throw ROLLBACK;
    });
    done.then(
      () => open.delete(id),
      (err: unknown) => {
        open.delete(id);
        failed(err);
      },
    );
  });
}

async function end(id: number, commit: boolean): Promise<null> {
  const t = transactionOf(id)!;
  t.end(commit);
  try {
    await t.done;
  } catch (err) {
    if (err !== ROLLBACK) throw err;
  }
  return null;
}

async function run(m: PgliteRequest): Promise<unknown> {
  switch (m.op) {
    case 'query': {
      const t = transactionOf(m.tx);
      const named = m.prepare ? prepared[m.prepare] : undefined;
      const name = named?.nameFor(m.sql);
      if (named && name !== undefined) return named.run(m.sql, name, m.params, { inTransaction: t !== undefined });
      return (await (t ? t.tx : pg).query(m.sql, m.params)).rows;
    }
    case 'exec':
      await (transactionOf(m.tx)?.tx ?? pg).exec(m.sql);
      return null;
    case 'begin':
      return begin();
    case 'end':
      return end(m.tx, m.commit);
    case 'close':
      if (!pg.closed) await pg.close();
      return null;
  }
}

port.on('message', (m: PgliteRequest) => {
  run(m).then(
    (result) => port.postMessage({ id: m.id, result } satisfies PgliteReply),
    (err: unknown) => port.postMessage({ id: m.id, error: cloneError(err) } satisfies PgliteReply),
  );
});
port.postMessage({ ready: true });
