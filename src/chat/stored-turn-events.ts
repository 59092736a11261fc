import type { TurnRecord } from '../store/conversation-store.js';
import type { CascadeTier } from './cascade.js';
import type { ChatEvent, DonePayload, Source } from '../contract/chat-events.js';

/**
 * A finished turn as the events it streamed (SPEC §1: a finished turn replays from the database):
 * its sources, its text as one token, then done, or error when it failed.
 */
export function storedTurnEvents(turn: TurnRecord): ChatEvent[] {
  const events: ChatEvent[] = [{ event: 'sources', data: turn.sources as Source[] }];
  if (turn.answer.length > 0) events.push({ event: 'token', data: { text: turn.answer } });
  if (turn.finish_reason === 'error') {
    // The code the stream sent is not stored; what failed was the answer, not the replay.
    events.push({ event: 'error', data: { error: 'The answer was cut short by an error', code: 'internal' } });
    return events;
  }
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
  events.push({ event: 'done', data: done });
  return events;
}
