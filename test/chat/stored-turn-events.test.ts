import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lastStoredSeq, storedTurnEvents } from '../../src/chat/stored-turn-events.js';
import type { TurnRecord } from '../../src/store/conversation-store.js';

function turn(tokens: string[], over: Partial<TurnRecord> = {}): TurnRecord {
  const answer = tokens.join('');
  let end = 0;
  return {
    id: '2e03853b-428b-4806-b661-4083ac8f0e55',
    conversation_id: 'd7283d04-31c6-4ac2-be67-0b76f952d7f1',
    query: 'q',
    search_query: 'q',
    creator_slug: null,
    personality_weight: 0,
    answer,
    sources: [],
    cascade_tier: 'global',
    model: 'm',
    fallback_used: false,
    finish_reason: 'stop',
    usage: null,
    latency_ms: null,
    citations: [],
    invalid_citations: [],
    token_ends: tokens.map((t) => (end += t.length)),
    error_code: null,
    created_at: '',
    completed_at: '',
    ...over,
  };
}

// Any text, emoji and lone halves of surrogate pairs included: the ends count UTF-16 units, as JavaScript does.
const token = fc.string({ minLength: 1, maxLength: 6, unit: 'binary' });

describe('a finished turn replayed from the database', () => {
  it('gives the events it streamed, with their numbers, after any id', () => {
    fc.assert(
      fc.property(fc.array(token, { maxLength: 12 }), fc.nat({ max: 20 }), fc.boolean(), (tokens, after, failed) => {
        const t = turn(tokens, failed ? { finish_reason: 'error', error_code: 'llm_timeout' } : {});
        const streamed: { event: string; data?: unknown }[] = [{ event: 'sources' }, ...tokens.map((text) => ({ event: 'token', data: { text } })), { event: failed ? 'error' : 'done' }];
        const replayed = storedTurnEvents(t, after);
        expect(replayed.map((e) => e.seq)).toEqual(streamed.map((_, i) => i + 1).filter((seq) => seq > after));
        expect(replayed.map((e) => e.event.event)).toEqual(streamed.slice(after).map((e) => e.event));
        for (const e of replayed) if (e.event.event === 'token') expect(e.event.data).toEqual(streamed[e.seq - 1]!.data);
        expect(lastStoredSeq(t)).toBe(tokens.length + 2);
      }),
    );
  });

  it('ends with the error the stream sent, code and message', () => {
    const [last] = storedTurnEvents(turn(['Slow '], { finish_reason: 'error', error_code: 'llm_unavailable' }), 2);
    expect(last).toEqual({ seq: 3, event: { event: 'error', data: { error: 'The language model is unavailable', code: 'llm_unavailable' } } });
  });

  it('replays a turn stored before token ends were kept whole, its text as one token', () => {
    const old = turn(['Key the ', 'compressor [1].'], { token_ends: null });
    expect(lastStoredSeq(old)).toBeNull();
    const events = storedTurnEvents(old, null);
    expect(events.map((e) => [e.seq, e.event.event])).toEqual([
      [1, 'sources'],
      [2, 'token'],
      [3, 'done'],
    ]);
    expect(events[1]?.event.data).toEqual({ text: 'Key the compressor [1].' });
  });
});
