import { afterAll, describe, expect, it } from 'vitest';
import { startFakeLlm, type FakeLlm, type FakeReply } from '../../bench/fake-llm.js';
import { PostgresDb } from '../../src/store/pg/postgres-db.js';
import { makeTestApp, jsonHeaders, type TestApp } from '../helpers/app.js';
import { dbFactories, freshPostgresUrl, postgresAvailable } from '../helpers/databases.js';
import { OwnRedisServer, redisServerAvailable } from '../helpers/redis.js';
import { parseSse } from '../helpers/sse.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';

const HANG_MS = 15_000;
const open: { close(): Promise<void> }[] = [];
afterAll(async () => {
  for (const o of open.reverse()) await o.close().catch(() => undefined);
});

/** One chat through inject, bounded: a stream that does not end within HANG_MS fails the test. */
async function chat(t: TestApp, query: string) {
  const started = performance.now();
  const res = await Promise.race([
    t.app.inject({ method: 'POST', url: '/api/v1/chat', headers: jsonHeaders, payload: { query } }),
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`stream hung: ${query}`)), HANG_MS)),
  ]);
  const { events } = parseSse(res.body);
  return { status: res.statusCode, events, ms: performance.now() - started, body: res.body };
}

async function completedTurns(t: TestApp): Promise<number> {
  const [row] = await t.deps.db.query<{ n: number }>("SELECT count(*)::int AS n FROM turns WHERE finish_reason <> 'streaming'");
  return row?.n ?? 0;
}

const lastDb = () => dbFactories[dbFactories.length - 1]!.open();

describe.runIf(redisServerAvailable)('Redis killed and restarted during 50 concurrent chats', () => {
  it('every chat still ends with done, and every accepted request is stored', async () => {
    const redis = await OwnRedisServer.start();
    open.push({ close: () => redis.stop() });
    const llm = await startFakeLlm({ reply: { text: 'Use a sidechain compressor keyed from the kick [1].', firstTokenDelayMs: 150, tokenIntervalMs: 30 } });
    open.push(llm);
    const t = await makeTestApp(await lastDb(), {
      REDIS_URL: redis.url,
      RATE_LIMIT_FAIL: 'open',
      RATE_LIMIT_IP_PER_HOUR: '100000',
      LLM_BASE_URL: llm.baseUrl,
      LLM_API_KEY: 'k',
    });
    open.push(t);
    const before = await completedTurns(t);
    const all = Promise.all(Array.from({ length: 50 }, (_, i) => chat(t, `sidechain compression question ${i}`)));
    await new Promise((r) => setTimeout(r, 100));
    await redis.stop();
    const results = await all;
    await redis.start();
    expect(results.map((r) => r.status)).toEqual(Array(50).fill(200));
    expect(results.every((r) => r.events.at(-1)?.event === 'done')).toBe(true);
    expect((await completedTurns(t)) - before).toBe(50);
    const after = await chat(t, 'sidechain release time');
    expect(after.events.at(-1)?.event).toBe('done');
  }, 60_000);
});

describe('the LLM stalling, failing, dropping and dripping, 40 chats at once', () => {
  let llm: FakeLlm;
  // Generous enough that a loaded 2-core CI machine does not push a healthy reply past it.
  const TIMEOUT = 1500;
  const normal: FakeReply = { text: 'Duck the bass under the kick [1].', firstTokenDelayMs: 20, tokenIntervalMs: 10 };
  const faults: Record<string, FakeReply> = {
    ok: normal,
    500: { status: 500, body: '{"error":{"message":"internal boom sk-secret"}}' },
    stall: { stallAfterTokens: 0 },
    drop: { text: 'one two three four five six seven', tokenIntervalMs: 10, dropAfterTokens: 3 },
    drip: { text: 'slow slow slow slow', tokenIntervalMs: TIMEOUT * 3 },
  };
  const kinds = Object.keys(faults);

  it('each ends in the fallback or one error event within the timeouts; stored turns = accepted requests', async () => {
    llm = await startFakeLlm({
      reply: (r) => {
        if (r.model === 'fallback-model') return normal;
        const question = r.messages.at(-1)?.content ?? '';
        return faults[kinds.find((k) => question.endsWith(`fault-${k}`)) ?? 'ok']!;
      },
    });
    open.push(llm);
    const t = await makeTestApp(await lastDb(), {
      LLM_BASE_URL: llm.baseUrl,
      LLM_API_KEY: 'k',
      LLM_MODEL: 'primary-model',
      LLM_FALLBACK_MODEL: 'fallback-model',
      LLM_FIRST_TOKEN_TIMEOUT_MS: String(TIMEOUT),
      LLM_IDLE_TIMEOUT_MS: String(TIMEOUT),
      RATE_LIMIT_IP_PER_HOUR: '100000',
    });
    open.push(t);
    const before = await completedTurns(t);
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => chat(t, `kick and bass fault-${kinds[i % kinds.length]}`)));
    for (const [i, r] of results.entries()) {
      const kind = kinds[i % kinds.length]!;
      expect(r.status).toBe(200);
      const ends = r.events.filter((e) => e.event === 'done' || e.event === 'error');
      expect(ends, kind).toHaveLength(1);
      expect(r.events.at(-1)).toBe(ends[0]);
      // Bounded by the timeouts: at worst a first-token timeout, then the fallback's answer.
      expect(r.ms, kind).toBeLessThan(TIMEOUT * 2 + 3000);
      expect(r.body).not.toContain('sk-secret');
      const end = ends[0]!;
      if (kind === 'ok') expect(end.data).toMatchObject({ fallback_used: false });
      if (kind === '500' || kind === 'stall') expect(end.data).toMatchObject({ fallback_used: true, model: 'fallback-model' });
      if (kind === 'drop') expect(end.data).toMatchObject({ code: 'llm_unavailable' });
      if (kind === 'drip') expect(end.data).toMatchObject({ code: 'llm_timeout' });
    }
    expect((await completedTurns(t)) - before).toBe(40);
  }, 60_000);
});

