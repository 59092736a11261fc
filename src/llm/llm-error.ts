export type LlmErrorCode = 'llm_unavailable' | 'llm_timeout';

const messages: Record<LlmErrorCode, string> = {
  llm_unavailable: 'The language model is unavailable',
  llm_timeout: 'The language model took too long to answer',
};

/** A model failure, with a message safe to show anyone (never the upstream's own text). */
export class LlmError extends Error {
  constructor(readonly code: LlmErrorCode, cause?: unknown) {
    super(messages[code], { cause });
    this.name = 'LlmError';
  }
}
