import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import type { ChatEvent } from './chat-events.js';

export const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  'x-accel-buffering': 'no',
  connection: 'keep-alive',
} as const;

export interface SseOptions<T> {
  /** A `: ping` comment goes out after this long without anything else sent. */
  pingMs: number;
  /** Each event's frame (called for every event, in order, also once the client has gone). */
  toFrame: (e: T) => SseEvent;
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

/** Turns a stream's events into frames numbered from 1, as `<idPrefix>:<seq>`. */
export function numbered(idPrefix: string): (e: ChatEvent) => SseEvent {
  let seq = 0;
  return (e) => ({ id: `${idPrefix}:${++seq}`, event: e.event, data: JSON.stringify(e.data) });
}

/**
 * The one place that writes event frames. Writes each event as it comes (waiting on the socket
 * when it is full), pings when idle, and keeps draining the events after the client has gone so
 * that the producer can finish its bookkeeping.
 */
export async function writeSse<T>(res: ServerResponse, events: AsyncIterable<T> | Iterable<T>, options: SseOptions<T>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const open = () => !res.destroyed && !res.writableEnded;
  const armPing = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      if (open()) {
        res.write(': ping\n\n');
        armPing();
      }
    }, options.pingMs);
    timer.unref?.();
  };
  // Events that are ready in the same turn of the event loop (tokens that arrived in one network
  // read) leave in one write: a syscall per event was the largest single CPU cost of a fast stream.
  // Uncorked once this turn's work is done, so no event waits for a later one.
  let corked = false;
  const uncork = () => {
    corked = false;
    res.uncork();
  };
  armPing();
  try {
    for await (const event of events) {
      const e = options.toFrame(event);
      if (!open()) continue;
      if (!corked) {
        corked = true;
        res.cork();
        process.nextTick(uncork);
      }
      const ok = res.write(`id: ${e.id}\nevent: ${e.event}\ndata: ${e.data}\n\n`);
      armPing();
      if (!ok && open()) await Promise.race([once(res, 'drain'), once(res, 'close')]);
    }
  } finally {
    clearTimeout(timer);
    if (open()) res.end();
  }
}
