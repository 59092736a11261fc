import type { CascadeTier } from './cascade.js';
import type { Source } from './sources.js';

export interface DonePayload {
  conversation_id: string;
  message_id: string;
  cascade_tier: CascadeTier;
  model: string;
  fallback_used: boolean;
  /** client_closed: stopped (POST …/stop, or no reader within CHAT_RESUME_GRACE_MS). */
  finish_reason: 'stop' | 'length' | 'client_closed';
  usage: { prompt_tokens: number; completion_tokens: number };
  latency_ms: { first_token: number | null; total: number };
  citations: number[];
  invalid_citations: number[];
}

export type StreamErrorCode = 'llm_unavailable' | 'llm_timeout' | 'internal';

/** The events of SPEC §1, in the order a stream sends them. */
export type ChatEvent =
  | { event: 'sources'; data: Source[] }
  | { event: 'token'; data: { text: string } }
  | { event: 'done'; data: DonePayload }
  | { event: 'error'; data: { error: string; code: StreamErrorCode } };
