import type { Metrics } from '../metrics.js';
import type { ChatEvent } from '../contract/chat-events.js';

/** Passes a chat's events through unchanged, recording what /metrics reports about them. */
export async function* observedStream(
  events: AsyncIterable<ChatEvent>,
  metrics: Metrics,
  startedAt: number,
): AsyncGenerator<ChatEvent, void, void> {
  let outcome = 'client_closed';
  let first = true;
  try {
    for await (const e of events) {
      if (e.event === 'token') {
        if (first) metrics.firstToken.observe((performance.now() - startedAt) / 1000);
        first = false;
        metrics.tokens.inc();
      } else if (e.event === 'done' && e.data.finish_reason === 'client_closed') {
        outcome = 'client_closed';
      } else if (e.event === 'done') {
        outcome = 'done';
        metrics.answersByTier.inc({ tier: e.data.cascade_tier });
        if (e.data.fallback_used) metrics.llmFallbacks.inc();
        if (e.data.invalid_citations.length > 0) metrics.invalidCitations.inc(e.data.invalid_citations.length);
      } else if (e.event === 'error') {
        outcome = 'error';
        metrics.llmErrors.inc({ code: e.data.code });
      }
      yield e;
    }
  } finally {
    metrics.chatDuration.observe({ outcome }, (performance.now() - startedAt) / 1000);
  }
}
