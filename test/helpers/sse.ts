import { createParser, type EventSourceMessage } from 'eventsource-parser';

export interface SseEvent {
  id: string | undefined;
  event: string;
  data: unknown;
}

/** Parses a whole event-stream body with eventsource-parser; comments are counted apart. */
export function parseSse(body: string): { events: SseEvent[]; comments: string[] } {
  const events: SseEvent[] = [];
  const comments: string[] = [];
  const parser = createParser({
    onEvent: (m: EventSourceMessage) => events.push({ id: m.id, event: m.event ?? 'message', data: JSON.parse(m.data) as unknown }),
    onComment: (c) => comments.push(c),
  });
  parser.feed(body);
  return { events, comments };
}

/** The answer a stream carried: all token texts, in order. */
export function answerText(events: SseEvent[]): string {
  return events
    .filter((e) => e.event === 'token')
    .map((e) => (e.data as { text: string }).text)
    .join('');
}
