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
  /** The connection dropped mid-answer; resuming it, attempt from 1. */
  onReconnecting?(attempt: number): void;
  onReconnected?(): void;
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

/** Waits between attempts to resume a dropped stream (about 25 s in all); then the answer is given up. */
const RECONNECT_BACKOFF_MS = [250, 500, 1000, 2000, 3000, 3000, 3000, 3000, 3000, 3000, 3000];

/** What has been shown of one answer, so that a resumed stream shows each token once. */
interface Seen {
  messageId: string | null;
  lastSeq: number;
  text: string;
  /** The resumed stream is the finished turn replayed from the database (numbered afresh). */
  fromStart: boolean;
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), reject(signal.reason)), { once: true });
  });

/**
 * POSTs a question and reads the event stream as it arrives; when the connection drops mid-answer
 * it resumes by itself (GET /api/v1/chat/:message_id/stream with Last-Event-ID, with backoff),
 * each token shown once. Stopping (the signal) asks the server to stop the answer. Resolves with
 * `done`; rejects with ApiError (a non-200 answer), StreamError, MalformedStream, ConnectionLost, or
 * the abort reason.
 */
export async function streamChat(
  request: ChatRequest,
  options: { token: string | null; signal: AbortSignal; handlers: StreamHandlers },
): Promise<DonePayload> {
  const { signal, handlers, token } = options;
  let res: Response;
  try {
    res = await fetch('/api/v1/chat', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...authHeaders(token) },
      body: JSON.stringify(request),
      signal,
    });
  } catch (err) {
    if (signal.aborted) throw err;
    throw new ConnectionLost();
  }
  if (!res.ok) throw await toApiError(res);

  const seen: Seen = { messageId: null, lastSeq: 0, text: '', fromStart: false };
  // The Stop button: the answer is stopped on whichever replica writes it, not left to its grace.
  const stopAnswer = () => {
    if (seen.messageId) void fetch(`/api/v1/chat/${seen.messageId}/stop`, { method: 'POST', headers: authHeaders(token), keepalive: true }).catch(() => undefined);
  };
  signal.addEventListener('abort', stopAnswer, { once: true });
  try {
    let attempt = 0;
    for (;;) {
      try {
        return await readEvents(res, seen, handlers, signal, () => (attempt = 0));
      } catch (err) {
        if (!(err instanceof ConnectionLost) || signal.aborted || !seen.messageId) throw err;
      }
      for (;;) {
        if (attempt >= RECONNECT_BACKOFF_MS.length) throw new ConnectionLost();
        handlers.onReconnecting?.(attempt + 1);
        await sleep(RECONNECT_BACKOFF_MS[attempt++] ?? 3000, signal);
        const next = await fetch(`/api/v1/chat/${seen.messageId}/stream`, {
          headers: { accept: 'text/event-stream', 'last-event-id': `${seen.messageId}:${seen.lastSeq}`, ...authHeaders(token) },
          signal,
        }).catch(() => null);
        if (signal.aborted) throw signal.reason;
        if (next?.ok) {
          res = next;
          handlers.onReconnected?.();
          break;
        }
        if (next && next.status < 500) throw await toApiError(next);
      }
    }
  } finally {
    signal.removeEventListener('abort', stopAnswer);
  }
}

/** One response's events; resolves with `done`, rejects with StreamError, or ConnectionLost when it ends early. */
async function readEvents(res: Response, seen: Seen, handlers: StreamHandlers, signal: AbortSignal, progressed: () => void): Promise<DonePayload> {
  if (!res.body) throw new ConnectionLost();
  const reader = res.body.pipeThrough(new TextDecoderStream()).pipeThrough(new EventSourceParserStream()).getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      if (!KNOWN_EVENTS.has(value.event ?? 'message')) continue;
      // Every event is read with the schemas the server writes it with (src/contract/chat-events.ts).
      const parsed = parseChatEvent(value.event, value.data);
      if (!parsed.ok) throw new MalformedStream(parsed.reason);
      const e = parsed.event;
      const seq = Number(value.id?.slice(value.id.lastIndexOf(':') + 1));
      if (e.event === 'sources' && seq === 1 && seen.lastSeq > 0) {
        seen.fromStart = true;
        continue;
      }
      if (!seen.fromStart) {
        if (seq <= seen.lastSeq) continue;
        seen.lastSeq = seq;
        if (value.id) {
          seen.messageId = value.id.slice(0, value.id.lastIndexOf(':'));
          handlers.onEventId(value.id);
        }
      }
      progressed();
      switch (e.event) {
        case 'sources':
          handlers.onSources(e.data);
          break;
        case 'token': {
          const text = e.data.text;
          // Replayed from the database: the whole text, of which the start was shown already.
          const shown = seen.fromStart ? (text.startsWith(seen.text) ? text.slice(seen.text.length) : '') : text;
          seen.text += shown;
          if (shown) handlers.onToken(shown);
          break;
        }
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
