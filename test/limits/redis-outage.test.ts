import { Writable } from 'node:stream';
import type { Redis } from 'ioredis';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config.js';
import { createRateLimiter } from '../../src/limits/create-limiter.js';
import type { LimitDecision, LimitKey, RateLimiter } from '../../src/limits/rate-limiter.js';
import type { Db } from '../../src/store/db.js';
import { jsonHeaders, type TestApp } from '../helpers/app.js';
import { pgliteFactory } from '../helpers/databases.js';
import { adminClient, OwnRedisServer, redisServerAvailable } from '../helpers/redis.js';
import { appOver } from './http-fixtures.js';

/** What a replica logged, parsed. */
function capturingLogger() {
  const lines: { level: number; msg: string }[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(JSON.parse(String(chunk)) as { level: number; msg: string });
      done();
    },
  });
  return { log: pino({ level: 'info' }, stream), lines };
}

/**
 * Records how long each check of the wrapped limiter took: the wait a request spent on Redis,
 * apart from the rest of the request (which a busy test machine may slow down).
 */
class TimedLimiter implements RateLimiter {
  readonly waits: number[] = [];
  constructor(private readonly inner: RateLimiter) {}
  get kind() {
    return this.inner.kind;
  }
  get stats() {
    return this.inner.stats;
  }
  async check(keys: readonly LimitKey[]): Promise<LimitDecision> {
    const started = performance.now();
    try {
      return await this.inner.check(keys);
    } finally {
      this.waits.push(performance.now() - started);
    }
  }
  async peek(key: LimitKey) {
    const started = performance.now();
    try {
      return await this.inner.peek(key);
    } finally {
      this.waits.push(performance.now() - started);
    }
  }
  health() {
    return this.inner.health();
  }
  close() {
    return this.inner.close();
  }
}

describe.runIf(redisServerAvailable)('when Redis goes away', () => {
  let redis: OwnRedisServer;
  let admin: Redis;
  let db: Db;
  const apps: TestApp[] = [];

  beforeAll(async () => {
    redis = await OwnRedisServer.start();
    admin = adminClient(redis.url);
    db = await pgliteFactory.open();
  });
  afterAll(async () => {
    for (const a of apps) await a.close();
    admin.disconnect();
    await redis.stop();
    await db.close();
  });

  /** A replica: its own app and limiter, on the test's Redis. */
  async function replica(mode: Config['RATE_LIMIT_FAIL'], limit = 3) {
    const { log, lines } = capturingLogger();
    const limiter = new TimedLimiter(await createRateLimiter({ REDIS_URL: redis.url, RATE_LIMIT_FAIL: mode }, log));
    const t = await appOver(db, limiter, { RATE_LIMIT_IP_PER_HOUR: String(limit), LOAD_DEMO_KB: 'false' });
    apps.push(t);
    return { ...t, lines, limiter };
  }

  /** One chat, and how long it waited on the rate limiter. */
  async function chat(t: TestApp & { limiter: TimedLimiter }, ip: string) {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/chat', headers: jsonHeaders, remoteAddress: ip, payload: { query: 'eq' } });
    return { res, ms: t.limiter.waits.at(-1)! };
  }

  async function readiness(t: TestApp) {
    const res = await t.app.inject({ method: 'GET', url: '/readyz' });
    return { code: res.statusCode, body: res.json() as { status: string; parts: { redis: { status: string } } } };
  }

  async function untilRedisOk(t: TestApp) {
    const deadline = Date.now() + 10_000;
    while ((await readiness(t)).body.parts.redis.status !== 'ok') {
      if (Date.now() > deadline) throw new Error('the replica never saw Redis again');
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  it('with RATE_LIMIT_FAIL=open, chat goes on answering from the in-process limiter, warns once, and shared counting resumes after a restart', async () => {
    const a = await replica('open');
    const b = await replica('open');
    const ip = '192.0.2.10';
    expect((await chat(a, ip)).res.statusCode).toBe(200);
    expect((await chat(b, ip)).res.headers['ratelimit-remaining']).toBe('1');
    expect(await admin.zcard(`ratelimit:ip:${ip}`)).toBe(2);
    expect(await readiness(a)).toMatchObject({ code: 200, body: { status: 'ok', parts: { redis: { status: 'ok' } } } });

    await redis.stop();
    const during = [];
    for (let i = 0; i < 4; i++) during.push(await chat(a, ip));
    // The in-process limiter still limits: three more (its own count), then 429.
    expect(during.map((d) => d.res.statusCode)).toEqual([200, 200, 200, 429]);
    for (const d of during) expect(d.ms).toBeLessThan(1000);
    const warnings = a.lines.filter((l) => l.level === 40 && l.msg.includes('Redis unreachable'));
    expect(warnings).toHaveLength(1);
    expect(a.limiter.stats).toEqual({ outages: 1, fallbackChecks: 4 });
    expect(await readiness(a)).toMatchObject({ code: 200, body: { status: 'degraded', parts: { redis: { status: 'degraded' } } } });

    await redis.start(); // empty: nothing was persisted
    await untilRedisOk(a);
    await untilRedisOk(b);
    expect((await chat(a, ip)).res.headers['ratelimit-remaining']).toBe('2');
    expect((await chat(b, ip)).res.headers['ratelimit-remaining']).toBe('1');
    expect((await chat(b, ip)).res.headers['ratelimit-remaining']).toBe('0');
    expect((await chat(a, ip)).res.statusCode).toBe(429);
    expect(a.lines.some((l) => l.msg.includes('reachable again'))).toBe(true);

    // A second outage is a second warning.
    await redis.stop();
    expect((await chat(a, '192.0.2.11')).res.statusCode).toBe(200);
    expect(a.lines.filter((l) => l.level === 40 && l.msg.includes('Redis unreachable'))).toHaveLength(2);
    expect(a.limiter.stats.outages).toBe(2);
    await redis.start();
    await untilRedisOk(a);
  });

  it('with RATE_LIMIT_FAIL=closed, chat answers 503 JSON while Redis is down, and serves again once it is back', async () => {
    const c = await replica('closed');
    const ip = '192.0.2.20';
    expect((await chat(c, ip)).res.statusCode).toBe(200);

    await redis.stop();
    const { res, ms } = await chat(c, ip);
    expect(ms).toBeLessThan(1000);
    expect(res.statusCode).toBe(503);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const body = res.json();
    expect(body).toEqual({ error: 'Service unavailable', code: 'service_unavailable', retry_after: body.retry_after, request_id: res.headers['x-request-id'] });
    expect(res.headers['retry-after']).toBe(String(body.retry_after));
    expect(JSON.stringify(body)).not.toMatch(/redis|127\.0\.0\.1|ECONN/i);
    expect(await readiness(c)).toMatchObject({ code: 503, body: { status: 'down', parts: { redis: { status: 'down' } } } });

    await redis.start();
    await untilRedisOk(c);
    expect((await chat(c, ip)).res.statusCode).toBe(200);
  });

  it('answers within 1 s when Redis hangs without closing the connection', async () => {
    const a = await replica('open');
    expect((await chat(a, '192.0.2.30')).res.statusCode).toBe(200);
    redis.pause();
    try {
      const { res, ms } = await chat(a, '192.0.2.30');
      expect(res.statusCode).toBe(200);
      expect(ms).toBeLessThan(1000);
      expect(a.limiter.stats.fallbackChecks).toBe(1);
    } finally {
      redis.resume();
    }
  });
});
