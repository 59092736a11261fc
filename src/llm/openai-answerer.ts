import { APIConnectionError, APIConnectionTimeoutError, type OpenAI } from 'openai';
import type { Logger } from 'pino';
import type { AnswerOutcome, AnswerRequest, Answerer } from './answerer.js';
import { toLlmError } from './classify-error.js';
import { chunkSchema, type Usage } from './completion-schema.js';
import { within } from './deadline.js';
import { LlmError } from './llm-error.js';

/** A model at an endpoint. */
export interface LlmTarget {
  client: OpenAI;
  model: string;
}

export interface OpenAiAnswererOptions {
  primary: LlmTarget;
  fallback: LlmTarget | null;
  /** No token from a model within this long: its attempt failed (the fallback may answer). */
  firstTokenTimeoutMs: number;
  /** A gap this long between tokens ends the answer with llm_timeout. */
  idleTimeoutMs: number;
  log: Logger;
}

const NO_USAGE: Usage = { prompt_tokens: 0, completion_tokens: 0 };

/**
 * Streams from an OpenAI-compatible chat-completions endpoint. Before the first token a failing or
 * silent primary hands over to the fallback model; once a token was yielded the answer is that
 * model's, and a failure ends it (the SPEC never splices two models' text).
 */
export class OpenAiAnswerer implements Answerer {
  readonly kind = 'llm' as const;
  constructor(private readonly options: OpenAiAnswererOptions) {}

  async *answer(request: AnswerRequest): AsyncGenerator<string, AnswerOutcome, void> {
    const { primary, fallback, log } = this.options;
    const targets = fallback ? [primary, fallback] : [primary];
    let failure: LlmError | null = null;
    for (const [i, target] of targets.entries()) {
      const fallbackUsed = i > 0;
      const outcome: AnswerOutcome = { model: target.model, fallbackUsed, finishReason: 'stop', usage: NO_USAGE };
      if (request.signal.aborted) return outcome;
      const attempt = this.attempt(target, request, outcome);
      let yielded = false;
      try {
        for (;;) {
          const step = await attempt.next();
          if (step.done) return step.value;
          yielded = true;
          yield step.value;
        }
      } catch (err) {
        // The client went away: nothing failed, the answer just stops here.
        if (request.signal.aborted) return outcome;
        failure = toLlmError(err, { model: target.model, fallbackUsed });
        if (yielded) throw failure;
        if (i + 1 < targets.length) {
          log.warn({ upstream: failure.failure, code: failure.code }, 'primary language model failed before its first token; using the fallback');
        }
      } finally {
        await attempt.return(outcome);
      }
    }
    throw failure ?? new LlmError('llm_unavailable');
  }

  /** One request to one model: its text pieces, then its outcome. Aborts the request when closed. */
  private async *attempt(target: LlmTarget, request: AnswerRequest, outcome: AnswerOutcome): AsyncGenerator<string, AnswerOutcome, void> {
    const { firstTokenTimeoutMs, idleTimeoutMs } = this.options;
    const upstream = new AbortController();
    const onAbort = () => upstream.abort();
    request.signal.addEventListener('abort', onAbort, { once: true });
    const startedAt = performance.now();
    let first = true;
    let finishReason: string | null = null;
    try {
      const chunks = openStream(target, request, upstream.signal);
      for (;;) {
        // Until the first token one deadline covers connecting, headers and empty chunks.
        const step = first
          ? await within(chunks.next(), firstTokenTimeoutMs - (performance.now() - startedAt), 'first_token_timeout')
          : await within(chunks.next(), idleTimeoutMs, 'idle_timeout');
        if (step.done) break;
        const parsed = chunkSchema.safeParse(step.value);
        if (!parsed.success) throw new LlmError('llm_unavailable', parsed.error, { reason: 'malformed_response' });
        const chunk = parsed.data;
        if (chunk.usage) outcome.usage = chunk.usage;
        for (const choice of chunk.choices) {
          finishReason = choice.finish_reason ?? finishReason;
          const text = choice.delta?.content;
          if (text) {
            first = false;
            yield text;
          }
        }
      }
      // A stream that ends without saying why was cut off: its text must not pass for an answer.
      if (finishReason === null) throw new LlmError('llm_unavailable', undefined, { reason: 'truncated' });
      if (first) throw new LlmError('llm_unavailable', undefined, { reason: 'empty' });
      outcome.finishReason = finishReason === 'length' ? 'length' : 'stop';
      return outcome;
    } finally {
      request.signal.removeEventListener('abort', onAbort);
      // Closing the attempt early (client gone, deadline, error) must not leave the request open.
      upstream.abort();
    }
  }
}

async function* openStream(target: LlmTarget, request: AnswerRequest, signal: AbortSignal): AsyncGenerator<unknown, void, void> {
  const create = () =>
    target.client.chat.completions.create(
      { model: target.model, messages: request.messages, stream: true, stream_options: { include_usage: true } },
      { signal, maxRetries: 0 },
    );
  let stream: Awaited<ReturnType<typeof create>>;
  try {
    stream = await create();
  } catch (err) {
    // No response at all (the connection reset or refused before any header): most often a
    // kept-alive socket the server closed just as the request went out, a race no client can
    // avoid. Sending once more on a fresh connection is safe, as nothing was answered; statuses,
    // timeouts and anything after the headers go to the fallback instead.
    if (!(err instanceof APIConnectionError) || err instanceof APIConnectionTimeoutError || signal.aborted) throw err;
    stream = await create();
  }
  yield* stream;
}
