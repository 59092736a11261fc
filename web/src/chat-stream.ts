import { EventSourceParserStream } from 'eventsource-parser/stream';
import { authHeaders, toApiError, type DonePayload, type Source } from './api';

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

/** The network failed, or the stream closed without its `done` or `error`. */
export class ConnectionLost extends Error {
  constructor() {
    super('The connection was lost before the answer finished.');
    this.name = 'ConnectionLost';
  }
}

/**
 * POSTs a question and reads the event stream as it arrives. Resolves with `done`; rejects with
 * ApiError (a non-200 answer), StreamError, ConnectionLost, or the abort reason when stopped.
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
      const data: unknown = JSON.parse(value.data);
      switch (value.event) {
        case 'sources':
          handlers.onSources(Array.isArray(data) ? (data as Source[]) : []);
          break;
        case 'token':
          handlers.onToken(String((data as { text?: unknown }).text ?? ''));
          break;
        case 'done':
          return data as DonePayload;
        case 'error': {
          const e = data as { error?: unknown; code?: unknown };
          throw new StreamError(String(e.error ?? 'The answer failed'), String(e.code ?? 'internal'));
        }
        default:
          break; // Events this page does not know are not its business.
      }
    }
  } catch (err) {
    if (err instanceof StreamError || signal.aborted) throw err;
    throw new ConnectionLost();
  } finally {
    reader.cancel().catch(() => undefined);
  }
  throw new ConnectionLost();
}
