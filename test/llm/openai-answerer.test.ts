import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeLlm, type FakeLlm } from '../../bench/fake-llm.js';
import type { AnswerOutcome, AnswerRequest } from '../../src/llm/answerer.js';
import { LlmError } from '../../src/llm/llm-error.js';
import { OpenAiAnswerer } from '../../src/llm/openai-answerer.js';
import { CompletionStreams } from '../../src/llm/completion-streams.js';

let fake: FakeLlm;
beforeAll(async () => {
  fake = await startFakeLlm();
});
afterAll(async () => fake.close());
beforeEach(() => {
  fake.reset();
  fake.requests.length = 0;
});

function answerer(options: { fallback?: boolean; firstTokenTimeoutMs?: number; idleTimeoutMs?: number } = {}) {
  const completions = new CompletionStreams({ baseURL: fake.baseUrl, apiKey: 'sk-test' });
  return new OpenAiAnswerer({
    primary: { completions, model: 'primary-model' },
    fallback: options.fallback === false ? null : { completions, model: 'fallback-model' },
    firstTokenTimeoutMs: options.firstTokenTimeoutMs ?? 800,
    idleTimeoutMs: options.idleTimeoutMs ?? 600,
    log: pino({ level: 'silent' }),
  });
}

const request = (signal = new AbortController().signal): AnswerRequest => ({
  question: 'how do I make my kick cut through?',
  sources: [],
  scope: { tier: 'none', askedCreator: null },
  messages: [
    { role: 'system', content: 'Answer only from the sources.' },
    { role: 'user', content: 'how do I make my kick cut through?' },
  ],
  signal,
});

async function run(a: OpenAiAnswerer, req = request(), onPiece?: (piece: string) => void) {
  const pieces: string[] = [];
  const gen = a.answer(req);
  try {
    for (;;) {
      const step = await gen.next();
      if (step.done) return { pieces, outcome: step.value as AnswerOutcome, error: null };
      pieces.push(step.value);
      onPiece?.(step.value);
    }
  } catch (error) {
    return { pieces, outcome: null, error: error as LlmError };
  }
}

