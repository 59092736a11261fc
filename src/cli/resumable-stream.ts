import { setTimeout as sleep } from 'node:timers/promises';
import { createParser } from 'eventsource-parser';
import { parseChatEvent, type ChatEvent } from '../contract/chat-events.js';

/** Waits between reconnection attempts; after the last, the answer is given up. */
export const RECONNECT_BACKOFF_MS = [250, 500, 1000, 2000, 4000, 4000, 4000, 4000];

/** What a client has shown of one answer, so that a resumed stream shows each token once. */
class Seen {
  messageId: string | null = null;
  lastSeq = 0;
  text = '';
  ended = false;
  /** The resumed stream is the finished turn replayed from the database (its own numbering). */
  fromStart = false;

  /** The event to show for one that arrived, or null when it was shown already. */
  accept(id: string | undefined, e: ChatEvent): ChatEvent | null {
    const [messageId, seqText] = (id ?? '').split(':');
    const seq = Number(seqText);
    if (e.event === 'sources' && seq === 1 && this.lastSeq > 0) {
      this.fromStart = true;
      return null;
    }
    if (this.fromStart) {
      if (e.event !== 'token') return this.end(e);
      // The stored text whole, as one token: show what had not come yet.
      const rest = e.data.text.startsWith(this.text) ? e.data.text.slice(this.text.length) : '';
      this.text += rest;
      return rest ? { event: 'token', data: { text: rest } } : null;
    }
    if (seq <= this.lastSeq) return null;
    this.messageId = messageId ?? null;
    this.lastSeq = seq;
    if (e.event === 'token') this.text += e.data.text;
    return e.event === 'done' || e.event === 'error' ? this.end(e) : e;
  }

  private end(e: ChatEvent): ChatEvent {
    this.ended = true;
    return e;
  }
}

export interface ResumeOptions {
  server: string;
  headers: Record<string, string>;
  signal: AbortSignal;
  /** Told before each attempt to reconnect, from 1. */
  onReconnecting?: (attempt: number) => void;
}

/**
 * The events of one answer from its first response, reconnecting by itself when the connection
 * drops before `done`/`error` (GET /api/v1/chat/:message_id/stream with Last-Event-ID, with
 * backoff), each event shown once. Stopping (the signal) asks the server to stop the answer.
 */
export async function* resumableEvents(first: Response, o: ResumeOptions): AsyncGenerator<ChatEvent, void, void> {
  const seen = new Seen();
  let body: ReadableStream<Uint8Array> | null = first.body;
  let attempt = 0;
  try {
    for (;;) {
      if (body) {
        for await (const e of read(body, o.signal)) {
          const shown = seen.accept(e.id, e.event);
          if (shown) {
            attempt = 0;
            yield shown;
          }
        }
      }
      if (seen.ended || o.signal.aborted) return;
      if (!seen.messageId) throw new Error('the connection was lost before the answer started');
      if (attempt >= RECONNECT_BACKOFF_MS.length) throw new Error('the connection was lost and the answer could not be resumed');
      o.onReconnecting?.(attempt + 1);
      await sleep(RECONNECT_BACKOFF_MS[attempt++], undefined, { signal: o.signal }).catch(() => undefined);
      if (o.signal.aborted) return;
      body = await reconnect(o, seen.messageId, `${seen.messageId}:${seen.lastSeq}`);
    }
  } finally {
    if (o.signal.aborted && seen.messageId && !seen.ended) await stop(o, seen.messageId);
  }
}

/** The resumed stream's body, or null to try again (unreachable, or 5xx); a 4xx ends it. */
async function reconnect(o: ResumeOptions, messageId: string, lastEventId: string): Promise<ReadableStream<Uint8Array> | null> {
  let res: Response;
  try {
    res = await fetch(new URL(`/api/v1/chat/${messageId}/stream`, o.server), { headers: { ...o.headers, 'last-event-id': lastEventId }, signal: o.signal });
  } catch {
    return null;
  }
  if (res.ok && res.body) return res.body;
  const body = (await res.json().catch(() => ({}))) as { error?: string };
  if (res.status >= 500) return null;
  throw new Error(`the answer could not be resumed: ${body.error ?? res.statusText}`);
}

async function stop(o: ResumeOptions, messageId: string): Promise<void> {
  await fetch(new URL(`/api/v1/chat/${messageId}/stop`, o.server), { method: 'POST', headers: o.headers, signal: AbortSignal.timeout(2000) }).catch(() => undefined);
}

// The events this client reads; another name is a newer server's, skipped.
const KNOWN_EVENTS = new Set(['sources', 'token', 'done', 'error']);

/**
 * One body's events until it ends or its connection fails. Each is read with the schemas the
 * server writes with (contract/chat-events.ts); one that breaks them ends the answer with an
 * error that says so, where a dropped connection is left to the caller to resume.
 */
async function* read(body: ReadableStream<Uint8Array>, signal: AbortSignal): AsyncGenerator<{ id: string | undefined; event: ChatEvent }, void, void> {
  const queue: { id: string | undefined; event: ChatEvent }[] = [];
  let malformed: string | null = null;
  const parser = createParser({
    onEvent: (m) => {
      if (malformed || !KNOWN_EVENTS.has(m.event ?? 'message')) return;
      const parsed = parseChatEvent(m.event, m.data);
      if (parsed.ok) queue.push({ id: m.id, event: parsed.event });
      else malformed = parsed.reason;
    },
  });
  const decoder = new TextDecoder();
  try {
    for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
      parser.feed(decoder.decode(chunk, { stream: true }));
      while (queue.length > 0) yield queue.shift()!;
      if (malformed) break;
    }
  } catch {
    // The connection dropped (or the signal aborted): the caller decides what follows.
  }
  if (malformed) throw new Error(`the server sent a stream this client cannot read (${malformed})`);
  if (signal.aborted) return;
}
