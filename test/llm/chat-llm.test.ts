import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeLlm, type FakeLlm, type FakeReply } from '../../bench/fake-llm.js';
import type { DonePayload } from '../../src/contract/chat-events.js';
import type { Source } from '../../src/contract/chat-events.js';
import { jsonHeaders } from '../helpers/app.js';
import { answerText, parseSse, type SseEvent } from '../helpers/sse.js';
import { makeLoggedApp, type LoggedTestApp } from './llm-app.js';

const KEY = 'sk-test-DO-NOT-LEAK-4242';
const KICK = 'how do I make my kick cut through the mix?';
const GRACE_MS = 400;

let fake: FakeLlm;
let t: LoggedTestApp;
beforeAll(async () => {
  fake = await startFakeLlm();
  t = await makeLoggedApp({
    LLM_BASE_URL: fake.baseUrl,
    LLM_API_KEY: KEY,
    LLM_MODEL: 'primary-model',
    LLM_FALLBACK_MODEL: 'fallback-model',
    // Short enough for quick tests, long enough for a busy two-core machine to answer in time.
    LLM_FIRST_TOKEN_TIMEOUT_MS: '1000',
    LLM_IDLE_TIMEOUT_MS: '600',
    CHAT_RESUME_GRACE_MS: String(GRACE_MS),
  });
});
afterAll(async () => {
  // Node's fetch keeps a spare connection open for a few seconds; the app need not wait for it.
  t?.app.server.closeAllConnections();
  await t?.close();
  await fake?.close();
});
beforeEach(() => {
  fake.reset();
  fake.requests.length = 0;
});

/** Streaming requests get `answer`; the non-streaming rewrite call repeats the question. */
const answering = (answer: FakeReply | ((model: string) => FakeReply)) => (r: { stream: boolean; model: string; messages: { content: string }[] }) =>
  r.stream ? (typeof answer === 'function' ? answer(r.model) : answer) : { text: KICK };

async function chat(body: Record<string, unknown>) {
  const res = await t.app.inject({ method: 'POST', url: '/api/v1/chat', headers: jsonHeaders, payload: body });
  expect(res.statusCode).toBe(200);
  const { events } = parseSse(res.body);
  const terminal = events.filter((e) => e.event === 'done' || e.event === 'error');
  expect(terminal).toHaveLength(1);
  expect(events.at(-1)).toBe(terminal[0]);
  const messageId = String(events[0]?.id).split(':')[0]!;
  return { events, text: answerText(events), end: terminal[0] as SseEvent, messageId, sources: events[0]?.data as Source[] };
}

