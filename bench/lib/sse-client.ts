import { createParser } from 'eventsource-parser';
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'undici';

/** What one chat stream did, timed from the moment the request was handed to the client. */
export interface StreamResult {
  status: number;
  /** Request sent → first `token` event parsed; null when none came. */
  firstTokenMs: number | null;
  totalMs: number;
  /** The stream ended with `done` (not `error`, not cut). */
  done: boolean;
  bytes: number;
  /** Why it failed: the error event's code, an HTTP status, or the client's error. */
  failure: string | null;
}

export interface StreamOptions {
  /** Abort the stream (the client goes away); the result then says so. */
  signal?: AbortSignal;
  onFirstToken?: () => void;
}

/** A keep-alive connection pool to one server, with as many connections as streams in flight. */
export function connectionPool(url: string, connections: number): Pool {
  // No body timeout: a held-open stream is silent for as long as the benchmark holds it.
  return new Pool(url, { connections, pipelining: 1, bodyTimeout: 0, headersTimeout: 60_000, keepAliveTimeout: 60_000 });
}

/** POSTs one chat and reads its event stream to the end with eventsource-parser, as a browser would. */
export async function chatStream(pool: Pool, body: string, options: StreamOptions = {}): Promise<StreamResult> {
  const started = performance.now();
  let firstTokenMs: number | null = null;
  let done = false;
  let failure: string | null = null;
  let bytes = 0;
  const parser = createParser({
    onEvent: (e) => {
      if (e.event === 'token' && firstTokenMs === null) {
        firstTokenMs = performance.now() - started;
        options.onFirstToken?.();
      } else if (e.event === 'done') done = true;
      else if (e.event === 'error') failure = (JSON.parse(e.data) as { code?: string }).code ?? 'error';
    },
  });
  let status = 0;
  try {
    const res = await pool.request({
      path: '/api/v1/chat',
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body,
      signal: options.signal,
    });
    status = res.statusCode;
    if (status !== 200) {
      const text = await res.body.text();
      return { status, firstTokenMs, totalMs: performance.now() - started, done, bytes: text.length, failure: `HTTP ${status}` };
    }
    for await (const chunk of res.body) {
      bytes += (chunk as Buffer).length;
      parser.feed((chunk as Buffer).toString('utf8'));
    }
  } catch (err) {
    failure = options.signal?.aborted ? 'aborted' : err instanceof Error ? err.message : String(err);
  }
  if (!done && failure === null) failure = 'stream ended without done';
  return { status, firstTokenMs, totalMs: performance.now() - started, done, bytes, failure };
}

export interface LoopOptions {
  /** Streams in flight at once: one client each. */
  concurrency: number;
  /** Each client makes this many measured requests… */
  perClient?: number;
  /** …or keeps going until this long has passed (requests in flight then still finish). */
  durationMs?: number;
  /** Requests each client makes first and leaves out of the results (connections, JIT). */
  warmupPerClient?: number;
  /**
   * Each client waits a random time up to this before its first request, so that clients whose
   * streams all last as long do not start, end and restart in lockstep.
   */
  staggerMs?: number;
  /** The i-th request's JSON body. */
  body: (i: number) => string;
}

/** A closed loop: `concurrency` clients, each starting its next chat as soon as its last one ends. */
export async function closedLoop(pool: Pool, options: LoopOptions): Promise<{ results: StreamResult[]; seconds: number }> {
  const results: StreamResult[] = [];
  let measuredFrom = Infinity;
  let n = 0;
  const warmups = options.warmupPerClient ?? 0;
  await Promise.all(
    Array.from({ length: options.concurrency }, async () => {
      if (options.staggerMs) await sleep(Math.random() * options.staggerMs);
      for (let i = 0; i < warmups; i++) await chatStream(pool, options.body(n++));
      const started = performance.now();
      measuredFrom = Math.min(measuredFrom, started);
      const deadline = options.durationMs === undefined ? Infinity : started + options.durationMs;
      for (let i = 0; i < (options.perClient ?? Infinity) && performance.now() < deadline; i++) {
        results.push(await chatStream(pool, options.body(n++)));
      }
    }),
  );
  return { results, seconds: (performance.now() - measuredFrom) / 1000 };
}

/** The failures of a batch, counted by reason, e.g. "3× HTTP 503"; empty when there were none. */
export function failureSummary(results: readonly StreamResult[]): string {
  const counts = new Map<string, number>();
  for (const r of results) if (r.failure) counts.set(r.failure, (counts.get(r.failure) ?? 0) + 1);
  return [...counts].map(([reason, n]) => `${n}× ${reason}`).join(', ');
}
