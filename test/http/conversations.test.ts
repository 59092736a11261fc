import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invalidCredentials, type Authenticator, type RequestUser } from '../../src/auth/authenticator.js';
import type { DonePayload } from '../../src/contract/chat-events.js';
import type { Source } from '../../src/contract/chat-events.js';
import { jsonHeaders, makeTestApp, type TestApp } from '../helpers/app.js';
import { dbFactories } from '../helpers/databases.js';
import { answerText, parseSse } from '../helpers/sse.js';

// A seam until real credentials land: a fixed token per user, anything else refused.
const users: Record<string, RequestUser> = {
  'Bearer alice-token': { id: 'alice', name: 'Alice', role: 'user' },
  'Bearer bob-token': { id: 'bob', name: 'Bob', role: 'user' },
};
const fixedTokens: Authenticator = {
  async authenticate(authorization) {
    if (authorization === undefined) return null;
    const user = users[authorization];
    if (!user) throw invalidCredentials();
    return user;
  },
};
const alice = { authorization: 'Bearer alice-token' };
const bob = { authorization: 'Bearer bob-token' };

// Conversations are about storage, not the database engine (the store contract covers both):
// the fastest database that answers is enough here.
const factory = dbFactories[dbFactories.length - 1]!;

let t: TestApp;
beforeAll(async () => {
  t = await makeTestApp(await factory.open(), {}, { auth: fixedTokens });
  await t.deps.db.query(`INSERT INTO users (id, name) VALUES ('alice', 'Alice'), ('bob', 'Bob')`);
});
afterAll(async () => t?.close());

async function ask(headers: Record<string, string>, query: string, conversationId?: string) {
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/v1/chat',
    headers: { ...jsonHeaders, ...headers },
    payload: { query, conversation_id: conversationId ?? null },
  });
  expect(res.statusCode).toBe(200);
  const { events } = parseSse(res.body);
  const done = events.at(-1)?.data as DonePayload;
  return { done, text: answerText(events), sources: events[0]?.data as Source[] };
}

const get = (url: string, headers: Record<string, string> = alice) => t.app.inject({ method: 'GET', url, headers });