describe('OpenAiAnswerer over a fake OpenAI-compatible server', () => {
  it('relays the tokens in order and reports the model, usage and finish reason', async () => {
    fake.reset({ tokens: ['Boost ', 'around ', '2 kHz ', '[1].'], usage: { prompt_tokens: 42, completion_tokens: 4 } });
    const { pieces, outcome, error } = await run(answerer());
    expect(error).toBeNull();
    expect(pieces).toEqual(['Boost ', 'around ', '2 kHz ', '[1].']);
    expect(outcome).toEqual({ model: 'primary-model', fallbackUsed: false, finishReason: 'stop', usage: { prompt_tokens: 42, completion_tokens: 4 } });
    const [sent] = fake.requests;
    expect(sent).toMatchObject({ model: 'primary-model', stream: true, body: { stream_options: { include_usage: true } } });
    expect(sent?.messages.map((m) => m.role)).toEqual(['system', 'user']);
    // The body goes as bytes of a known length (some local servers refuse chunked requests).
    expect(Number(sent?.contentLength)).toBe(Buffer.byteLength(JSON.stringify(sent?.body)));
    expect(sent?.transferEncoding).toBeUndefined();
  });

  it('reports a length cut as finish_reason length', async () => {
    fake.reset({ text: 'cut short', finishReason: 'length' });
    expect((await run(answerer())).outcome?.finishReason).toBe('length');
  });

  it('answers with the fallback model when the primary fails before its first token', async () => {
    fake.reset((r) => (r.model === 'primary-model' ? { status: 500, body: '{"error":{"message":"boom"}}' } : { text: 'Fallback here [1].' }));
    const { pieces, outcome } = await run(answerer());
    expect(pieces.join('')).toBe('Fallback here [1].');
    expect(outcome).toMatchObject({ model: 'fallback-model', fallbackUsed: true });
    expect(fake.requests.map((r) => r.model)).toEqual(['primary-model', 'fallback-model']);
  });

  it('answers with the fallback when the primary sends no token within the first-token timeout, and aborts the primary', async () => {
    fake.reset((r) => (r.model === 'primary-model' ? { stallAfterTokens: 0 } : { text: 'Fallback.' }));
    const { outcome } = await run(answerer());
    expect(outcome).toMatchObject({ model: 'fallback-model', fallbackUsed: true });
    await fake.requests[0]?.ended;
    expect(fake.requests[0]?.aborted).toBe(true);
  });

  it('fails with llm_unavailable when both models fail, and llm_timeout when both stay silent', async () => {
    fake.reset({ status: 429, body: '{"error":{"message":"slow down"}}' });
    const failed = await run(answerer());
    expect(failed.error).toBeInstanceOf(LlmError);
    expect(failed.error?.code).toBe('llm_unavailable');
    expect(failed.error?.failure).toMatchObject({ reason: 'http_status', status: 429, model: 'fallback-model', fallbackUsed: true });

    fake.reset({ firstTokenDelayMs: 5_000 });
    const silent = await run(answerer());
    expect(silent.error?.code).toBe('llm_timeout');
    expect(fake.requests.map((r) => r.model)).toEqual(['primary-model', 'fallback-model', 'primary-model', 'fallback-model']);
  });

  it('sends once more when the connection resets before any response (a kept-alive socket closing), without using the fallback', async () => {
    fake.reset({ text: 'Second try [1].' });
    fake.enqueue({ resetBeforeResponse: true });
    const { pieces, outcome, error } = await run(answerer());
    expect(error).toBeNull();
    expect(pieces.join('')).toBe('Second try [1].');
    expect(outcome).toMatchObject({ model: 'primary-model', fallbackUsed: false });
    expect(fake.requests.map((r) => r.model)).toEqual(['primary-model', 'primary-model']);
  });

  it('sends only once more: a connection that resets twice is the fallback\'s turn, and without one llm_unavailable', async () => {
    fake.reset((r) => (r.model === 'primary-model' ? { resetBeforeResponse: true } : { text: 'Fallback.' }));
    const { outcome } = await run(answerer());
    expect(outcome).toMatchObject({ model: 'fallback-model', fallbackUsed: true });
    expect(fake.requests.map((r) => r.model)).toEqual(['primary-model', 'primary-model', 'fallback-model']);

    fake.requests.length = 0;
    const { error } = await run(answerer({ fallback: false }));
    expect(error?.code).toBe('llm_unavailable');
    expect(error?.failure?.reason).toBe('connection');
    expect(fake.requests).toHaveLength(2);
  });

  it('does not send again after an HTTP error status', async () => {
    fake.reset({ status: 502 });
    await run(answerer({ fallback: false }));
    expect(fake.requests).toHaveLength(1);
  });

  it('without a fallback, a failing primary is the answer: llm_unavailable', async () => {
    fake.reset({ status: 503 });
    const { error } = await run(answerer({ fallback: false }));
    expect(error?.code).toBe('llm_unavailable');
    expect(fake.requests).toHaveLength(1);
  });

  it('never falls back after tokens: a connection dropped mid-stream fails after the partial text', async () => {
    fake.reset({ text: 'one two three four five', dropAfterTokens: 2 });
    const { pieces, error } = await run(answerer());
    expect(pieces.join('')).toBe('one two ');
    expect(error?.code).toBe('llm_unavailable');
    expect(fake.requests).toHaveLength(1);
  });

  it('an error event or bad JSON in the stream: before any token the fallback answers, after tokens the answer fails after the partial text', async () => {
    for (const after of ['data: {"error":{"message":"overloaded"}}\n\n', 'data: {"choices": [\n\n']) {
      fake.reset((r) => (r.model === 'primary-model' ? { tokens: [], after } : { text: 'Fallback.' }));
      const early = await run(answerer());
      expect(early.outcome).toMatchObject({ model: 'fallback-model', fallbackUsed: true });
      expect(early.pieces.join('')).toBe('Fallback.');

      fake.reset({ text: 'one two', after });
      const late = await run(answerer());
      expect(late.pieces.join('')).toBe('one two');
      expect(late.error?.code).toBe('llm_unavailable');
      expect(late.error?.failure?.reason).toBe(after.includes('error') ? 'connection' : 'malformed_response');
    }
  });

  it('ends with llm_timeout when the gap between tokens exceeds the idle timeout', async () => {
    fake.reset({ text: 'one two three', stallAfterTokens: 1 });
    const { pieces, error } = await run(answerer({ idleTimeoutMs: 200 }));
    expect(pieces).toEqual(['one ']);
    expect(error?.code).toBe('llm_timeout');
    expect(error?.failure?.reason).toBe('idle_timeout');
    await fake.requests[0]?.ended;
    expect(fake.requests[0]?.aborted).toBe(true);
    expect(fake.requests).toHaveLength(1);
  });

  it('treats a stream that ends without a finish reason as cut off, not as an answer', async () => {
    fake.reset((r) => (r.model === 'primary-model' ? { tokens: [], finishReason: 'stop', usage: null } : { text: 'Fallback.' }));
    const { outcome } = await run(answerer());
    expect(outcome?.model).toBe('fallback-model');
  });

  it('stops when the signal aborts, without an error, and aborts the upstream request', async () => {
    fake.reset({ text: 'a b c d e f g h i j k l m n o p', tokenIntervalMs: 50 });
    const client = new AbortController();
    const { pieces, outcome, error } = await run(answerer({ idleTimeoutMs: 5_000 }), request(client.signal), (p) => {
      if (p === 'b ') client.abort();
    });
    expect(error).toBeNull();
    expect(outcome?.model).toBe('primary-model');
    expect(pieces.length).toBeLessThan(16);
    await fake.requests[0]?.ended;
    expect(fake.requests[0]?.aborted).toBe(true);
    expect(fake.requests).toHaveLength(1);
  });

  it("never carries the upstream's message, host or key in the error it throws", async () => {
    fake.reset({ status: 500, body: '{"error":{"message":"SECRET-UPSTREAM-DETAIL at internal-llm.corp"}}' });
    const { error } = await run(answerer());
    const shown = JSON.stringify({ message: error?.message, code: error?.code, failure: error?.failure });
    expect(shown).not.toContain('SECRET-UPSTREAM-DETAIL');
    expect(shown).not.toContain(new URL(fake.baseUrl).host);
    expect(shown).not.toContain('sk-test');
    expect(error?.message).toBe('The language model is unavailable');
  });

  it('reports an unreachable endpoint as llm_unavailable without naming its host', async () => {
    const closed = await startFakeLlm();
    await closed.close();
    const unreachable = new OpenAiAnswerer({
      primary: { completions: new CompletionStreams({ baseURL: closed.baseUrl, apiKey: 'sk-test' }), model: 'primary-model' },
      fallback: null,
      firstTokenTimeoutMs: 2_000,
      idleTimeoutMs: 2_000,
      log: pino({ level: 'silent' }),
    });
    const { error } = await run(unreachable);
    expect(error?.code).toBe('llm_unavailable');
    expect(error?.failure?.reason).toBe('connection');
    expect(JSON.stringify({ message: error?.message, failure: error?.failure })).not.toContain(new URL(closed.baseUrl).port);
  });
});
