import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/store/db.js';
import { migrate } from '../../src/store/migrate.js';
import { migrations } from '../../src/store/migrations/index.js';
import { PgConversationStore } from '../../src/store/pg/pg-conversation-store.js';
import { PgliteDb } from '../../src/store/pg/pglite-db.js';
import { PostgresDb } from '../../src/store/pg/postgres-db.js';
import { dbFactories, freshPostgresUrl } from '../helpers/databases.js';

const result = (answer: string) => ({
  answer,
  tokenEnds: answer.length > 0 ? [answer.length] : [],
  errorCode: null,
  model: 'extractive',
  fallbackUsed: false,
  finishReason: 'stop',
  usage: { prompt_tokens: 0, completion_tokens: 0 },
  latencyMs: { first_token: 1, total: 2 },
  citations: [1],
  invalidCitations: [],
});

const turn = (conversationId: string, query: string) => ({
  id: randomUUID(),
  conversationId,
  query,
  searchQuery: query,
  creatorSlug: null,
  personalityWeight: 0,
  cascadeTier: 'global',
  sources: [{ number: 1 }],
});

describe.each(dbFactories)('ConversationStore contract on $name', (factory) => {
  let db: Db;
  let store: PgConversationStore;
  beforeAll(async () => {
    db = await factory.open();
    store = new PgConversationStore(db);
    await db.query(`INSERT INTO users (id, name) VALUES ('alice', 'Alice'), ('bob', 'Bob'), ('carol', 'Carol')`);
  });
  afterAll(async () => db.close());

  it('creates a conversation with the given id and lets its owner continue it', async () => {
    const id = randomUUID();
    expect(await store.open(id, 'alice', null, 'first')).toBe(true);
    expect(await store.open(id, 'alice', null, 'again')).toBe(true);
  });

  it("refuses a user's conversation to anyone else, anonymous callers included", async () => {
    const id = randomUUID();
    await store.open(id, 'alice', null, 'mine');
    expect(await store.open(id, 'bob', null, 'x')).toBe(false);
    expect(await store.open(id, null, null, 'x')).toBe(false);
    expect(await store.get(id, 'bob')).toBeNull();
    expect(await store.delete(id, 'bob')).toBe(false);
    expect(await store.get(id, 'alice')).not.toBeNull();
  });

  it('lets anyone holding its id use an anonymous conversation', async () => {
    const id = randomUUID();
    await store.open(id, null, null, 'anon');
    expect(await store.open(id, 'bob', null, 'x')).toBe(true);
  });

  it('creates a new conversation with its first turn, owned by the user, in one step', async () => {
    const id = randomUUID();
    const first = { ...turn(id, 'what is sidechain?'), newConversation: { userId: 'alice', title: 'what is sidechain?' } };
    await store.startTurn(first);
    expect((await store.getTurn(first.id))?.conversation_id).toBe(id);
    const conversation = await store.get(id, 'alice');
    expect(conversation).toMatchObject({ id, user_id: 'alice', title: 'what is sidechain?', turn_count: 1 });
    expect(await store.get(id, 'bob')).toBeNull();
    expect(await store.open(id, 'bob', null, 'x')).toBe(false);
    // An id taken already: nothing is stored, neither conversation nor turn.
    const clash = { ...turn(id, 'again?'), newConversation: { userId: 'bob', title: 'again?' } };
    await expect(store.startTurn(clash)).rejects.toThrow();
    expect(await store.getTurn(clash.id)).toBeNull();
    expect((await store.get(id, 'alice'))?.turns).toHaveLength(1);
  });

  it('stores a turn before its answer and completes it after; history holds completed turns only', async () => {
    const id = randomUUID();
    await store.open(id, null, null, 't');
    const first = turn(id, 'what is sidechain?');
    await store.startTurn(first);
    expect((await store.getTurn(first.id))?.finish_reason).toBe('streaming');
    expect(await store.recentTurns(id, 6)).toEqual([]);
    await store.finishTurn(first.id, result('Ducking. [1]'));
    const second = turn(id, 'and with reverb?');
    await store.startTurn(second);
    await store.finishTurn(second.id, { ...result('Partial'), finishReason: 'client_closed' });
    const history = await store.recentTurns(id, 6);
    expect(history.map((t) => [t.query, t.answer, t.finish_reason])).toEqual([
      ['what is sidechain?', 'Ducking. [1]', 'stop'],
      ['and with reverb?', 'Partial', 'client_closed'],
    ]);
    expect(history[0]).toMatchObject({ sources: [{ number: 1 }], citations: [1], cascade_tier: 'global', model: 'extractive' });
    expect(history[0]).toMatchObject({ token_ends: [12], error_code: null });
    expect((await store.recentTurns(id, 1)).map((t) => t.query)).toEqual(['and with reverb?']);
    // What a replay from the database needs: where each token ended, and the code of the error sent.
    const third = turn(id, 'and the attack?');
    await store.startTurn(third);
    await store.finishTurn(third.id, { ...result('Slow at first, then'), tokenEnds: [5, 14, 19], finishReason: 'error', errorCode: 'llm_timeout' });
    expect(await store.getTurn(third.id)).toMatchObject({ token_ends: [5, 14, 19], error_code: 'llm_timeout', finish_reason: 'error' });
  });

  it("lists a user's conversations newest first, page by page", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const id = randomUUID();
      ids.push(id);
      await store.open(id, 'bob', null, `c${i}`);
      await store.startTurn(turn(id, `q${i}`));
    }
    const page1 = await store.list('bob', 2, null);
    expect(page1.items.map((c) => c.title)).toEqual(['c4', 'c3']);
    const page2 = await store.list('bob', 2, page1.next_cursor);
    expect(page2.items.map((c) => c.title)).toEqual(['c2', 'c1']);
    const page3 = await store.list('bob', 2, page2.next_cursor);
    expect(page3.items.map((c) => c.title)).toEqual(['c0']);
    expect(page3.next_cursor).toBeNull();
    expect(page1.items[0]?.turn_count).toBe(1);
  });

  it('lists conversations touched within one clock tick in the order they were touched', async () => {
    const [first, second, third] = [randomUUID(), randomUUID(), randomUUID()];
    for (const [id, title] of [[first, 't1'], [second, 't2'], [third, 't3']] as const) await store.open(id, 'carol', null, title);
    // Every conversation at the same instant: only the order of activity can tell them apart.
    await db.query(`UPDATE conversations SET updated_at = '2026-01-01T00:00:00Z' WHERE user_id = 'carol'`);
    expect((await store.list('carol', 10, null)).items.map((c) => c.title)).toEqual(['t3', 't2', 't1']);
    await store.startTurn(turn(first, 'again'));
    const page1 = await store.list('carol', 2, null);
    expect(page1.items.map((c) => c.title)).toEqual(['t1', 't3']);
    expect((await store.list('carol', 2, page1.next_cursor)).items.map((c) => c.title)).toEqual(['t2']);
  });

  it('deletes a conversation with its turns', async () => {
    const id = randomUUID();
    await store.open(id, 'alice', null, 'gone');
    const t = turn(id, 'q');
    await store.startTurn(t);
    expect(await store.delete(id, 'alice')).toBe(true);
    expect(await store.get(id, 'alice')).toBeNull();
    expect(await store.getTurn(t.id)).toBeNull();
  });
});

