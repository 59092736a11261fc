import { AppError } from '../../errors.js';
import type { Db } from '../db.js';

// Any fixed number: replicas starting together take turns instead of racing to create the table.
const VECTOR_SCHEMA_LOCK = 726_354_003;
// pgvector's HNSW index takes vectors of at most 2,000 dimensions; larger ones are searched exactly.
const HNSW_MAX_DIMENSIONS = 2000;

export class VectorUnavailableError extends Error {
  constructor(cause: unknown) {
    super('EMBEDDINGS_BASE_URL is set, but the database has no pgvector extension (CREATE EXTENSION vector failed)', { cause });
    this.name = 'VectorUnavailableError';
  }
}

/**
 * Makes the embeddings table fit the configured model: `vector` extension, `passage_embeddings`
 * with a column of `dimensions`, an HNSW index for cosine distance. Embeddings are derived data: when
 * the model or the size changes, the old ones are dropped and the indexer embeds every passage
 * again. Not a migration: it exists only with EMBEDDINGS_BASE_URL, and its shape is configuration.
 * Returns whether the table was (re)created empty.
 */
export async function ensureVectorSchema(db: Db, target: { model: string; dimensions: number }): Promise<boolean> {
  if (!Number.isInteger(target.dimensions) || target.dimensions < 1) throw new AppError('internal', 'bad embedding size');
  try {
    await db.exec('CREATE EXTENSION IF NOT EXISTS vector');
  } catch (err) {
    throw new VectorUnavailableError(err);
  }
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [VECTOR_SCHEMA_LOCK]);
    await tx.query('CREATE TABLE IF NOT EXISTS embedding_settings (id boolean PRIMARY KEY DEFAULT true CHECK (id), model text NOT NULL, dimensions int NOT NULL)');
    const [current] = await tx.query<{ model: string; dimensions: number }>('SELECT model, dimensions FROM embedding_settings');
    const [table] = await tx.query<{ present: boolean }>("SELECT to_regclass('passage_embeddings') IS NOT NULL AS present");
    if (current && current.model === target.model && current.dimensions === target.dimensions && table?.present) return false;
    await tx.exec('DROP TABLE IF EXISTS passage_embeddings');
    // The size is configuration, checked to be a whole number above: it cannot be a parameter of DDL.
    await tx.exec(
      `CREATE TABLE passage_embeddings (
         passage_id text PRIMARY KEY REFERENCES passages(id) ON DELETE CASCADE,
         content_hash text NOT NULL,
         embedding vector(${target.dimensions}) NOT NULL
       )`,
    );
    if (target.dimensions <= HNSW_MAX_DIMENSIONS) {
      await tx.exec('CREATE INDEX passage_embeddings_hnsw ON passage_embeddings USING hnsw (embedding vector_cosine_ops)');
    }
    await tx.query(
      `INSERT INTO embedding_settings (id, model, dimensions) VALUES (true, $1, $2)
       ON CONFLICT (id) DO UPDATE SET model = EXCLUDED.model, dimensions = EXCLUDED.dimensions`,
      [target.model, target.dimensions],
    );
    return true;
  });
}
