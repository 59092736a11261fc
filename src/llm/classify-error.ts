import { APIConnectionError, APIConnectionTimeoutError, APIError } from 'openai';
import { UpstreamConnectionError, UpstreamEventError, UpstreamStatusError } from './completion-streams.js';
import { DeadlineExceeded } from './deadline.js';
import { LlmError, type LlmFailure } from './llm-error.js';

/** Which attempt failed. */
export interface AttemptContext {
  model: string;
  fallbackUsed: boolean;
}

/** Any failure of an upstream call as an LlmError whose message and `failure` are safe to show. */
export function toLlmError(err: unknown, at: AttemptContext): LlmError {
  const make = (code: LlmError['code'], failure: Pick<LlmFailure, 'reason' | 'status'>) =>
    new LlmError(code, err instanceof LlmError ? err.cause : err, { ...failure, ...at });
  if (err instanceof LlmError) return make(err.code, { reason: err.failure?.reason ?? 'connection', status: err.failure?.status });
  if (err instanceof DeadlineExceeded) return make('llm_timeout', { reason: err.reason });
  if (err instanceof UpstreamStatusError) return make('llm_unavailable', { reason: 'http_status', status: err.status });
  if (err instanceof UpstreamConnectionError || err instanceof UpstreamEventError) return make('llm_unavailable', { reason: 'connection' });
  if (err instanceof APIConnectionTimeoutError) return make('llm_timeout', { reason: 'connection' });
  if (err instanceof APIConnectionError) return make('llm_unavailable', { reason: 'connection' });
  if (err instanceof APIError && typeof err.status === 'number') return make('llm_unavailable', { reason: 'http_status', status: err.status });
  if (err instanceof SyntaxError) return make('llm_unavailable', { reason: 'malformed_response' });
  // A body that broke mid-stream ("terminated", ECONNRESET).
  return make('llm_unavailable', { reason: 'connection' });
}
