import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeLlm, type FakeLlm } from '../../bench/fake-llm.js';
import type { DonePayload } from '../../src/contract/chat-events.js';
import { createRedisClient } from '../../src/limits/redis-client.js';
import { RedisEventLog } from '../../src/store/redis-event-log.js';
import { PostgresDb } from '../../src/store/pg/postgres-db.js';
import { makeTestApp, jsonHeaders, type TestApp } from '../helpers/app.js';
import { freshPostgresUrl, postgresAvailable } from '../helpers/databases.js';
import { LiveSse } from '../helpers/live-sse.js';
import { REDIS_TEST_URL, redisAvailable } from '../helpers/redis.js';
import { answerText, parseSse, type SseEvent } from '../helpers/sse.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';
import { bearer, userWithToken } from '../helpers/users.js';

// A and B wait long enough for 50 resumes on a loaded machine; C's short grace is the one that expires.
const GRACE_MS = 8000;
const SHORT_GRACE_MS = 2000;
// Long enough that every stream is still being written when the client is cut, and outlasts the grace.
const WORDS = Array.from({ length: 350 }, (_, i) => `w${i}`).join(' ') + ' [1].';
// ~20 s an answer: 50 of them opened on a loaded two-core machine are all still being written at the cut.
const STREAMING = { text: WORDS, firstTokenDelayMs: 20, tokenIntervalMs: 60 };
const PREFIX = `test:resume:${randomBytes(4).toString('hex')}:`;

interface Replica {
  t: TestApp;
  url: string;
}

/** `p`, or a failure naming what was still awaited after `ms` (a hang says where it hung). */
async function within<T>(p: Promise<T>, ms: number, what: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`not within ${ms} ms: ${what()}`)), ms);
  });
  try {
    return await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}

const seqOf = (e: SseEvent) => Number(String(e.id).split(':')[1]);
const messageIdOf = (s: LiveSse) => String(s.events[0]?.id).split(':')[0]!;