describe('chat answered by an OpenAI-compatible model', () => {
  it('relays the tokens in order; done has the model, usage, fallback_used false and latency; the stored turn is the streamed text', async () => {
    const tokens = ['Cut ', 'a notch ', 'in the bass ', 'around 60 Hz ', 'so the kick ', 'owns it [1].'];
    fake.reset(answering({ tokens, usage: { prompt_tokens: 321, completion_tokens: 6 } }));
    const { events, text, end, messageId } = await chat({ query: KICK });
    expect(events.filter((e) => e.event === 'token').map((e) => (e.data as { text: string }).text)).toEqual(tokens);
    expect(end.event).toBe('done');
    const done = end.data as DonePayload;
    expect(done).toMatchObject({
      model: 'primary-model',
      fallback_used: false,
      finish_reason: 'stop',
      usage: { prompt_tokens: 321, completion_tokens: 6 },
      citations: [1],
      invalid_citations: [],
    });
    expect(done.latency_ms.first_token).toEqual(expect.any(Number));
    expect(done.latency_ms.total).toBeGreaterThanOrEqual(done.latency_ms.first_token ?? 0);
    const stored = await t.deps.conversations.getTurn(messageId);
    expect(stored).toMatchObject({ answer: text, model: 'primary-model', finish_reason: 'stop', fallback_used: false });
    expect(stored?.usage).toEqual({ prompt_tokens: 321, completion_tokens: 6 });
  });

  it('answers with the fallback model when the primary answers 500', async () => {
    fake.reset(answering((model) => (model === 'primary-model' ? { status: 500 } : { text: 'From the fallback [1].' })));
    const { text, end } = await chat({ query: KICK });
    expect(text).toBe('From the fallback [1].');
    expect(end.data).toMatchObject({ model: 'fallback-model', fallback_used: true });
  });

  it('answers with the fallback model when the primary is silent past the first-token timeout', async () => {
    fake.reset(answering((model) => (model === 'primary-model' ? { firstTokenDelayMs: 5_000 } : { text: 'Fallback again [1].' })));
    const { text, end, messageId } = await chat({ query: KICK });
    expect(text).toBe('Fallback again [1].');
    expect(end.data).toMatchObject({ model: 'fallback-model', fallback_used: true });
    expect(await t.deps.conversations.getTurn(messageId)).toMatchObject({ model: 'fallback-model', fallback_used: true });
  });

  it('sends one llm_unavailable error when both models fail, and stores the turn as an error', async () => {
    fake.reset(answering({ status: 500 }));
    const { events, end, messageId } = await chat({ query: KICK });
    expect(events.map((e) => e.event)).toEqual(['sources', 'error']);
    expect(end.data).toEqual({ error: 'The language model is unavailable', code: 'llm_unavailable' });
    expect(await t.deps.conversations.getTurn(messageId)).toMatchObject({ answer: '', finish_reason: 'error' });
  });

  it('sends one llm_timeout error when both models stay silent', async () => {
    fake.reset(answering({ stallAfterTokens: 0 }));
    const { events, end, messageId } = await chat({ query: KICK });
    expect(events.map((e) => e.event)).toEqual(['sources', 'error']);
    expect(end.data).toMatchObject({ code: 'llm_timeout' });
    expect((await t.deps.conversations.getTurn(messageId))?.finish_reason).toBe('error');
  });

  it('does not fall back after tokens: the error follows the partial text, which is stored', async () => {
    fake.reset(answering({ text: 'High-pass the reverb return so the low end stays dry', dropAfterTokens: 4 }));
    const { events, text, end, messageId } = await chat({ query: KICK });
    expect(text).toBe('High-pass the reverb return ');
    expect(events.map((e) => e.event)).toEqual(['sources', 'token', 'token', 'token', 'token', 'error']);
    expect(end.data).toMatchObject({ code: 'llm_unavailable' });
    expect(fake.requests.filter((r) => r.stream).map((r) => r.model)).toEqual(['primary-model']);
    expect(await t.deps.conversations.getTurn(messageId)).toMatchObject({ answer: text, finish_reason: 'error', model: 'primary-model' });
  });

  it('ends with llm_timeout after an idle gap between tokens, keeping the partial text', async () => {
    fake.reset(answering({ text: 'one two three four', stallAfterTokens: 2 }));
    const { text, end, messageId } = await chat({ query: KICK });
    expect(text).toBe('one two ');
    expect(end.data).toMatchObject({ code: 'llm_timeout' });
    expect(await t.deps.conversations.getTurn(messageId)).toMatchObject({ answer: 'one two ', finish_reason: 'error' });
  });

  it('lists an [n] beyond the sources in invalid_citations, and stores it', async () => {
    fake.reset(answering({ text: 'Sidechain the bass [1], then saturate [2] and trust [99].' }));
    const { end, sources, messageId } = await chat({ query: KICK });
    expect(sources.length).toBeGreaterThanOrEqual(2);
    expect(sources.length).toBeLessThan(99);
    expect(end.data).toMatchObject({ citations: [1, 2], invalid_citations: [99] });
    expect(await t.deps.conversations.getTurn(messageId)).toMatchObject({ citations: [1, 2], invalid_citations: [99] });
  });

  it("never lets the upstream's message, host or key reach an event, an error body or a log line", async () => {
    const upstreamSecret = 'UPSTREAM-SECRET-7f3a internal-llm.corp.example:8443 sk-live-leaked';
    fake.reset(answering({ status: 500, body: JSON.stringify({ error: { message: upstreamSecret } }) }));
    const before = t.logs.length;
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/chat', headers: jsonHeaders, payload: { query: KICK } });
    const lines = t.logs.slice(before);
    expect(lines.some((l) => l.includes('llm failed'))).toBe(true);
    const host = new URL(fake.baseUrl).host;
    for (const text of [res.body, JSON.stringify(res.headers), ...lines]) {
      expect(text).not.toContain('UPSTREAM-SECRET');
      expect(text).not.toContain('internal-llm.corp');
      expect(text).not.toContain('sk-live');
      expect(text).not.toContain(KEY);
      expect(text).not.toContain(host);
    }
    // The key did travel where it belongs: to the model.
    expect(fake.requests[0]?.authorization).toBe(`Bearer ${KEY}`);
  });

  it('when the client closes mid-answer and no one resumes within CHAT_RESUME_GRACE_MS, aborts the upstream request within 1 s of it, and stores the turn as client_closed', async () => {
    const words = Array.from({ length: 60 }, (_, i) => `word${i}`).join(' ');
    fake.reset(answering({ text: words, tokenIntervalMs: 50 }));
    const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const client = new AbortController();
    const res = await fetch(`${address}/api/v1/chat`, {
      method: 'POST',
      headers: jsonHeaders,
      body: JSON.stringify({ query: KICK }),
      signal: client.signal,
    });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let received = '';
    while ((received.match(/event: token/g) ?? []).length < 3) {
      const { value, done } = await reader.read();
      if (done) break;
      received += decoder.decode(value, { stream: true });
    }
    const messageId = /^id: ([0-9a-f-]{36}):/m.exec(received)?.[1];
    expect(messageId).toBeDefined();
    const upstream = fake.requests.find((r) => r.stream)!;
    expect(upstream.endedAt).toBeNull();

    const closedAt = performance.now();
    client.abort();
    await upstream.ended;
    expect(upstream.aborted).toBe(true);
    // The answer went on through the grace (a reader could have come back), then stopped.
    expect(upstream.endedAt! - closedAt).toBeGreaterThanOrEqual(GRACE_MS - 20);
    expect(upstream.endedAt! - closedAt).toBeLessThan(GRACE_MS + 1000);
    expect(await t.app.inject({ url: '/metrics' }).then((r) => r.body)).toMatch(/^chrysopedia_chat_resume_grace_timeouts_total 1$/m);

    let turn = await t.deps.conversations.getTurn(messageId!);
    for (let i = 0; i < 50 && turn?.finish_reason === 'streaming'; i++) {
      await new Promise((r) => setTimeout(r, 20));
      turn = await t.deps.conversations.getTurn(messageId!);
    }
    expect(turn?.finish_reason).toBe('client_closed');
    expect(turn?.model).toBe('primary-model');
    expect(turn?.answer.length).toBeGreaterThan(0);
    expect(words.startsWith(turn!.answer)).toBe(true);
    expect(turn!.answer.length).toBeLessThan(words.length);
  });
});
