import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { StorageUnavailableError } from '../../errors.js';
import type { Db, Queryable, QueryOptions } from '../db.js';
import { lockDataDir } from './data-dir-lock.js';
import { cloneError, restoreError, type PgliteReply, type PgliteRequest } from './pglite-protocol.js';
import type { PgliteWorkerData } from './pglite-worker.js';

const preparing = (options: QueryOptions | undefined) => (options?.prepare ? 'fixed' : options?.shaped ? 'shaped' : null);

type Ask = PgliteRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

/**
 * The worker's entry, next to this file: compiled JavaScript as `npm start` runs it, or, run from
 * source (tests, `tsx`), the TypeScript file loaded through tsx, which a worker does not inherit.
 */
function startWorker(workerData: PgliteWorkerData): Worker {
  const self = fileURLToPath(import.meta.url);
  if (!self.endsWith('.ts')) return new Worker(new URL('./pglite-worker.js', import.meta.url), { workerData });
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
  const entry = new URL('./pglite-worker.ts', import.meta.url).href;
  const code = `import(${JSON.stringify(tsx)}).then((t) => { t.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(code, { eval: true, workerData });
}

/**
 * Embedded Postgres (PGlite, WASM) in a worker thread of its own. PGlite runs a statement
 * synchronously; on the server's thread, statements queued behind each other ran back to back and
 * stalled the event loop (100-400 ms at 200 streams: every socket waited), and a large import froze
 * every open stream. One connection: statements run in the order sent; a transaction holds the
 * database until it ends, as PGlite's own lock has it (docs/decisions/0017).
 */
export class PgliteDb implements Db {
  readonly kind = 'pglite' as const;
  readonly keepsShapes = true;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private gone: Error | null = null;

  private constructor(
    private readonly worker: Worker,
    private readonly unlock: () => Promise<void>,
  ) {
    worker.unref();
    worker.on('message', (reply: PgliteReply) => this.settle(reply));
    worker.on('error', (err) => this.fail(err));
    worker.on('exit', () => this.fail(new Error('the embedded database stopped')));
  }

  /** dataDir undefined → in memory (tests). `vector`: load pgvector (only vector search needs it). */
  static async open(dataDir?: string, options: { vector?: boolean } = {}): Promise<PgliteDb> {
    let unlock = async () => {};
    if (dataDir) {
      await mkdir(dataDir, { recursive: true });
      // One process per data directory: a second one's writes would be lost (data-dir-lock.ts).
      unlock = await lockDataDir(dataDir);
    }
    const worker = startWorker({ dataDir, vector: options.vector ?? false });
    try {
      await new Promise<void>((resolve, reject) => {
        const onError = (err: Error) => reject(err);
        worker.once('error', onError);
        worker.once('message', () => {
          worker.off('error', onError);
          resolve();
        });
      });
    } catch (err) {
      await worker.terminate();
      await unlock();
      throw err;
    }
    return new PgliteDb(worker, unlock);
  }

  private ask<T>(request: Ask): Promise<T> {
    if (this.gone) return Promise.reject(new StorageUnavailableError());
    const id = this.nextId++;
    // A statement in flight keeps the process alive (a CLI command awaiting it), an idle worker does not.
    if (this.pending.size === 0) this.worker.ref();
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      try {
        this.worker.postMessage({ ...request, id });
      } catch (err) {
        // A parameter that cannot cross threads (a function, say): refused here, as a driver would.
        this.settle({ id, error: cloneError(err) });
      }
    });
  }

  private settle(reply: PgliteReply): void {
    const waiting = this.pending.get(reply.id);
    if (!waiting) return;
    this.pending.delete(reply.id);
    if (this.pending.size === 0) this.worker.unref();
    if ('error' in reply) waiting.reject(restoreError(reply.error));
    else waiting.resolve(reply.result);
  }

  private fail(err: Error): void {
    this.gone ??= err;
    for (const waiting of this.pending.values()) waiting.reject(new StorageUnavailableError());
    this.pending.clear();
  }

  query<T extends object>(sql: string, params: readonly unknown[] = [], options?: QueryOptions): Promise<T[]> {
    return this.ask<T[]>({ op: 'query', sql, params: [...params], prepare: preparing(options), tx: null });
  }

  async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    const tx = await this.ask<number>({ op: 'begin' });
    let result: T;
    try {
      result = await fn({
        query: <R extends object>(sql: string, params: readonly unknown[] = [], options?: QueryOptions) =>
          this.ask<R[]>({ op: 'query', sql, params: [...params], prepare: preparing(options), tx }),
        exec: async (sql: string) => {
          await this.ask({ op: 'exec', sql, tx });
        },
      });
    } catch (err) {
      await this.ask({ op: 'end', tx, commit: false }).catch(() => undefined);
      throw err;
    }
    await this.ask({ op: 'end', tx, commit: true });
    return result;
  }

  async exec(sql: string): Promise<void> {
    await this.ask({ op: 'exec', sql, tx: null });
  }

  async ping(): Promise<void> {
    await this.query('SELECT 1');
  }

  async close(): Promise<void> {
    if (this.gone) {
      await this.unlock();
      return;
    }
    await this.ask({ op: 'close' });
    this.gone = new Error('closed');
    await this.worker.terminate();
    await this.unlock();
  }
}
