import type { TurnRecord } from '../store/conversation-store.js';
import { LLM_ERROR_MESSAGES } from '../llm/llm-error.js';
import type { CascadeTier } from './cascade.js';
import type { ChatEvent, DonePayload, Source, StreamErrorCode } from '../contract/chat-events.js';

/** An event of a finished turn, with the number it had when it streamed. */
export interface StoredEvent {
  seq: number;
  event: ChatEvent;
}

const INTERNAL = 'Internal error';

function errorEvent(code: string | null): ChatEvent {
  if (code === 'llm_unavailable' || code === 'llm_timeout') return { event: 'error', data: { error: LLM_ERROR_MESSAGES[code], code } };
  if (code === 'internal') return { event: 'error', data: { error: INTERNAL, code: 'internal' satisfies StreamErrorCode } };
  // Stored before migration 0009: the code the stream sent is unknown.
  return { event: 'error', data: { error: 'The answer was cut short by an error', code: 'internal' } };
}

function doneEvent(turn: TurnRecord): ChatEvent {
  const done: DonePayload = {
    conversation_id: turn.conversation_id,
    message_id: turn.id,
    cascade_tier: turn.cascade_tier as CascadeTier,
    model: turn.model ?? 'unknown',
    fallback_used: turn.fallback_used,
    finish_reason: turn.finish_reason as DonePayload['finish_reason'],
    usage: turn.usage ?? { prompt_tokens: 0, completion_tokens: 0 },
    latency_ms: turn.latency_ms ?? { first_token: null, total: 0 },
    citations: turn.citations,
    invalid_citations: turn.invalid_citations,
  };
  return { event: 'done', data: done };
}

/** Whether the turn can be replayed with the ids it streamed with (stored since migration 0009, whole). */
function exact(turn: TurnRecord): turn is TurnRecord & { token_ends: number[] } {
  const ends = turn.token_ends;
  return ends !== null && (ends.length === 0 ? turn.answer.length === 0 : ends.at(-1) === turn.answer.length);
}

/** The seq of a finished turn's last event (done or error), when its events' numbers are known. */
export function lastStoredSeq(turn: TurnRecord): number | null {
  return exact(turn) ? turn.token_ends.length + 2 : null;
}

/**
 * A finished turn as the events it streamed (SPEC §1: a finished turn replays from the database,
 * and replayed events keep their ids): its sources (1), each token as it was sent (2…), then done,
 * or error with the code the stream sent. Only the events after `afterSeq` are returned. A turn
 * stored before migration 0009 is replayed whole, its text as one token, numbered from 1.
 */
export function storedTurnEvents(turn: TurnRecord, afterSeq: number | null): StoredEvent[] {
  const sources: ChatEvent = { event: 'sources', data: turn.sources as Source[] };
  const last = turn.finish_reason === 'error' ? errorEvent(turn.error_code) : doneEvent(turn);
  if (!exact(turn)) {
    const events = [sources, ...(turn.answer.length > 0 ? [{ event: 'token', data: { text: turn.answer } } as ChatEvent] : []), last];
    return events.map((event, i) => ({ seq: i + 1, event }));
  }
  const after = afterSeq ?? 0;
  const ends = turn.token_ends;
  const out: StoredEvent[] = [];
  if (after < 1) out.push({ seq: 1, event: sources });
  for (let i = Math.max(0, after - 1); i < ends.length; i++) {
    out.push({ seq: i + 2, event: { event: 'token', data: { text: turn.answer.slice(i === 0 ? 0 : ends[i - 1], ends[i]) } } });
  }
  if (after < ends.length + 2) out.push({ seq: ends.length + 2, event: last });
  return out;
}
