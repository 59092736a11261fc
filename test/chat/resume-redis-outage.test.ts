import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeLlm, type FakeLlm } from '../../bench/fake-llm.js';
import { jsonHeaders } from '../helpers/app.js';
import { LiveSse } from '../helpers/live-sse.js';
import { OwnRedisServer, redisServerAvailable } from '../helpers/redis.js';
import { answerText } from '../helpers/sse.js';
import { makeLoggedApp, type LoggedTestApp } from '../llm/llm-app.js';

const WORDS = Array.from({ length: 60 }, (_, i) => `w${i}`).join(' ');

describe.runIf(redisServerAvailable)('Redis down while answers stream (SPEC §1: streams go on, resume unavailable)', () => {
  let redis: OwnRedisServer;
  let llm: FakeLlm;
  let t: LoggedTestApp;
  let url: string;

  beforeAll(async () => {
    redis = await OwnRedisServer.start();
    llm = await startFakeLlm({ reply: { text: WORDS, tokenIntervalMs: 25 } });
    t = await makeLoggedApp({ REDIS_URL: redis.url, LLM_BASE_URL: llm.baseUrl, LLM_API_KEY: 'k', RATE_LIMIT_IP_PER_HOUR: '100000' });
    await t.deps.eventLog.ready();
    url = await t.app.listen({ port: 0, host: '127.0.0.1' });
  }, 60_000);

  afterAll(async () => {
    t?.app.server.closeAllConnections();
    await t?.close();
    await llm?.close();
    await redis?.stop();
  });

  const ask = (query: string) => LiveSse.open(`${url}/api/v1/chat`, { method: 'POST', headers: jsonHeaders, body: JSON.stringify({ query }) });

  it('the stream goes on to done with nothing lost; the log says resume is unavailable, /readyz degraded, resume of a running answer 503', async () => {
    const s = await ask('sidechain compression');
    await s.until((x) => x.tokens >= 3);
    expect(((await (await fetch(`${url}/readyz`)).json()) as { parts: { event_log: { status: string } } }).parts.event_log.status).toBe('ok');
    await redis.stop();
    expect(await s.ended).toBe('end');
    expect(s.events.at(-1)).toMatchObject({ event: 'done', data: { finish_reason: 'stop' } });
    const messageId = String(s.events[0]?.id).split(':')[0]!;
    expect(s.events.map((e) => Number(String(e.id).split(':')[1]))).toEqual(s.events.map((_, i) => i + 1));
    expect(answerText(s.events)).toBe(WORDS);
    expect((await t.deps.conversations.getTurn(messageId))?.answer).toBe(WORDS);
    expect(t.logs.some((l) => l.includes('cannot be resumed') && l.includes(messageId))).toBe(true);

    const ready = await fetch(`${url}/readyz`);
    const body = (await ready.json()) as { status: string; parts: Record<string, unknown> };
    expect(body.status).toBe('degraded');
    expect(body.parts.event_log).toMatchObject({ status: 'degraded', detail: expect.stringContaining('cannot be resumed') });

    // Another answer streams while Redis is down; resuming it is refused plainly.
    const second = await ask('sidechain release');
    await second.until((x) => x.tokens >= 1);
    const secondId = String(second.events[0]?.id).split(':')[0]!;
    const refused = await fetch(`${url}/api/v1/chat/${secondId}/stream`, { headers: { 'last-event-id': `${secondId}:1` } });
    expect(refused.status).toBe(503);
    expect(await refused.json()).toMatchObject({ code: 'service_unavailable' });
    expect(await second.ended).toBe('end');
    expect(answerText(second.events)).toBe(WORDS);
    // A finished turn still replays, from the database.
    const replay = await LiveSse.open(`${url}/api/v1/chat/${messageId}/stream`);
    await replay.ended;
    expect(answerText(replay.events)).toBe(WORDS);

    await redis.start();
  }, 60_000);
});
