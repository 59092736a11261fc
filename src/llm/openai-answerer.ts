import type { OpenAI } from 'openai';
import type { Logger } from 'pino';
import type { AnswerOutcome, AnswerRequest, Answerer, PromptMessage } from './answerer.js';
import { toLlmError } from './classify-error.js';
import { chunkSchema, type Usage } from './completion-schema.js';
import { UpstreamConnectionError, type CompletionStreams } from './completion-streams.js';
import { WaitDeadline } from './deadline.js';
import { LlmError } from './llm-error.js';

/** A model at an endpoint, through the SDK (non-streaming calls: query rewriting). */
export interface LlmTarget {
  client: OpenAI;
  model: string;
}

/** A model at an endpoint, for streamed answers. */
export interface StreamTarget {
  completions: CompletionStreams;
  model: string;
}

export interface OpenAiAnswererOptions {
  primary: StreamTarget;
  fallback: StreamTarget | null;
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

  answer(request: AnswerRequest): AsyncGenerator<string, AnswerOutcome, void> {
    // The prompt is needed until a model answers (the fallback sends it again), then no more: an
    // open stream should not hold its sources' text. So the generator gets it through a holder
    // it empties, and never the request itself.
    let prompt: PromptMessage[] | null = request.messages;
    return this.run(request.signal, () => prompt ?? [], () => (prompt = null));
  }

  private async *run(signal: AbortSignal, prompt: () => PromptMessage[], release: () => void): AsyncGenerator<string, AnswerOutcome, void> {
    const { primary, fallback, log } = this.options;
    const targets = fallback ? [primary, fallback] : [primary];
    let failure: LlmError | null = null;
    for (const [i, target] of targets.entries()) {
      const fallbackUsed = i > 0;
      const outcome: AnswerOutcome = { model: target.model, fallbackUsed, finishReason: 'stop', usage: NO_USAGE };
      if (signal.aborted) return outcome;
      const attempt = this.attempt(target, prompt(), signal, outcome);
      let yielded = false;
      try {
        for (;;) {
          const step = await attempt.next();
          if (step.done) return step.value;
          if (!yielded) release();
          yielded = true;
          yield step.value;
        }
      } catch (err) {
        // The client went away: nothing failed, the answer just stops here.
        if (signal.aborted) return outcome;
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
  private async *attempt(target: StreamTarget, messages: PromptMessage[], signal: AbortSignal, outcome: AnswerOutcome): AsyncGenerator<string, AnswerOutcome, void> {
    const { firstTokenTimeoutMs, idleTimeoutMs } = this.options;
    const upstream = new AbortController();
    const onAbort = () => upstream.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    const startedAt = performance.now();
    const deadline = new WaitDeadline();
    let first = true;
    let finishReason: string | null = null;
    let chunks: AsyncGenerator<unknown[], void, void> | undefined;
    // Read to its end: the request is over, and aborting it would only build an AbortError.
    let ended = false;
    try {
      // Until the first token one deadline covers connecting, headers and empty chunks.
      const untilFirst = () => firstTokenTimeoutMs - (performance.now() - startedAt);
      chunks = await deadline.wait(openChunks(target, messages, upstream.signal), untilFirst(), 'first_token_timeout');
      messages = [];
      for (;;) {
        const step = first
          ? await deadline.wait(chunks.next(), untilFirst(), 'first_token_timeout')
          : await deadline.wait(chunks.next(), idleTimeoutMs, 'idle_timeout');
        if (step.done) {
          ended = true;
          break;
        }
        for (const value of step.value) {
          const parsed = chunkSchema.safeParse(value);
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
      }
      // A stream that ends without saying why was cut off: its text must not pass for an answer.
      if (finishReason === null) throw new LlmError('llm_unavailable', undefined, { reason: 'truncated' });
      if (first) throw new LlmError('llm_unavailable', undefined, { reason: 'empty' });
      outcome.finishReason = finishReason === 'length' ? 'length' : 'stop';
      return outcome;
    } finally {
      deadline.clear();
      signal.removeEventListener('abort', onAbort);
      // Closing the attempt early (client gone, deadline, error) must not leave the request open.
      if (!ended) {
        upstream.abort();
        chunks?.return().catch(() => undefined);
      }
    }
  }
}

/** The chunks of one request, as CompletionStreams.open gives them (one array per network read). */
async function openChunks(target: StreamTarget, messages: PromptMessage[], signal: AbortSignal): Promise<AsyncGenerator<unknown[], void, void>> {
  const open = () => target.completions.open({ model: target.model, messages }, signal);
  try {
    return await open();
  } catch (err) {
    // No response at all (the connection reset or refused before any header): most often a
    // kept-alive socket the server closed just as the request went out, a race no client can
    // avoid. Sending once more on a fresh connection is safe, as nothing was answered; statuses
    // and anything after the headers go to the fallback instead.
    if (!(err instanceof UpstreamConnectionError) || signal.aborted) throw err;
    return open();
  }
}
