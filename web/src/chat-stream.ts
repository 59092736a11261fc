import { EventSourceParserStream } from 'eventsource-parser/stream';
import { parseChatEvent, type DonePayload, type Source } from '../../src/contract/chat-events';
import { authHeaders, toApiError } from './api';

export interface ChatRequest {
  query: string;
  creator: string | null;
  conversation_id: string | null;
  personality_weight: number;
}

export interface StreamHandlers {
  onEventId(id: string): void;
  onSources(sources: Source[]): void;
  onToken(text: string): void;
}

/** The server ended the stream with an `error` event (SPEC §1). */
export class StreamError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = 'StreamError';
  }
}

/** An event that does not fit SPEC §1's schemas: the page cannot trust the rest of the stream. */
export class MalformedStream extends Error {
  constructor(readonly reason: string) {
    super('The answer arrived in a form this page cannot read.');
    this.name = 'MalformedStream';
  }
}

// Events the page reads; any other name is a newer server's business, skipped.
const KNOWN_EVENTS = new Set(['sources', 'token', 'done', 'error']);

/** The network failed, or the stream closed without its `done` or `error`. */
export class ConnectionLost extends Error {
  constructor() {
    super('The connection was lost before the answer finished.');
    this.name = 'ConnectionLost';
  }
}

/**
 * POSTs a question and reads the event stream as it arrives. Resolves with `done`; rejects with
 * ApiError (a non-200 answer), StreamError, MalformedStream, ConnectionLost, or the abort reason.
 */
export async function streamChat(
  request: ChatRequest,
  options: { token: string | null; signal: AbortSignal; handlers: StreamHandlers },
): Promise<DonePayload> {
  const { signal, handlers } = options;
  let res: Response;
  try {
    res = await fetch('/api/v1/chat', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...authHeaders(options.token) },
      body: JSON.stringify(request),
      signal,
    });
  } catch (err) {
    if (signal.aborted) throw err;
    throw new ConnectionLost();
  }
  if (!res.ok) throw await toApiError(res);
  if (!res.body) throw new ConnectionLost();

  const reader = res.body.pipeThrough(new TextDecoderStream()).pipeThrough(new EventSourceParserStream()).getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      if (value.id) handlers.onEventId(value.id);
      if (!KNOWN_EVENTS.has(value.event ?? 'message')) continue;
      // Every event is read with the schemas the server writes it with (src/contract/chat-events.ts).
      const parsed = parseChatEvent(value.event, value.data);
      if (!parsed.ok) throw new MalformedStream(parsed.reason);
      const e = parsed.event;
      switch (e.event) {
        case 'sources':
          handlers.onSources(e.data);
          break;
        case 'token':
          handlers.onToken(e.data.text);
          break;
        case 'done':
          return e.data;
        case 'error':
          throw new StreamError(e.data.error, e.data.code);
      }
    }
  } catch (err) {
    if (err instanceof StreamError || err instanceof MalformedStream || signal.aborted) throw err;
    throw new ConnectionLost();
  } finally {
    reader.cancel().catch(() => undefined);
  }
  throw new ConnectionLost();
}
