export type LlmErrorCode = 'llm_unavailable' | 'llm_timeout';

export const LLM_ERROR_MESSAGES: Readonly<Record<LlmErrorCode, string>> = {
  llm_unavailable: 'The language model is unavailable',
  llm_timeout: 'The language model took too long to answer',
};

/**
 * What may be logged about a failure at info and above: a reason and an HTTP status, never the
 * upstream's message, body or host (those stay in `cause`, for debug logs only).
 */
export interface LlmFailure {
  reason: 'http_status' | 'connection' | 'first_token_timeout' | 'idle_timeout' | 'rewrite_timeout' | 'malformed_response' | 'truncated' | 'empty';
  status?: number;
  /** The configured model that failed, and whether it was the fallback. */
  model?: string;
  fallbackUsed?: boolean;
}

/** A model failure, with a message safe to show anyone (never the upstream's own text). */
export class LlmError extends Error {
  constructor(
    readonly code: LlmErrorCode,
    cause?: unknown,
    readonly failure?: LlmFailure,
  ) {
    super(LLM_ERROR_MESSAGES[code], { cause });
    this.name = 'LlmError';
  }
}
