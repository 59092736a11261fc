import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import { chatEventSchema, type ChatEvent } from '../contract/chat-events.js';
import { droppedFields } from '../contract/dropped-fields.js';

export const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  'x-accel-buffering': 'no',
  connection: 'keep-alive',
} as const;

export interface SseOptions {
  /** A `: ping` comment goes out after this long without anything else sent. */
  pingMs: number;
  /**
   * A token that comes less than this long after the last token written waits, with those that
   * follow it, until this long after that write (SSE_COALESCE_MS; 0: each as it comes). Events
   * other than tokens, the first token and a token after a pause go out at once.
   */
  coalesceMs?: number;
}

/** One event as it goes on the wire: its id (`<message_id>:<seq>`), name and data, already JSON. */
export interface SseEvent {
  id: string;
  event: string;
  data: string;
}

/** Formats one event; JSON.stringify never emits a raw newline, so data is one line. */
export function sseFrame(id: string, event: string, data: unknown): string {
  return `id: ${id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

const BROKEN_EVENT = { event: 'error', data: JSON.stringify({ error: 'Internal error', code: 'internal' }) } as const;

/**
 * One event as its schema (contract/chat-events.ts) lets it out, its data as JSON. An event that
 * does not fit is a bug of ours: it becomes an `internal` error (`broken`), the stream's last
 * event, instead of something no client can read. `strict` (tests): a field the schema lacks is
 * such a bug too, rather than silently dropped.
 */
export function encodeEvent(e: ChatEvent, strict = false): { event: string; data: string; broken: boolean } {
  // A token, most of a stream's events, is checked by hand: `{ text: <string> }` and nothing else
  // is exactly what the schema lets out unchanged. Anything else takes the schema's own path.
  if (e.event === 'token' && isTokenText(e.data)) return { event: 'token', data: JSON.stringify({ text: e.data.text }), broken: false };
  const result = chatEventSchema.safeParse(e);
  if (!result.success || (strict && droppedFields(e, result.data).length > 0)) return { ...BROKEN_EVENT, broken: true };
  return { event: result.data.event, data: JSON.stringify(result.data.data), broken: false };
}

const isTokenText = (data: unknown): data is { text: string } =>
  typeof data === 'object' && data !== null && Object.hasOwn(data, 'text') && typeof (data as { text?: unknown }).text === 'string' && Object.keys(data).length === 1;

/**
 * A stream's events, checked and encoded (encodeEvent), numbered from 1 as `<idPrefix>:<seq>`.
 * After a broken event nothing more is sent, but the events are still drained.
 */
export async function* numberedEvents(
  events: AsyncIterable<ChatEvent> | Iterable<ChatEvent>,
  idPrefix: string,
  strict = false,
): AsyncGenerator<SseEvent, void, void> {
  let seq = 0;
  let broken = false;
  for await (const e of events) {
    if (broken) continue;
    const out = encodeEvent(e, strict);
    broken = out.broken;
    yield { id: `${idPrefix}:${++seq}`, event: out.event, data: out.data };
  }
}

/**
 * The one place that writes event frames. Writes each event as it comes (waiting on the socket
 * when it is full), pings when idle, and keeps draining the events after the client has gone so
 * that the producer can finish its bookkeeping. A write is a syscall (on loopback, the kernel's
 * whole TCP path) and a wake-up of the reader, so events ready in one turn of the event loop leave
 * in one write, and tokens of a fast stream at most once per `coalesceMs`: 500 tokens 3 ms apart
 * cost 34 ms of CPU with 50 against 43 ms without (server and client; docs/decisions/0012).
 */
export function writeSse(res: ServerResponse, events: AsyncIterable<SseEvent> | Iterable<SseEvent>, options: SseOptions): Promise<void>;
/** `toFrame` makes each event's frame as it is written (null: not sent), with no generator between. */
export function writeSse<T>(
  res: ServerResponse,
  events: AsyncIterable<T> | Iterable<T>,
  options: SseOptions & { toFrame: (e: T) => SseEvent | null },
): Promise<void>;
export async function writeSse<T>(
  res: ServerResponse,
  events: AsyncIterable<T> | Iterable<T>,
  options: SseOptions & { toFrame?: (e: T) => SseEvent | null },
): Promise<void> {
  const toFrame = options.toFrame ?? ((e: T) => e as unknown as SseEvent);
  const coalesceMs = options.coalesceMs ?? 0;
  const open = () => !res.destroyed && !res.writableEnded;
  // One timer for the stream's life, pushed back by each write.
  const ping = setTimeout(function sendPing() {
    if (!open()) return;
    res.write(': ping\n\n');
    ping.refresh();
  }, options.pingMs);
  ping.unref?.();
  // Events that are ready in the same turn of the event loop (tokens that arrived in one network
  // read) leave in one write. Uncorked once this turn's work is done, so no event waits for a later one.
  let corked = false;
  const uncork = () => {
    corked = false;
    res.uncork();
  };
  const write = (text: string) => {
    if (!corked) {
      corked = true;
      res.cork();
      process.nextTick(uncork);
    }
    res.write(text);
    ping.refresh();
  };
  // Tokens held for the next coalesced write, and when the last token went out.
  let held = '';
  let holdTimer: NodeJS.Timeout | undefined;
  let lastTokenAt = -Infinity;
  const release = () => {
    clearTimeout(holdTimer);
    holdTimer = undefined;
    if (held && open()) {
      write(held);
      lastTokenAt = performance.now();
    }
    held = '';
  };
  try {
    for await (const event of events) {
      const e = toFrame(event);
      if (!e || !open()) continue;
      const frame = `id: ${e.id}\nevent: ${e.event}\ndata: ${e.data}\n\n`;
      if (coalesceMs > 0 && e.event === 'token') {
        const now = performance.now();
        if (holdTimer || now - lastTokenAt < coalesceMs) {
          held += frame;
          holdTimer ??= setTimeout(release, lastTokenAt + coalesceMs - now);
          continue;
        }
        lastTokenAt = now;
      }
      // Anything else goes now, after the tokens held before it.
      if (held) {
        clearTimeout(holdTimer);
        holdTimer = undefined;
        write(held + frame);
        held = '';
      } else {
        write(frame);
      }
      if (res.writableNeedDrain && open()) await Promise.race([once(res, 'drain'), once(res, 'close')]);
    }
    release();
  } finally {
    clearTimeout(ping);
    clearTimeout(holdTimer);
    if (open()) res.end();
  }
}
