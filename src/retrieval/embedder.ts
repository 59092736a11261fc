/** Turns texts into vectors of a fixed size (an embeddings model). */
export interface Embedder {
  readonly model: string;
  readonly dimensions: number;
  /** One vector per text, in order; throws when the model fails or answers something unusable. */
  embed(texts: readonly string[], signal?: AbortSignal): Promise<number[][]>;
}

export class EmbeddingError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EmbeddingError';
  }
}
