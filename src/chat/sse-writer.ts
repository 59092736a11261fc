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
  /** Prefix of every event id: ids are `<idPrefix>:<seq>`, seq from 1. */
  idPrefix: string;
  /** A `: ping` comment goes out after this long without anything else sent. */
  pingMs: number;
  /** A field the event's schema lacks is a failure too, not silently dropped (on in tests). */
  strict?: boolean;
}

const BROKEN_EVENT: ChatEvent = { event: 'error', data: { error: 'Internal error', code: 'internal' } };

/**
 * The event as its schema (contract/chat-events.ts) lets it out. One that does not fit is a bug
 * of ours: the stream ends there with an `internal` error instead of sending what no client reads.
 */
function checked(e: ChatEvent, strict: boolean): { event: ChatEvent; broken: boolean } {
  const result = chatEventSchema.safeParse(e);
  if (result.success && (!strict || droppedFields(e, result.data).length === 0)) return { event: result.data, broken: false };
  return { event: BROKEN_EVENT, broken: true };
}

/** Formats one event; JSON.stringify never emits a raw newline, so data is one line. */
export function sseFrame(id: string, event: string, data: unknown): string {
  return `id: ${id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/**
 * The one place that writes event frames. Writes each event as it comes (waiting on the socket
 * when it is full), pings when idle, and keeps draining the events after the client has gone so
 * that the producer can finish its bookkeeping.
 */
export async function writeSse(res: ServerResponse, events: AsyncIterable<ChatEvent>, options: SseOptions): Promise<void> {
  let seq = 0;
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
  let broken = false;
  try {
    for await (const e of events) {
      seq += 1;
      if (!open()) continue;
      const out = checked(e, options.strict ?? false);
      broken = out.broken;
      if (!corked) {
        corked = true;
        res.cork();
        process.nextTick(uncork);
      }
      const ok = res.write(sseFrame(`${options.idPrefix}:${seq}`, out.event.event, out.event.data));
      armPing();
      if (broken) res.end();
      if (!ok && open()) await Promise.race([once(res, 'drain'), once(res, 'close')]);
    }
  } finally {
    clearTimeout(timer);
    if (open()) res.end();
  }
}
