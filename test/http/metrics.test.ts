import { setTimeout as sleep } from 'node:timers/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestApp, jsonHeaders, type TestApp } from '../helpers/app.js';
import { pgliteFactory } from '../helpers/databases.js';

let t: TestApp;
beforeAll(async () => {
  t = await makeTestApp(await pgliteFactory.open());
});
afterAll(async () => t.close());

const value = (text: string, series: string) => {
  const line = text.split('\n').find((l) => l.startsWith(series));
  return line === undefined ? undefined : Number(line.slice(series.length).trim());
};

describe('GET /metrics', () => {
  it('reports the heap left alive by the last full GC, so a leak is not hidden by the sawtooth', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    gc();
    await sleep(50);
    const live = value((await t.app.inject('/metrics')).body, 'chrysopedia_nodejs_heap_live_after_gc_bytes');
    const used = process.memoryUsage().heapUsed;
    // Close to the heap in use right after a GC: neither 0 (never read) nor a stale figure.
    expect(live).toBeGreaterThan(used * 0.5);
    expect(live).toBeLessThan(used * 1.5);
  });

  it('after chats, holds each series with the right labels and counts', async () => {
    const chat = (payload: Record<string, unknown>) => t.app.inject({ method: 'POST', url: '/api/v1/chat', headers: jsonHeaders, payload });
    const answered = await chat({ query: 'sidechain compression', creator: 'mira-vox' });
    const tokens = answered.body.split('\n').filter((l) => l === 'event: token').length;
    await chat({ query: 'how do I bake sourdough bread?' });
    await chat({ query: '' });

    const res = await t.app.inject('/metrics');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/plain/);
    const m = res.body;
    expect(value(m, 'chrysopedia_http_requests_total{route="/api/v1/chat",method="POST",status="200"}')).toBe(2);
    expect(value(m, 'chrysopedia_http_requests_total{route="/api/v1/chat",method="POST",status="422"}')).toBe(1);
    expect(value(m, 'chrysopedia_chat_answers_total{tier="creator"}')).toBe(1);
    expect(value(m, 'chrysopedia_chat_answers_total{tier="none"}')).toBe(1);
    expect(value(m, 'chrysopedia_chat_first_token_seconds_count')).toBe(2);
    expect(value(m, 'chrysopedia_chat_duration_seconds_count{outcome="done"}')).toBe(2);
    const noneTokens = (await chat({ query: 'how do I bake sourdough bread?' })).body.split('\n').filter((l) => l === 'event: token').length;
    const after = (await t.app.inject('/metrics')).body;
    expect(value(after, 'chrysopedia_chat_tokens_streamed_total')).toBe(tokens + 2 * noneTokens);
    expect(value(after, 'chrysopedia_open_streams')).toBe(0);
    expect(m).toContain('chrysopedia_process_resident_memory_bytes');
    for (const series of ['chrysopedia_llm_fallbacks_total', 'chrysopedia_invalid_citations_total', 'chrysopedia_rate_limit_rejections_total', 'chrysopedia_llm_errors_total']) {
      expect(m).toContain(`# TYPE ${series} counter`);
    }
  });

  it('counts rate-limit rejections by scope', async () => {
    const limited = await makeTestApp(await pgliteFactory.open(), { RATE_LIMIT_IP_PER_HOUR: '1' });
    try {
      const ask = () => limited.app.inject({ method: 'POST', url: '/api/v1/chat', headers: jsonHeaders, payload: { query: 'sidechain' } });
      expect((await ask()).statusCode).toBe(200);
      expect((await ask()).statusCode).toBe(429);
      const m = (await limited.app.inject('/metrics')).body;
      expect(value(m, 'chrysopedia_rate_limit_rejections_total{scope="ip"}')).toBe(1);
      expect(value(m, 'chrysopedia_rate_limit_redis_outages_total')).toBe(0);
    } finally {
      await limited.close();
    }
  });
});