describe.runIf(postgresAvailable)('PostgreSQL cut off by a proxy during concurrent chats, then restored', () => {
  it('answers 503 JSON within a second while it is cut, and recovers; stored turns = accepted requests', async () => {
    const direct = new URL(await freshPostgresUrl());
    const proxy = new TcpProxy(direct.hostname, Number(direct.port || 5432));
    direct.port = String(await proxy.start());
    open.push(proxy);
    const t = await makeTestApp(new PostgresDb({ connectionString: direct.toString() }), { RATE_LIMIT_IP_PER_HOUR: '100000' });
    open.push(t);
    await proxy.cut();
    const cut = await Promise.all(Array.from({ length: 20 }, (_, i) => chat(t, `sidechain ${i}`)));
    for (const r of cut) {
      expect(r.status).toBe(503);
      expect(r.ms).toBeLessThan(1500);
      expect(JSON.parse(r.body)).toMatchObject({ code: 'service_unavailable' });
    }
    await proxy.restore();
    const back = await Promise.all(Array.from({ length: 20 }, (_, i) => chat(t, `sidechain compression ${i}`)));
    expect(back.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(back.every((r) => r.events.at(-1)?.event === 'done')).toBe(true);
    expect(await completedTurns(t)).toBe(20);
  }, 60_000);
});

describe.runIf(postgresAvailable)('PostgreSQL cut off while answers are streaming, then restored', () => {
  const ANSWER = 'Key the compressor from the kick and keep the release short [1].';

  async function setup(env: Record<string, string>, tokenIntervalMs = 60) {
    const direct = new URL(await freshPostgresUrl());
    const proxy = new TcpProxy(direct.hostname, Number(direct.port || 5432));
    direct.port = String(await proxy.start());
    open.push(proxy);
    const llm = await startFakeLlm({ reply: { text: ANSWER, firstTokenDelayMs: 50, tokenIntervalMs } });
    open.push(llm);
    const t = await makeTestApp(new PostgresDb({ connectionString: direct.toString() }), {
      RATE_LIMIT_IP_PER_HOUR: '100000',
      LLM_BASE_URL: llm.baseUrl,
      LLM_API_KEY: 'k',
      ...env,
    });
    open.push(t);
    return { proxy, llm, t };
  }

  /** Starts n chats and cuts the database once every one of them is streaming its answer. */
  async function cutMidAnswer(s: Awaited<ReturnType<typeof setup>>, n: number) {
    const all = Promise.all(Array.from({ length: n }, (_, i) => chat(s.t, `sidechain compression ${i}`)));
    while (s.llm.requests.length < n) await new Promise((r) => setTimeout(r, 10));
    // Every turn is stored before its first token leaves; the answers take ~700 ms more.
    await new Promise((r) => setTimeout(r, 200));
    await s.proxy.cut();
    return all;
  }

  it('stores every answer once the database is back, and only then sends done', async () => {
    // Answers of ~3 s: on a loaded machine the first is still streaming when the tenth has started.
    const s = await setup({ CHAT_STORE_RETRY_MS: '10000' }, 200);
    const streams = cutMidAnswer(s, 10);
    await new Promise((r) => setTimeout(r, 2000));
    await s.proxy.restore();
    const results = await streams;
    for (const r of results) {
      expect(r.status).toBe(200);
      expect(r.events.at(-1)?.event).toBe('done');
      expect(r.ms).toBeGreaterThan(2000);
    }
    const stored = await s.t.deps.db.query<{ answer: string; finish_reason: string }>('SELECT answer, finish_reason FROM turns');
    expect(stored).toHaveLength(10);
    for (const row of stored) expect(row).toEqual({ answer: ANSWER, finish_reason: 'stop' });
  }, 60_000);

  it('ends each stream with one internal error, never a hang, when the database stays away past CHAT_STORE_RETRY_MS', async () => {
    const s = await setup({ CHAT_STORE_RETRY_MS: '800' });
    const results = await cutMidAnswer(s, 5);
    for (const r of results) {
      expect(r.status).toBe(200);
      expect(r.events.filter((e) => e.event === 'done' || e.event === 'error')).toEqual([
        expect.objectContaining({ event: 'error', data: { error: 'Internal error', code: 'internal' } }),
      ]);
      expect(r.ms).toBeLessThan(5000);
    }
    await s.proxy.restore();
  }, 60_000);
});
