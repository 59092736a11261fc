import type { OpenAI } from 'openai';
import { z } from 'zod';
import { EmbeddingError, type Embedder } from './embedder.js';

const responseSchema = z.object({
  data: z.array(z.object({ index: z.number().int().min(0), embedding: z.array(z.number().finite()) })),
});

export interface OpenAiEmbedderOptions {
  client: OpenAI;
  model: string;
  dimensions: number;
  /** Ask for `dimensions` (models that can shorten their vectors, e.g. text-embedding-3-*). */
  requestDimensions: boolean;
}

/** An OpenAI-compatible `/embeddings` endpoint through the SDK; every answer is checked for shape and size. */
export class OpenAiEmbedder implements Embedder {
  readonly model: string;
  readonly dimensions: number;
  constructor(private readonly options: OpenAiEmbedderOptions) {
    this.model = options.model;
    this.dimensions = options.dimensions;
  }

  async embed(texts: readonly string[], signal?: AbortSignal): Promise<number[][]> {
    if (texts.length === 0) return [];
    let raw: unknown;
    try {
      raw = await this.options.client.embeddings.create(
        {
          model: this.model,
          input: [...texts],
          encoding_format: 'float',
          ...(this.options.requestDimensions ? { dimensions: this.dimensions } : {}),
        },
        { signal, maxRetries: 0 },
      );
    } catch (err) {
      throw new EmbeddingError('the embeddings model is unavailable', { cause: err });
    }
    const parsed = responseSchema.safeParse(raw);
    if (!parsed.success) throw new EmbeddingError('the embeddings model answered something else than embeddings', { cause: parsed.error });
    const vectors: (number[] | undefined)[] = new Array(texts.length);
    for (const d of parsed.data.data) {
      if (d.index >= texts.length) throw new EmbeddingError(`an embedding for input ${d.index} of ${texts.length}`);
      if (d.embedding.length !== this.dimensions) {
        throw new EmbeddingError(`embeddings of ${d.embedding.length} dimensions, not EMBEDDINGS_DIMENSIONS=${this.dimensions}`);
      }
      vectors[d.index] = d.embedding;
    }
    if (vectors.some((v) => v === undefined)) throw new EmbeddingError('an input was left without an embedding');
    return vectors as number[][];
  }
}
