import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeLlm, type FakeLlm, type FakeReply } from '../../bench/fake-llm.js';
import type { DonePayload } from '../../src/contract/chat-events.js';
import type { Source } from '../../src/contract/chat-events.js';
import { cleanRewrite } from '../../src/llm/llm-query-rewriter.js';
import { jsonHeaders } from '../helpers/app.js';
import { parseSse } from '../helpers/sse.js';
import { makeLoggedApp, type LoggedTestApp } from './llm-app.js';

const KICK = 'how do I make my kick cut through the mix?';
const FOLLOW_UP = 'and what about with reverb?';
const REWRITTEN = 'How do I use reverb on a kick so it still cuts through the mix?';
const MERGED = `${KICK} ${FOLLOW_UP}`;
// The passage that answers the pair, which the follow-up alone does not find.
const KICK_PASSAGE = 'Kick cut-through in busy mixes';

async function ask(t: LoggedTestApp, query: string, conversationId: string | null = null) {
  const res = await t.app.inject({ method: 'POST', url: '/api/v1/chat', headers: jsonHeaders, payload: { query, conversation_id: conversationId } });
  expect(res.statusCode).toBe(200);
  const { events } = parseSse(res.body);
  const done = events.at(-1)?.data as DonePayload;
  const turn = await t.deps.conversations.getTurn(done.message_id);
  return { done, sources: events[0]?.data as Source[], searchQuery: turn!.search_query };
}

async function searchIds(t: LoggedTestApp, q: string) {
  const res = await t.app.inject({ url: `/api/v1/search?q=${encodeURIComponent(q)}` });
  return (res.json() as { results: Source[] }).results.map((r) => r.passage_id);
}

/** Asks the kick question, then the follow-up in the same conversation. */
async function followUp(t: LoggedTestApp) {
  const first = await ask(t, KICK);
  return ask(t, FOLLOW_UP, first.done.conversation_id);
}

describe('a follow-up question is retrieved as a standalone question', () => {
  describe('with an LLM: rewritten from the recent history', () => {
    let fake: FakeLlm;
    let t: LoggedTestApp;
    let rewrite: FakeReply = { text: REWRITTEN };
    beforeAll(async () => {
      fake = await startFakeLlm({ reply: (r) => (r.stream ? { text: 'Use a short plate [1].' } : rewrite) });
      t = await makeLoggedApp({ LLM_BASE_URL: fake.baseUrl, LLM_MODEL: 'primary-model', LLM_REWRITE_TIMEOUT_MS: '1000' });
    });
    afterAll(async () => {
      await t?.close();
      await fake?.close();
    });

    it('asks the model to rewrite it from the history and searches the rewritten question', async () => {
      rewrite = { text: `"${REWRITTEN}"` };
      fake.requests.length = 0;
      const second = await followUp(t);
      const rewrites = fake.requests.filter((r) => !r.stream);
      // The first question of a conversation needs no rewrite.
      expect(rewrites).toHaveLength(1);
      const asked = rewrites[0]!.messages.map((m) => m.content).join('\n');
      expect(asked).toContain(KICK);
      expect(asked).toContain('Use a short plate [1].');
      expect(asked).toContain(FOLLOW_UP);
      expect(second.searchQuery).toBe(REWRITTEN);
      expect(second.sources.map((s) => s.passage_id)).toEqual(await searchIds(t, REWRITTEN));
      expect(second.sources.map((s) => s.technique)).toContain(KICK_PASSAGE);
      expect(second.sources.map((s) => s.passage_id)).not.toEqual(await searchIds(t, FOLLOW_UP));
    });

    it('falls back to merging terms when the rewrite call fails', async () => {
      rewrite = { status: 500, body: '{"error":{"message":"down"}}' };
      expect((await followUp(t)).searchQuery).toBe(MERGED);
    });

    it('falls back to merging terms when the rewrite call is slower than LLM_REWRITE_TIMEOUT_MS', async () => {
      rewrite = { text: REWRITTEN, firstTokenDelayMs: 3_000 };
      fake.requests.length = 0;
      const second = await followUp(t);
      expect(second.searchQuery).toBe(MERGED);
      const slow = fake.requests.find((r) => !r.stream)!;
      await slow.ended;
      expect(slow.aborted).toBe(true);
    });

    it('falls back to merging terms when the model replies with something that is not a question', async () => {
      rewrite = { text: 'Sure! Here is the rewritten question:\n\nHow do I use reverb on a kick?' };
      expect((await followUp(t)).searchQuery).toBe(MERGED);
    });
  });

  describe('without an LLM: joined with the previous question’s terms', () => {
    let t: LoggedTestApp;
    beforeAll(async () => {
      t = await makeLoggedApp({});
    });
    afterAll(async () => t?.close());

    it('searches the follow-up together with the previous question', async () => {
      const second = await followUp(t);
      expect(second.done.model).toBe('extractive');
      expect(second.searchQuery).toBe(MERGED);
      expect(second.sources.map((s) => s.passage_id)).toEqual(await searchIds(t, MERGED));
      expect(second.sources.map((s) => s.technique)).toContain(KICK_PASSAGE);
    });

    it('searches a question that stands alone as asked', async () => {
      const first = await ask(t, KICK);
      expect((await ask(t, 'what is sidechain compression?', first.done.conversation_id)).searchQuery).toBe('what is sidechain compression?');
    });
  });
});

describe('cleanRewrite', () => {
  it('keeps a one-line question, without quotes or a label', () => {
    expect(cleanRewrite('  "How do I EQ a kick?"  ')).toBe('How do I EQ a kick?');
    expect(cleanRewrite('Standalone question: How do I EQ a kick?')).toBe('How do I EQ a kick?');
  });
  it('refuses an empty, multi-line or overlong reply', () => {
    expect(cleanRewrite('   ')).toBeNull();
    expect(cleanRewrite('Sure!\nHow do I EQ a kick?')).toBeNull();
    expect(cleanRewrite('x'.repeat(1001))).toBeNull();
  });
});
