import type { Logger } from 'pino';
import type { Queryable } from '../store/db.js';
import type { Embedder } from './embedder.js';
import { vectorLiteral } from './vector-search.js';

// Passages without an embedding of their current text. What is embedded is what full-text search
// reads too: the technique, the video's title and the passage's text, cut at INPUT_CHARS so that
// one overlong passage cannot push a batch past the model's input limit (and stall every run).
const INPUT_CHARS = 8000;
const PENDING_SQL = `
SELECT p.id, p.content_hash, left(concat_ws(E'\\n', p.technique, v.title, p.text), ${INPUT_CHARS}) AS input
FROM passages p
JOIN videos v ON v.id = p.video_id
LEFT JOIN passage_embeddings e ON e.passage_id = p.id
WHERE e.passage_id IS NULL OR e.content_hash <> p.content_hash
ORDER BY p.id COLLATE "C"
LIMIT $1`;

// Only where the passage still has the text that was embedded: an import during the call wins.
const SAVE_SQL = `
INSERT INTO passage_embeddings (passage_id, content_hash, embedding)
SELECT u.id, u.content_hash, u.embedding::vector
FROM unnest($1::text[], $2::text[], $3::text[]) AS u(id, content_hash, embedding)
JOIN passages p ON p.id = u.id AND p.content_hash = u.content_hash
ON CONFLICT (passage_id) DO UPDATE SET content_hash = EXCLUDED.content_hash, embedding = EXCLUDED.embedding
RETURNING passage_id`;

export interface EmbeddingIndexerOptions {
  db: Queryable;
  embedder: Embedder;
  log: Logger;
  /** Passages per call to the model. */
  batch?: number;
  /** How often the whole knowledge base is checked for passages to embed (an import elsewhere). */
  intervalMs?: number;
}

/**
 * Keeps every passage's embedding current, in the background: at start, after an import
 * (`wake`) and every `intervalMs`. A passage not embedded yet is still found by full-text search.
 * Several replicas may embed the same passage at the same moment; the result is the same.
 */
export class EmbeddingIndexer {
  private running: Promise<number> | null = null;
  private again = false;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private failing = false;

  constructor(private readonly options: EmbeddingIndexerOptions) {}

  /** Embeds every pending passage; resolves with how many were stored. A failure ends the run (logged). */
  run(): Promise<number> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.drain().finally(() => {
      this.running = null;
      if (this.again && !this.stopped) {
        this.again = false;
        // Asked for while running: once more, its failure logged like any background run's.
        this.wake();
      }
    });
    return this.running;
  }

  /** Runs soon, without waiting (after an import). */
  wake(): void {
    void this.run().catch(() => undefined);
  }

  start(): void {
    this.wake();
    const every = this.options.intervalMs ?? 60_000;
    this.timer = setInterval(() => this.wake(), every);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  async coverage(): Promise<{ embedded: number; passages: number }> {
    const [row] = await this.options.db.query<{ embedded: number; passages: number }>(
      `SELECT (SELECT count(*)::int FROM passage_embeddings e JOIN passages p ON p.id = e.passage_id AND p.content_hash = e.content_hash) AS embedded,
              (SELECT count(*)::int FROM passages) AS passages`,
    );
    return row ?? { embedded: 0, passages: 0 };
  }

  private async drain(): Promise<number> {
    const { db, embedder, log } = this.options;
    const batch = this.options.batch ?? 64;
    let stored = 0;
    try {
      while (!this.stopped) {
        const pending = await db.query<{ id: string; content_hash: string; input: string }>(PENDING_SQL, [batch]);
        if (pending.length === 0) break;
        const vectors = await embedder.embed(pending.map((p) => p.input));
        const saved = await db.query<{ passage_id: string }>(SAVE_SQL, [
          pending.map((p) => p.id),
          pending.map((p) => p.content_hash),
          vectors.map(vectorLiteral),
        ]);
        stored += saved.length;
        // None stored: every one changed meanwhile; the next round reads them again.
        if (saved.length === 0 && pending.length < batch) break;
      }
      if (this.failing) log.info('embeddings model reachable again; indexing resumed');
      this.failing = false;
      if (stored > 0) log.info({ embedded: stored, model: embedder.model }, 'passages embedded');
      return stored;
    } catch (err) {
      // One warning per outage; the next run (timer, import) tries again.
      if (!this.failing) log.warn({ err: { message: (err as Error).message }, embedded: stored }, 'could not embed passages; full-text search goes on alone for them');
      this.failing = true;
      throw err;
    }
  }
}
