import { Readable } from 'node:stream';
import { createParser } from 'eventsource-parser';
import { Agent, request, type Dispatcher } from 'undici';
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

/**
 * Streamed chat completions of an OpenAI-compatible endpoint, read with undici's `request` and
 * eventsource-parser: the openai SDK's streaming path (fetch, web streams, its SSE decoder) cost
 * 1.8–2.0 ms of CPU per 50-chunk answer against 0.37 ms for this (bench/probes/llm-stream-cost.ts;
 * docs/decisions/0012). The SDK still serves the non-streaming calls (query rewriting, embeddings).
 * No retries and no timeouts of its own: the answerer's deadlines and fallback are the policy.
 */
export class CompletionStreams {
  private readonly url: string;
  private readonly headers: Record<string, string>;

  constructor(
    endpoint: LlmEndpoint,
    private readonly dispatcher: Dispatcher = new Agent({ headersTimeout: 0, bodyTimeout: 0, keepAliveTimeout: 4_000 }),
  ) {
    this.url = `${endpoint.baseURL.replace(/\/+$/, '')}/chat/completions`;
    this.headers = {
      'content-type': 'application/json',
      accept: 'text/event-stream',
      ...(endpoint.apiKey ? { authorization: `Bearer ${endpoint.apiKey}` } : {}),
    };
  }

  /**
   * Sends the request; resolves once a 2xx response's headers are in, with the chunks as they
   * arrive: each step is every whole chunk (parsed JSON) of one network read, so deadlines and
   * bookkeeping are paid per read, not per token. Rejects with UpstreamConnectionError when nothing
   * answered, UpstreamStatusError on an error status; the chunks throw SyntaxError on bad JSON and
   * UpstreamEventError on an error event. Closing the chunks early (return) ends the request.
   */
  async open(req: CompletionRequest, signal: AbortSignal): Promise<AsyncGenerator<unknown[], void, void>> {
    // Let go of the prompt once encoded: an open stream should not hold its sources' text.
    let body: Buffer | null = Buffer.from(
      JSON.stringify({ model: req.model, messages: req.messages, stream: true, stream_options: { include_usage: true } }),
    );
    const length = body.byteLength;
    let response: Dispatcher.ResponseData;
    try {
      response = await request(this.url, {
        method: 'POST',
        dispatcher: this.dispatcher,
        signal,
        headers: { ...this.headers, 'content-length': String(length) },
        // A stream, not the buffer: undici keeps a buffer body for the whole exchange.
        body: Readable.from(
          (function* () {
            const bytes = body!;
            body = null;
            yield bytes;
          })(),
          { objectMode: false },
        ),
      });
    } catch (err) {
      if (signal.aborted) throw err;
      throw new UpstreamConnectionError(err);
    }
    body = null;
    if (response.statusCode < 200 || response.statusCode >= 300) {
      throw new UpstreamStatusError(response.statusCode, await readStart(response.body));
    }
    return chunksOf(response.body);
  }
}

async function readStart(stream: Dispatcher.ResponseData['body']): Promise<string> {
  const parts: Buffer[] = [];
  let size = 0;
  try {
    for await (const part of stream) {
      parts.push(part as Buffer);
      size += (part as Buffer).byteLength;
      if (size >= ERROR_BODY_BYTES) break;
    }
  } catch {
    // The status says enough.
  }
  return Buffer.concat(parts).subarray(0, ERROR_BODY_BYTES).toString('utf8');
}

async function* chunksOf(stream: Dispatcher.ResponseData['body']): AsyncGenerator<unknown[], void, void> {
  let batch: unknown[] = [];
  let done = false;
  let failure: Error | null = null;
  const parser = createParser({
    onEvent: (e) => {
      if (done || failure) return;
      if (e.data.startsWith('[DONE]')) {
        done = true;
        return;
      }
      try {
        const data = JSON.parse(e.data) as unknown;
        if (data !== null && typeof data === 'object' && 'error' in data && data.error) failure = new UpstreamEventError(data.error);
        else batch.push(data);
      } catch (err) {
        failure = err as Error;
      }
    },
  });
  const decoder = new TextDecoder();
  try {
    for await (const bytes of stream) {
      parser.feed(decoder.decode(bytes as Buffer, { stream: true }));
      if (batch.length > 0) {
        const out = batch;
        batch = [];
        yield out;
      }
      if (failure) throw failure;
      // After [DONE] the body is read to its end (nothing more is taken from it), so the kept-alive connection is reused.
    }
    parser.feed(decoder.decode());
    if (batch.length > 0) yield batch;
    if (failure) throw failure;
  } finally {
    // Ended early (an error, the caller closing): the rest of the body is not wanted.
    if (!stream.readableEnded && !stream.destroyed) stream.destroy();
  }
}