describe.runIf(postgresAvailable && redisAvailable)('two replicas on one PostgreSQL and one Redis (SPEC §1, resuming a stream)', () => {
  let llm: FakeLlm;
  let a: Replica;
  let b: Replica;
  let c: Replica;
  let proxy: TcpProxy;
  let proxyC: TcpProxy;

  async function replica(databaseUrl: string, graceMs: number): Promise<Replica> {
    const client = createRedisClient(REDIS_TEST_URL);
    await client.connect();
    const t = await makeTestApp(
      new PostgresDb({ connectionString: databaseUrl }),
      { LLM_BASE_URL: llm.baseUrl, LLM_API_KEY: 'k', CHAT_RESUME_GRACE_MS: String(graceMs), RATE_LIMIT_IP_PER_HOUR: '100000', RATE_LIMIT_USER_PER_HOUR: '100000' },
      { eventLog: new RedisEventLog(client, { prefix: PREFIX, blockMs: 500 }) },
    );
    await t.deps.eventLog.ready();
    return { t, url: await t.app.listen({ port: 0, host: '127.0.0.1' }) };
  }

  beforeAll(async () => {
    llm = await startFakeLlm({ reply: STREAMING });
    const url = await freshPostgresUrl();
    a = await replica(url, GRACE_MS);
    b = await replica(url, GRACE_MS);
    c = await replica(url, SHORT_GRACE_MS);
    proxy = new TcpProxy('127.0.0.1', Number(new URL(a.url).port));
    await proxy.start();
    proxyC = new TcpProxy('127.0.0.1', Number(new URL(c.url).port));
    await proxyC.start();
  }, 60_000);

  afterAll(async () => {
    await proxy?.close();
    await proxyC?.close();
    for (const r of [a, b, c]) {
      r?.t.app.server.closeAllConnections();
      await r?.t.close();
    }
    await llm?.close();
  });

  const ask = (base: string, query: string, headers: Record<string, string> = {}) =>
    LiveSse.open(`${base}/api/v1/chat`, { method: 'POST', headers: { ...jsonHeaders, ...headers }, body: JSON.stringify({ query }) });
  const resume = (base: string, messageId: string, lastEventId?: string, headers: Record<string, string> = {}) =>
    LiveSse.open(`${base}/api/v1/chat/${messageId}/stream`, { headers: { ...(lastEventId ? { 'last-event-id': lastEventId } : {}), ...headers } });

  it('50 streams cut mid-answer by a proxy resume on the other replica with Last-Event-ID: no event missing, none twice, the tokens are the stored answer', async () => {
    const n = 50;
    const firsts = await Promise.all(Array.from({ length: n }, (_, i) => ask(`http://127.0.0.1:${proxy.port}`, `sidechain compression ${i}`)));
    expect(firsts.map((s) => s.status)).toEqual(Array(n).fill(200));
    await Promise.all(firsts.map((s) => s.until((x) => x.tokens >= 3, 40_000)));
    await proxy.cut();
    expect(await within(Promise.all(firsts.map((s) => s.ended)), 20_000, () => 'the cut did not end every first stream')).toEqual(Array(n).fill('cut'));
    const ids = firsts.map(messageIdOf);
    // Cut mid-answer: the answers were still being written (any that was not is named, with how it ended).
    const [stored] = await b.t.deps.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM turns WHERE id = ANY($1)`, [ids]);
    expect(stored?.n).toBe(n);
    const ended = await b.t.deps.db.query(`SELECT id, finish_reason, length(answer) AS chars FROM turns WHERE id = ANY($1) AND finish_reason <> 'streaming'`, [ids]);
    expect(ended).toEqual([]);
    await proxy.restore();

    const resumed = await Promise.all(firsts.map((s, i) => resume(b.url, ids[i]!, s.lastId)));
    expect(resumed.map((s) => s.status)).toEqual(Array(n).fill(200));
    const progress = () => `resumed streams' tokens and last event: ${resumed.map((r) => `${r.tokens}/${r.events.at(-1)?.event ?? '-'}`).join(' ')}`;
    await within(Promise.all(resumed.map((s) => s.ended)), 80_000, progress);
    for (const [i, first] of firsts.entries()) {
      const all = [...first.events, ...resumed[i]!.events];
      expect(all.map(seqOf)).toEqual(all.map((_, k) => k + 1));
      expect(all.every((e) => String(e.id).startsWith(`${ids[i]}:`))).toBe(true);
      expect(all[0]?.event).toBe('sources');
      expect(all.at(-1)?.event).toBe('done');
      expect((all.at(-1)?.data as DonePayload).finish_reason).toBe('stop');
      const stored = await b.t.deps.conversations.getTurn(ids[i]!);
      expect(answerText(all)).toBe(stored?.answer);
      expect(stored?.answer).toBe(WORDS);
    }
    // Readers on B held off A's grace timeout (the answers outlast it): no upstream was aborted.
    expect(llm.requests.filter((r) => r.stream && r.aborted)).toHaveLength(0);
    const metrics = (await b.t.app.inject({ url: '/metrics' })).body;
    expect(metrics).toMatch(/^chrysopedia_chat_resumes_total\{from="log"\} 50$/m);
  }, 120_000);

  it('a finished turn resumed without an id replays whole from the database; with an id, the rest from the log; another user gets 404', async () => {
    const alice = await userWithToken(a.t.deps.users, `alice-${randomBytes(3).toString('hex')}`);
    const bob = await userWithToken(a.t.deps.users, `bob-${randomBytes(3).toString('hex')}`);
    llm.reset({ text: 'Key the compressor from the kick [1].', tokenIntervalMs: 5 });
    try {
      const res = await a.t.app.inject({ method: 'POST', url: '/api/v1/chat', headers: { ...jsonHeaders, ...bearer(alice) }, payload: { query: 'sidechain compression' } });
      const original = parseSse(res.body).events;
      const messageId = String(original[0]?.id).split(':')[0]!;
      expect(original.at(-1)?.event).toBe('done');

      // From the database, the events as they streamed: the same ids, the same tokens.
      const whole = parseSse((await b.t.app.inject({ url: `/api/v1/chat/${messageId}/stream`, headers: bearer(alice) })).body).events;
      expect(whole).toEqual(original);
      expect(original.filter((e) => e.event === 'token').length).toBeGreaterThan(2);

      const resume = (after: number) => b.t.app.inject({ url: `/api/v1/chat/${messageId}/stream?last_event_id=${messageId}:${after}`, headers: bearer(alice) });
      expect(parseSse((await resume(2)).body).events).toEqual(original.slice(2));
      // From the start by id: the log keeps the sources' place, the stored turn gives them back.
      const fromZero = parseSse((await b.t.app.inject({ url: `/api/v1/chat/${messageId}/stream`, headers: { ...bearer(alice), 'last-event-id': `${messageId}:0` } })).body).events;
      expect(fromZero).toEqual(original);
      // Past the last event of a finished answer nothing follows: 204 at once (an EventSource stops reconnecting).
      const lastSeq = seqOf(original.at(-1)!);
      expect((await resume(lastSeq)).statusCode).toBe(204);
      expect((await resume(lastSeq + 5)).statusCode).toBe(204);

      // Once the log has let the stream go, the database gives the same events after the same ids.
      const redis = createRedisClient(REDIS_TEST_URL);
      await redis.connect();
      await redis.del(`${PREFIX}chat-stream:${messageId}`);
      redis.disconnect();
      for (const after of [1, 3, lastSeq - 1]) expect(parseSse((await resume(after)).body).events).toEqual(original.slice(after));
      expect((await resume(lastSeq)).statusCode).toBe(204);

      for (const headers of [bearer(bob), {}]) {
        const other = await b.t.app.inject({ url: `/api/v1/chat/${messageId}/stream`, headers });
        expect(other.statusCode).toBe(404);
        expect(other.json()).toMatchObject({ code: 'message_not_found' });
        expect((await b.t.app.inject({ method: 'POST', url: `/api/v1/chat/${messageId}/stop`, headers })).statusCode).toBe(404);
      }
      expect((await b.t.app.inject({ url: `/api/v1/chat/00000000-0000-4000-8000-000000000000/stream` })).statusCode).toBe(404);
      const bad = await b.t.app.inject({ url: `/api/v1/chat/${messageId}/stream`, headers: { ...bearer(alice), 'last-event-id': 'nonsense' } });
      expect(bad.statusCode).toBe(422);
      expect(bad.json().details).toEqual([{ field: 'last_event_id', message: expect.any(String) }]);
      expect((await b.t.app.inject({ url: '/api/v1/chat/not-a-uuid/stream' })).statusCode).toBe(422);
      // Stopping what has finished is a conflict.
      expect((await b.t.app.inject({ method: 'POST', url: `/api/v1/chat/${messageId}/stop`, headers: bearer(alice) })).statusCode).toBe(409);
    } finally {
      llm.reset(STREAMING);
    }
  }, 30_000);

  it('stop on the other replica aborts the upstream LLM request within 1 s; the stream ends with done client_closed', async () => {
    const s = await ask(a.url, 'sidechain pumping');
    await s.until((x) => x.tokens >= 3);
    const messageId = messageIdOf(s);
    const upstream = llm.requests.filter((r) => r.stream).at(-1)!;
    expect(upstream.endedAt).toBeNull();
    const stoppedAt = performance.now();
    // A bodiless POST that still says Content-Type: application/json, as many clients send.
    const stop = await fetch(`${b.url}/api/v1/chat/${messageId}/stop`, { method: 'POST', headers: jsonHeaders });
    expect(stop.status).toBe(202);
    expect(await stop.json()).toEqual({ message_id: messageId, status: 'stopping' });
    await upstream.ended;
    expect(upstream.aborted).toBe(true);
    expect(upstream.endedAt! - stoppedAt).toBeLessThan(1000);
    expect(await s.ended).toBe('end');
    expect(s.events.at(-1)).toMatchObject({ event: 'done', data: { finish_reason: 'client_closed', message_id: messageId } });
    const stored = await b.t.deps.conversations.getTurn(messageId);
    expect(stored?.finish_reason).toBe('client_closed');
    expect(stored?.answer).toBe(answerText(s.events));
    expect((await fetch(`${b.url}/api/v1/chat/${messageId}/stop`, { method: 'POST' })).status).toBe(409);
  }, 30_000);

  it('a cut client nobody resumes: the upstream is aborted once the grace is over and the turn stored client_closed; a later resume reads that end', async () => {
    const s = await ask(`http://127.0.0.1:${proxyC.port}`, 'sidechain release');
    await s.until((x) => x.tokens >= 3);
    const messageId = messageIdOf(s);
    const upstream = llm.requests.filter((r) => r.stream).at(-1)!;
    const cutAt = performance.now();
    await proxyC.cut();
    await proxyC.restore();
    await upstream.ended;
    expect(upstream.aborted).toBe(true);
    expect(upstream.endedAt! - cutAt).toBeGreaterThanOrEqual(SHORT_GRACE_MS - 50);
    expect(upstream.endedAt! - cutAt).toBeLessThan(SHORT_GRACE_MS + 1000);
    let stored = await c.t.deps.conversations.getTurn(messageId);
    for (let i = 0; i < 50 && stored?.finish_reason === 'streaming'; i++) {
      await new Promise((r) => setTimeout(r, 20));
      stored = await c.t.deps.conversations.getTurn(messageId);
    }
    expect(stored?.finish_reason).toBe('client_closed');
    const late = await resume(b.url, messageId, s.lastId);
    await late.ended;
    const all = [...s.events, ...late.events];
    expect(all.map(seqOf)).toEqual(all.map((_, k) => k + 1));
    expect(all.at(-1)).toMatchObject({ event: 'done', data: { finish_reason: 'client_closed' } });
    expect(answerText(all)).toBe(stored?.answer);
    expect((await c.t.app.inject({ url: '/metrics' })).body).toMatch(/^chrysopedia_chat_resume_grace_timeouts_total 1$/m);
  }, 30_000);

  it('a bodiless DELETE with Content-Type: application/json is answered as having no body', async () => {
    const res = await fetch(`${a.url}/api/v1/conversations/00000000-0000-4000-8000-000000000000`, { method: 'DELETE', headers: jsonHeaders });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ code: 'conversation_not_found' });
  });
});