describe.each(dbFactories)('migration 0008 on $name: conversations numbered by activity', (factory) => {
  it('numbers the conversations a database already holds in their order, and new activity after them', async () => {
    const db = factory.name === 'pglite' ? await PgliteDb.open() : new PostgresDb({ connectionString: await freshPostgresUrl() });
    try {
      // The database as it was before 0008: conversations ordered by updated_at only.
      await migrate(db, migrations.slice(0, 7));
      await db.query(`INSERT INTO users (id, name) VALUES ('dora', 'Dora')`);
      const ids = [randomUUID(), randomUUID(), randomUUID()];
      for (const [i, id] of ids.entries()) {
        await db.query(`INSERT INTO conversations (id, user_id, title, updated_at) VALUES ($1, 'dora', $2, $3)`, [id, `old${i}`, `2026-01-0${i + 1}T00:00:00Z`]);
      }
      expect(await migrate(db)).toEqual(migrations.slice(7).map((m) => m.name));
      expect(migrations[7]?.name).toBe('0008-conversation-activity');
      const store = new PgConversationStore(db);
      expect((await store.list('dora', 10, null)).items.map((c) => c.title)).toEqual(['old2', 'old1', 'old0']);
      await store.startTurn(turn(ids[0]!, 'q'));
      expect((await store.list('dora', 10, null)).items.map((c) => c.title)).toEqual(['old0', 'old2', 'old1']);
      await store.open(randomUUID(), 'dora', null, 'new');
      expect((await store.list('dora', 1, null)).items.map((c) => c.title)).toEqual(['new']);
    } finally {
      await db.close();
    }
  });
});
