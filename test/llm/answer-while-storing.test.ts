import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeLlm, type FakeLlm } from '../../bench/fake-llm.js';
import { StorageUnavailableError } from '../../src/errors.js';
import type { Db } from '../../src/store/db.js';
import { jsonHeaders, makeTestApp, type TestApp } from '../helpers/app.js';
import { pgliteFactory } from '../helpers/databases.js';
import { parseSse } from '../helpers/sse.js';

// The model is asked for the answer while the turn is being stored; storing decides whether a
// stream starts at all.
let fake: FakeLlm;
let t: TestApp;
let db: Db;
const turnInsert = { delayMs: 0, fail: false, finishedAt: 0 };

beforeAll(async () => {
  fake = await startFakeLlm();
  db = await pgliteFactory.open();
  // The real database, with the turn's INSERT slowed down or failing on demand.
  const wrapped: Db = Object.create(db, {
    query: {
      value: async (sql: string, params?: readonly unknown[]) => {
        if (!sql.includes('INSERT INTO turns')) return db.query(sql, params);
        await sleep(turnInsert.delayMs);
        if (turnInsert.fail) throw new StorageUnavailableError();
        const rows = await db.query(sql, params);
        turnInsert.finishedAt = performance.now();
        return rows;
      },
    },
  }) as Db;
  t = await makeTestApp(wrapped, { LLM_BASE_URL: fake.baseUrl, LLM_API_KEY: 'sk-test', LLM_FIRST_TOKEN_TIMEOUT_MS: '10000' });
});
afterAll(async () => {
  t?.app.server.closeAllConnections();
  await t?.close();
  await fake?.close();
});
beforeEach(() => {
  fake.reset();
  fake.requests.length = 0;
  Object.assign(turnInsert, { delayMs: 0, fail: false, finishedAt: 0 });
});

const ask = () => t.app.inject({ method: 'POST', url: '/api/v1/chat', headers: jsonHeaders, payload: { query: 'how do I make my kick cut through the mix?' } });
const streamed = () => fake.requests.filter((r) => r.stream);

describe('the answer starts while the turn is stored', () => {
  it('sends the request to the model before the turn is stored, and streams once it is', async () => {
    turnInsert.delayMs = 300;
    fake.reset((r) => (r.stream ? { text: 'Notch the bass at 60 Hz [1].' } : { text: 'kick' }));
    const res = await ask();
    expect(res.statusCode).toBe(200);
    const { events } = parseSse(res.body);
    expect(events.at(-1)?.event).toBe('done');
    expect(streamed()).toHaveLength(1);
    // The model had the request while the INSERT was still under way (it took 300 ms).
    expect(streamed()[0]!.receivedAt).toBeLessThan(turnInsert.finishedAt - 100);
  });

  it('when the turn cannot be stored: 503 JSON, no stream, and the request to the model is aborted at once', async () => {
    turnInsert.delayMs = 100;
    turnInsert.fail = true;
    fake.reset((r) => (r.stream ? { text: 'never sent', firstTokenDelayMs: 5_000 } : { text: 'kick' }));
    const turnsBefore = (await db.query('SELECT 1 FROM turns')).length;
    const startedAt = performance.now();
    const res = await ask();
    expect(res.statusCode).toBe(503);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    expect(res.json()).toMatchObject({ code: 'service_unavailable' });
    const upstream = streamed()[0]!;
    await upstream.ended;
    expect(upstream.aborted).toBe(true);
    // Long before the model's 5 s: it was stopped, not waited for.
    expect(upstream.endedAt! - startedAt).toBeLessThan(2_000);
    expect(await db.query('SELECT 1 FROM turns')).toHaveLength(turnsBefore);
  });
});
