import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestApp, jsonHeaders, type TestApp } from '../helpers/app.js';
import { pgliteFactory } from '../helpers/databases.js';
import { parseSse } from '../helpers/sse.js';
import { bearer, userWithToken } from '../helpers/users.js';

describe('conversation ownership by the authenticated user (SPEC §4)', () => {
  let t: TestApp;
  let alice: string;
  let bob: string;

  beforeAll(async () => {
    t = await makeTestApp(await pgliteFactory.open(), {}, { skipDemo: true });
    alice = await userWithToken(t.deps.users, 'alice');
    bob = await userWithToken(t.deps.users, 'bob');
  });
  afterAll(async () => t.close());

  const chat = (headers: Record<string, string>, body: Record<string, unknown>) =>
    t.app.inject({ method: 'POST', url: '/api/v1/chat', headers: { ...jsonHeaders, ...headers }, payload: body });

  /** Starts a conversation as the token's user; returns its id from the done event. */
  async function conversationOf(token: string): Promise<string> {
    const res = await chat(bearer(token), { query: 'how do I sidechain a pad?' });
    expect(res.statusCode).toBe(200);
    const done = parseSse(res.body).events.find((e) => e.event === 'done');
    return (done?.data as { conversation_id: string }).conversation_id;
  }

  it("makes the conversation a chat starts the token's user's", async () => {
    const id = await conversationOf(alice);
    const mine = await t.deps.conversations.get(id, 'alice');
    expect(mine).toMatchObject({ id, user_id: 'alice', turn_count: 1 });
  });

  it('lets its owner continue it', async () => {
    const id = await conversationOf(alice);
    expect((await chat(bearer(alice), { query: 'and with reverb?', conversation_id: id })).statusCode).toBe(200);
    expect((await t.deps.conversations.get(id, 'alice'))?.turn_count).toBe(2);
  });

  it("answers 404 Conversation not found when another user continues it", async () => {
    const id = await conversationOf(bob);
    const res = await chat(bearer(alice), { query: 'let me in', conversation_id: id });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ error: 'Conversation not found', code: 'conversation_not_found' });
    expect((await t.deps.conversations.get(id, 'bob'))?.turn_count).toBe(1);
  });

  it('answers 404 when an anonymous caller continues a user\'s conversation', async () => {
    const id = await conversationOf(bob);
    const res = await chat({}, { query: 'let me in', conversation_id: id });
    expect(res.statusCode).toBe(404);
  });

  it('does not let another user read or delete it', async () => {
    const id = await conversationOf(bob);
    expect(await t.deps.conversations.get(id, 'alice')).toBeNull();
    expect(await t.deps.conversations.delete(id, 'alice')).toBe(false);
    expect(await t.deps.conversations.get(id, 'bob')).not.toBeNull();
    expect((await t.deps.conversations.list('alice', 50, null)).items.map((c) => c.id)).not.toContain(id);
  });

  it('creates a conversation under a fresh id for the caller, then keeps it theirs', async () => {
    const id = randomUUID();
    expect((await chat(bearer(bob), { query: 'pads', conversation_id: id })).statusCode).toBe(200);
    expect((await chat(bearer(alice), { query: 'pads', conversation_id: id })).statusCode).toBe(404);
  });
});
