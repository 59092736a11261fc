import { Readable } from 'node:stream';
import { createParser } from 'eventsource-parser';
import { Agent, type Dispatcher } from 'undici';
import type { PromptMessage } from './answerer.js';
import type { LlmEndpoint } from './openai-client.js';

/** The endpoint answered with an HTTP error status; `detail` (its body's start) is for debug logs only. */
export class UpstreamStatusError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
  ) {
    super(`upstream answered ${status}`);
    this.name = 'UpstreamStatusError';
  }
}

/** No response at all: the connection was refused, reset or closed before any header came. */
export class UpstreamConnectionError extends Error {
  constructor(cause: unknown) {
    super('no response from the upstream', { cause });
    this.name = 'UpstreamConnectionError';
  }
}

/** The stream carried an error object instead of a chunk (what OpenAI-compatible servers do mid-stream). */
export class UpstreamEventError extends Error {
  constructor(readonly detail: unknown) {
    super('upstream sent an error event');
    this.name = 'UpstreamEventError';
  }
}

/** What is asked of a model: the SPEC's prompt, streamed, with usage in the last chunk. */
export interface CompletionRequest {
  model: string;
  messages: PromptMessage[];
}

/** How much of an error body is kept (for debug logs). */
const ERROR_BODY_BYTES = 4096;

export interface CompletionStreamsOptions {
  /**
   * After a read that brought content, the connection is not read again for this long (the
   * kernel holds what arrives meanwhile), so a model sending a token every few milliseconds wakes
   * the process once per this long instead of once per token: each wake-up costs more than the
   * token's own work (docs/decisions/0012). 0: every read at once. The answer's first read is never held.
   */
  readPauseMs?: number;
  dispatcher?: Dispatcher;
}

/**
 * Streamed chat completions of an OpenAI-compatible endpoint, through undici's dispatcher with
 * eventsource-parser: the openai SDK's streaming path (fetch, web streams, its SSE decoder) cost
 * 1.8–2.0 ms of CPU per 50-chunk answer against 0.37 ms for undici (bench/probes/llm-stream-cost.ts),
 * and a handler of our own can hold off reading (readPauseMs). The SDK still serves the
 * non-streaming calls (query rewriting, embeddings). No retries and no timeouts of its own: the
 * answerer's deadlines and fallback are the policy.
 */
export class CompletionStreams {
  private readonly origin: string;
  private readonly path: string;
  private readonly headers: Record<string, string>;
  private readonly dispatcher: Dispatcher;
  private readonly readPauseMs: number;

  constructor(endpoint: LlmEndpoint, options: CompletionStreamsOptions = {}) {
    const url = new URL(`${endpoint.baseURL.replace(/\/+$/, '')}/chat/completions`);
    this.origin = url.origin;
    this.path = `${url.pathname}${url.search}`;
    this.headers = {
      'content-type': 'application/json',
      accept: 'text/event-stream',
      ...(endpoint.apiKey ? { authorization: `Bearer ${endpoint.apiKey}` } : {}),
    };
    this.dispatcher = options.dispatcher ?? new Agent({ headersTimeout: 0, bodyTimeout: 0, keepAliveTimeout: 4_000 });
    this.readPauseMs = options.readPauseMs ?? 0;
  }

  /**
   * Sends the request; resolves once a 2xx response's headers are in, with the chunks as they
   * arrive: each step is every whole chunk (parsed JSON) read since the last step, so deadlines
   * and bookkeeping are paid per read, not per token. Rejects with UpstreamConnectionError when
   * nothing answered, UpstreamStatusError on an error status; the chunks throw SyntaxError on bad
   * JSON and UpstreamEventError on an error event. Closing the chunks early (return) ends the request.
   */
  open(req: CompletionRequest, signal: AbortSignal): Promise<AsyncGenerator<unknown[], void, void>> {
    // Let go of the prompt once encoded: an open stream should not hold its sources' text.
    let body: Buffer | null = Buffer.from(
      JSON.stringify({ model: req.model, messages: req.messages, stream: true, stream_options: { include_usage: true } }),
    );
    const length = body.byteLength;
    // A stream, not the buffer: undici keeps a buffer body for the whole exchange.
    const bodyStream = Readable.from(
      (function* () {
        const bytes = body!;
        body = null;
        yield bytes;
      })(),
      { objectMode: false },
    );
    const reader = new ResponseReader(this.readPauseMs, signal);
    this.dispatcher.dispatch(
      { origin: this.origin, path: this.path, method: 'POST', headers: { ...this.headers, 'content-length': String(length) }, body: bodyStream },
      reader,
    );
    return reader.started;
  }
}