describe('conversations API', () => {
  it('refuses the listing to an anonymous caller with 401 unauthenticated', async () => {
    const res = await get('/api/v1/conversations', {});
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ code: 'unauthenticated', request_id: expect.any(String) });
  });

  it("lists the caller's own conversations, newest first, page by page", async () => {
    const mine: string[] = [];
    for (const q of ['how do I make my kick cut through the mix?', 'how do I set reverb pre-delay?', 'what is sidechain compression?']) {
      mine.push((await ask(alice, q)).done.conversation_id);
    }
    const bobs = (await ask(bob, 'how do I glue a mix bus?')).done.conversation_id;
    // A new turn makes a conversation the newest again.
    await ask(alice, 'and with a dynamic EQ?', mine[0]);
    const expected = [mine[0], mine[2], mine[1]];

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await get(`/api/v1/conversations?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(res.statusCode).toBe(200);
      const body = res.json() as { conversations: { id: string; turn_count: number; title: string }[]; next_cursor: string | null };
      expect(body.conversations.length).toBeLessThanOrEqual(2);
      seen.push(...body.conversations.map((c) => c.id));
      cursor = body.next_cursor;
      pages += 1;
    } while (cursor && pages < 10);
    expect(seen).toEqual(expected);
    expect(pages).toBe(2);
    expect(seen).not.toContain(bobs);

    const first = (await get('/api/v1/conversations?limit=1')).json() as { conversations: { id: string; turn_count: number; title: string }[] };
    expect(first.conversations[0]).toMatchObject({ id: mine[0], turn_count: 2, title: 'how do I make my kick cut through the mix?' });
  });

  it('reads a conversation back as user and assistant messages, the answers with their sources', async () => {
    const one = await ask(alice, 'how do I make my kick cut through the mix?');
    const id = one.done.conversation_id;
    const two = await ask(alice, 'and what about with reverb?', id);
    const res = await get(`/api/v1/conversations/${id}`);
    expect(res.statusCode).toBe(200);
    const body = res.json() as { id: string; messages: Record<string, unknown>[] };
    expect(body.id).toBe(id);
    expect(body.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant']);
    expect(body.messages[0]).toMatchObject({ content: 'how do I make my kick cut through the mix?', turn_id: one.done.message_id });
    expect(body.messages[1]).toMatchObject({
      turn_id: one.done.message_id,
      content: one.text,
      sources: one.sources,
      cascade_tier: one.done.cascade_tier,
      model: 'extractive',
      finish_reason: 'stop',
      citations: one.done.citations,
      invalid_citations: [],
    });
    expect(body.messages[3]).toMatchObject({ content: two.text, sources: two.sources, turn_id: two.done.message_id });
  });

  it("answers 404 conversation_not_found for someone else's conversation, to read or to delete", async () => {
    const { done } = await ask(alice, 'what is sidechain compression?');
    for (const headers of [bob, {}]) {
      const read = await get(`/api/v1/conversations/${done.conversation_id}`, headers);
      expect(read.statusCode).toBe(404);
      expect(read.json()).toMatchObject({ code: 'conversation_not_found', error: 'Conversation not found' });
      const del = await t.app.inject({ method: 'DELETE', url: `/api/v1/conversations/${done.conversation_id}`, headers });
      expect(del.statusCode).toBe(404);
    }
    expect((await get(`/api/v1/conversations/${done.conversation_id}`)).statusCode).toBe(200);
  });

  it('deletes a conversation (204), after which it is gone from reads and the listing', async () => {
    const { done } = await ask(alice, 'how do I set reverb pre-delay?');
    const del = await t.app.inject({ method: 'DELETE', url: `/api/v1/conversations/${done.conversation_id}`, headers: alice });
    expect(del.statusCode).toBe(204);
    expect(del.body).toBe('');
    expect((await get(`/api/v1/conversations/${done.conversation_id}`)).statusCode).toBe(404);
    const listed = (await get('/api/v1/conversations?limit=100')).json() as { conversations: { id: string }[] };
    expect(listed.conversations.map((c) => c.id)).not.toContain(done.conversation_id);
    const again = await t.app.inject({ method: 'DELETE', url: `/api/v1/conversations/${done.conversation_id}`, headers: alice });
    expect(again.statusCode).toBe(404);
  });

  it('reaches an anonymous conversation by its id alone, as chat does', async () => {
    const { done } = await ask({}, 'what is sidechain compression?');
    expect((await get(`/api/v1/conversations/${done.conversation_id}`, {})).statusCode).toBe(200);
  });

  it('names the field of bad input: limit, cursor, id; a bad token is 401', async () => {
    const limit = await get('/api/v1/conversations?limit=0');
    expect(limit.statusCode).toBe(422);
    expect(limit.json().details).toEqual([expect.objectContaining({ field: 'limit' })]);
    const cursor = await get('/api/v1/conversations?cursor=not-a-cursor');
    expect(cursor.statusCode).toBe(422);
    expect(cursor.json().details).toEqual([expect.objectContaining({ field: 'cursor' })]);
    const forged = Buffer.from(JSON.stringify(['yesterday', 'nobody'])).toString('base64url');
    const forgedRes = await get(`/api/v1/conversations?cursor=${forged}`);
    expect(forgedRes.statusCode).toBe(422);
    expect(forgedRes.json().details).toEqual([expect.objectContaining({ field: 'cursor' })]);
    const id = await get('/api/v1/conversations/not-a-uuid');
    expect(id.statusCode).toBe(422);
    expect(id.json().details).toEqual([expect.objectContaining({ field: 'id' })]);
    expect((await get(`/api/v1/conversations/${randomUUID()}`)).statusCode).toBe(404);
    expect((await get('/api/v1/conversations', { authorization: 'Bearer forged' })).json()).toMatchObject({ code: 'invalid_credentials' });
  });
});
