import type { Metrics } from '../metrics.js';
import type { ChatEvent } from '../contract/chat-events.js';

export interface ChatObserver {
  /** Call with each event of the chat, in order, as it is written. */
  see(e: ChatEvent): void;
  /** Once the stream is over (however it ended). */
  end(): void;
}

/** Records what /metrics reports about one chat's events (a callback, not a generator: no hop per token). */
export function observeChat(metrics: Metrics, startedAt: number): ChatObserver {
  let outcome = 'client_closed';
  let first = true;
  return {
    see(e) {
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
    },
    end() {
      metrics.chatDuration.observe({ outcome }, (performance.now() - startedAt) / 1000);
    },
  };
}