/** The dispatcher's handler of one response: its status first, then its chunks pulled by a generator. */
class ResponseReader implements Dispatcher.DispatchHandler {
  readonly started: Promise<AsyncGenerator<unknown[], void, void>>;
  private start!: { resolve: (chunks: AsyncGenerator<unknown[], void, void>) => void; reject: (err: unknown) => void };
  private controller: Dispatcher.DispatchController | null = null;
  private status = 0;
  private errorBody: Buffer[] = [];
  private errorBytes = 0;
  private batch: unknown[] = [];
  private ended = false;
  private failure: unknown = null;
  private done = false;
  private wake: (() => void) | null = null;
  private pauseTimer: NodeJS.Timeout | undefined;
  private pausing = false;
  private readonly decoder = new TextDecoder();
  private readonly parser = createParser({ onEvent: (e) => this.onEvent(e.data) });
  private readonly onAbort = () => this.controller?.abort(this.signal.reason instanceof Error ? this.signal.reason : new Error('aborted'));

  constructor(
    private readonly readPauseMs: number,
    private readonly signal: AbortSignal,
  ) {
    this.started = new Promise((resolve, reject) => (this.start = { resolve, reject }));
    this.started.catch(() => undefined);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.signal.aborted) return this.onAbort();
    this.signal.addEventListener('abort', this.onAbort, { once: true });
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number): void {
    this.status = statusCode;
    if (statusCode >= 200 && statusCode < 300) this.start.resolve(this.chunks());
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (!this.ok) {
      if (this.errorBytes < ERROR_BODY_BYTES) this.errorBody.push(chunk);
      this.errorBytes += chunk.byteLength;
      return;
    }
    const before = this.batch.length;
    this.parser.feed(this.decoder.decode(chunk, { stream: true }));
    if (this.batch.length === before && !this.failure) return;
    this.notify();
    // Text came: hold off the next read. Not after chunks without text (the role, say): the first
    // token is never held.
    if (this.readPauseMs > 0 && !this.pausing && !this.done && hasText(this.batch, before)) {
      // Once the rest of this network read is parsed (one read holds many HTTP chunks).
      this.pausing = true;
      queueMicrotask(() => {
        if (this.ended || controller.aborted) return;
        controller.pause();
        this.pauseTimer = setTimeout(() => {
          this.pausing = false;
          if (!controller.aborted) controller.resume();
        }, this.readPauseMs);
      });
    }
  }

  onResponseEnd(): void {
    this.finish();
    if (!this.ok) {
      const detail = Buffer.concat(this.errorBody).subarray(0, ERROR_BODY_BYTES).toString('utf8');
      this.start.reject(new UpstreamStatusError(this.status, detail));
      return;
    }
    this.parser.feed(this.decoder.decode());
    this.ended = true;
    this.notify();
  }

  onResponseError(_controller: Dispatcher.DispatchController, err: Error): void {
    this.finish();
    if (this.status === 0) {
      // Nothing answered: the caller may send once more (a kept-alive socket closing, say).
      this.start.reject(this.signal.aborted ? err : new UpstreamConnectionError(err));
      return;
    }
    if (!this.ok) {
      this.start.reject(new UpstreamStatusError(this.status, ''));
      return;
    }
    this.failure ??= err;
    this.notify();
  }

  private get ok(): boolean {
    return this.status >= 200 && this.status < 300;
  }

  private finish(): void {
    clearTimeout(this.pauseTimer);
    this.signal.removeEventListener('abort', this.onAbort);
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  private onEvent(data: string): void {
    if (this.done || this.failure) return;
    // After [DONE] the body is read to its end (nothing more is taken from it), so the kept-alive connection is reused.
    if (data.startsWith('[DONE]')) {
      this.done = true;
      return;
    }
    try {
      const parsed = JSON.parse(data) as unknown;
      if (parsed !== null && typeof parsed === 'object' && 'error' in parsed && parsed.error) this.failure = new UpstreamEventError(parsed.error);
      else this.batch.push(parsed);
    } catch (err) {
      this.failure = err;
    }
  }

  private async *chunks(): AsyncGenerator<unknown[], void, void> {
    try {
      for (;;) {
        if (this.batch.length > 0) {
          const out = this.batch;
          this.batch = [];
          yield out;
          continue;
        }
        if (this.failure) throw this.failure;
        if (this.ended) return;
        await new Promise<void>((resolve) => (this.wake = resolve));
      }
    } finally {
      // Closed early (an error, the caller done with it): the rest of the response is not wanted.
      if (!this.ended && !this.controller?.aborted) this.controller?.abort(new Error('closed by the reader'));
      this.finish();
    }
  }
}

/** Whether any chunk from `from` on carries text (choices[].delta.content). */
function hasText(chunks: unknown[], from: number): boolean {
  for (let i = from; i < chunks.length; i++) {
    const choices = (chunks[i] as { choices?: { delta?: { content?: unknown } }[] } | null)?.choices;
    if (Array.isArray(choices) && choices.some((c) => typeof c?.delta?.content === 'string' && c.delta.content.length > 0)) return true;
  }
  return false;
}
