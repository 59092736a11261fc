import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createParser } from 'eventsource-parser';
import { PgliteDb } from '../../src/store/pg/pglite-db.js';
import { spawnServer, type SpawnedServer } from '../helpers/spawn-server.js';

/** Reads a live SSE response incrementally, the way a client does. */
async function streamChat(base: string, body: unknown) {
  const res = await fetch(`${base}/api/v1/chat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const events: { event: string; data: any }[] = [];
  const parser = createParser({ onEvent: (e) => events.push({ event: e.event ?? 'message', data: JSON.parse(e.data) }) });
  const decoder = new TextDecoder();
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) parser.feed(decoder.decode(chunk, { stream: true }));
  return { res, events };
}

describe('embedded mode, as a new user starts it', () => {
  let dataDir: string;
  let server: SpawnedServer;
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'chrysopedia-e2e-'));
    server = await spawnServer({ DATA_DIR: dataDir, EXTRACTIVE_CHUNK_DELAY_MS: '1' });
  }, 90_000);
  afterAll(async () => {
    await server?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('creates the database, loads the demo knowledge base, streams an answer and continues the conversation', async () => {
    const first = await streamChat(server.url, { query: 'how do I make my kick cut through the mix?' });
    expect(first.res.status).toBe(200);
    expect(first.events[0]?.event).toBe('sources');
    expect(first.events[0]?.data.length).toBeGreaterThan(0);
    expect(first.events.filter((e) => e.event === 'token').length).toBeGreaterThan(3);
    const done = first.events.at(-1);
    expect(done?.event).toBe('done');
    expect(done?.data.cascade_tier).toBe('global');
    const conversationId = done?.data.conversation_id as string;
    expect(conversationId).toMatch(/^[0-9a-f-]{36}$/);

    const second = await streamChat(server.url, { query: 'and how do I set the sidechain release?', conversation_id: conversationId });
    expect(second.events.at(-1)?.data.conversation_id).toBe(conversationId);

    // Both turns are on disk: stop the server and read its data directory.
    expect(await server.stop()).toBe(0);
    const db = await PgliteDb.open(path.join(dataDir, 'pglite'));
    const turns = await db.query<{ query: string; finish_reason: string }>(
      'SELECT query, finish_reason FROM turns WHERE conversation_id = $1 ORDER BY seq',
      [conversationId],
    );
    await db.close();
    expect(turns).toEqual([
      { query: 'how do I make my kick cut through the mix?', finish_reason: 'stop' },
      { query: 'and how do I set the sidechain release?', finish_reason: 'stop' },
    ]);
  }, 60_000);
});
