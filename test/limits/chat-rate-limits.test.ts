import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config.js';
import type { Db } from '../../src/store/db.js';
import type { TestApp } from '../helpers/app.js';
import { jsonHeaders } from '../helpers/app.js';
import { pgliteFactory } from '../helpers/databases.js';
import { parseSse } from '../helpers/sse.js';
import { appOver, limiterKinds } from './http-fixtures.js';

let db: Db;
beforeAll(async () => {
  db = await pgliteFactory.open();
  // The users FakeAuthenticator vouches for; their conversations reference them.
  await db.query(`INSERT INTO users (id, name) VALUES ('alice', 'Alice'), ('bob', 'Bob')`);
});
afterAll(async () => {
  await db.close();
});

describe.each(limiterKinds)('chat rate limits ($name limiter)', ({ make }) => {
  let t: TestApp | null = null;
  afterEach(async () => {
    await t?.close();
    t = null;
  });
  const start = async (env: Partial<Record<keyof Config, string>>) => (t = await appOver(db, await make(), env));

  const chat = (payload: Record<string, unknown>, opts: { ip?: string; authorization?: string } = {}) =>
    t!.app.inject({
      method: 'POST',
      url: '/api/v1/chat',
      headers: { ...jsonHeaders, ...(opts.authorization ? { authorization: opts.authorization } : {}) },
      remoteAddress: opts.ip ?? '203.0.113.7',
      payload,
    });

  it('allows RATE_LIMIT_IP_PER_HOUR anonymous requests per IP, then answers 429 with Retry-After', async () => {
    await start({ RATE_LIMIT_IP_PER_HOUR: '2' });
    const firstAt = performance.now();
    const first = await chat({ query: 'sidechain compression' });
    expect(first.statusCode).toBe(200);
    expect(first.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(parseSse(first.body).events.at(-1)?.event).toBe('done');
    expect(first.headers['ratelimit-limit']).toBe('2');
    expect(first.headers['ratelimit-remaining']).toBe('1');
    expect(first.headers['ratelimit-reset']).toBe('3600');

    const second = await chat({ query: 'sidechain compression' });
    expect(second.statusCode).toBe(200);
    expect(second.headers['ratelimit-remaining']).toBe('0');

    const third = await chat({ query: 'sidechain compression' });
    expect(third.statusCode).toBe(429);
    const body = third.json();
    expect(body).toEqual({ error: 'Rate limit exceeded', code: 'rate_limited', retry_after: body.retry_after, request_id: third.headers['x-request-id'] });
    // The first slot frees an hour after the first request: whole seconds, rounded up.
    const elapsed = Math.ceil((performance.now() - firstAt) / 1000);
    expect(body.retry_after).toBeGreaterThanOrEqual(3600 - elapsed);
    expect(body.retry_after).toBeLessThanOrEqual(3600);
    expect(third.headers['retry-after']).toBe(String(body.retry_after));
    expect(third.headers['ratelimit-limit']).toBe('2');
    expect(third.headers['ratelimit-remaining']).toBe('0');
    expect(third.headers['ratelimit-reset']).toBe(String(body.retry_after));

    // Another address has its own count.
    expect((await chat({ query: 'sidechain compression' }, { ip: '198.51.100.4' })).statusCode).toBe(200);
  });

  it('puts RateLimit-* on responses refused before the check too (422, 400, 413, 401), without counting them', async () => {
    await start({ RATE_LIMIT_IP_PER_HOUR: '3' });
    expect((await chat({ query: 'sidechain compression' })).statusCode).toBe(200);
    const raw = (payload: string, headers: Record<string, string> = {}) =>
      t!.app.inject({ method: 'POST', url: '/api/v1/chat', headers: { ...jsonHeaders, ...headers }, remoteAddress: '203.0.113.7', payload });
    for (const res of [
      await chat({ query: '' }),
      await raw('{"query":'),
      await raw(JSON.stringify({ query: 'x', pad: 'y'.repeat(17 * 1024) })),
      await raw(JSON.stringify({ query: 'kick' }), { authorization: 'Bearer nope' }),
    ]) {
      expect(res.statusCode).toBeGreaterThanOrEqual(400);
      expect(res.headers['ratelimit-limit']).toBe('3');
      expect(res.headers['ratelimit-remaining']).toBe('2');
      expect(Number(res.headers['ratelimit-reset'])).toBeGreaterThan(3590);
    }
    expect((await chat({ query: 'sidechain compression' })).headers['ratelimit-remaining']).toBe('1');
  });

  it('counts an authenticated user per user, not per IP, with RATE_LIMIT_USER_PER_HOUR', async () => {
    await start({ RATE_LIMIT_USER_PER_HOUR: '3', RATE_LIMIT_IP_PER_HOUR: '1' });
    const alice = { authorization: 'Bearer user:alice' };
    for (let i = 0; i < 3; i++) {
      const ok = await chat({ query: 'reverb' }, alice);
      expect(ok.statusCode).toBe(200);
      expect(ok.headers['ratelimit-limit']).toBe('3');
      expect(ok.headers['ratelimit-remaining']).toBe(String(2 - i));
    }
    const refused = await chat({ query: 'reverb' }, { ...alice, ip: '198.51.100.9' });
    expect(refused.statusCode).toBe(429);
    expect(refused.json()).toMatchObject({ error: 'Rate limit exceeded', code: 'rate_limited' });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    // Same IP, other user; and the same IP anonymous: neither was spent by alice.
    expect((await chat({ query: 'reverb' }, { authorization: 'Bearer user:bob' })).statusCode).toBe(200);
    const anonymous = await chat({ query: 'reverb' });
    expect(anonymous.statusCode).toBe(200);
    expect(anonymous.headers['ratelimit-limit']).toBe('1');
  });

  it('limits a creator across callers with RATE_LIMIT_CREATOR_PER_HOUR, without spending the caller’s own limit', async () => {
    await start({ RATE_LIMIT_CREATOR_PER_HOUR: '2', RATE_LIMIT_IP_PER_HOUR: '5' });
    expect((await chat({ query: 'kick drum', creator: 'mira-vox' }, { ip: '192.0.2.1' })).statusCode).toBe(200);
    expect((await chat({ query: 'kick drum', creator: 'mira-vox' }, { ip: '192.0.2.2' })).statusCode).toBe(200);

    const refused = await chat({ query: 'kick drum', creator: 'mira-vox' }, { ip: '192.0.2.3' });
    expect(refused.statusCode).toBe(429);
    const body = refused.json();
    expect(body).toEqual({
      error: 'Creator rate limit exceeded',
      code: 'creator_rate_limited',
      retry_after: body.retry_after,
      request_id: refused.headers['x-request-id'],
    });
    expect(body.retry_after).toBeGreaterThanOrEqual(3599);
    expect(refused.headers['retry-after']).toBe(String(body.retry_after));
    // The RateLimit-* headers speak of the caller's own limit, which the refusal did not spend.
    expect(refused.headers['ratelimit-limit']).toBe('5');
    expect(refused.headers['ratelimit-remaining']).toBe('5');
    const next = await chat({ query: 'kick drum' }, { ip: '192.0.2.3' });
    expect(next.headers['ratelimit-remaining']).toBe('4');

    // Another creator has its own count.
    expect((await chat({ query: 'kick drum', creator: 'kaito-brooks' }, { ip: '192.0.2.3' })).statusCode).toBe(200);
  });

  it('answers 429 for the identity before 404 for an unknown creator, and 404 before the creator limit', async () => {
    await start({ RATE_LIMIT_IP_PER_HOUR: '2', RATE_LIMIT_CREATOR_PER_HOUR: '1' });
    const unknown = await chat({ query: 'eq', creator: 'nobody-at-all' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ error: 'Unknown creator', code: 'unknown_creator', creator: 'nobody-at-all' });
    expect(unknown.headers['ratelimit-remaining']).toBe('1');

    // The creator's only slot goes to someone else; our caller still gets its 404 for an unknown slug.
    expect((await chat({ query: 'eq', creator: 'mira-vox' }, { ip: '192.0.2.50' })).statusCode).toBe(200);
    expect((await chat({ query: 'eq', creator: 'mira-vox' })).statusCode).toBe(429);
    expect((await chat({ query: 'eq', creator: 'nobody-at-all' })).statusCode).toBe(404);

    const limited = await chat({ query: 'eq', creator: 'nobody-at-all' });
    expect(limited.statusCode).toBe(429);
    expect(limited.json()).toMatchObject({ code: 'rate_limited' });
  });

  it('does not count requests refused before the limits: invalid bodies and bad credentials', async () => {
    await start({ RATE_LIMIT_IP_PER_HOUR: '1' });
    expect((await chat({ query: '   ' })).statusCode).toBe(422);
    expect((await chat({ query: 'eq' }, { authorization: 'Bearer nonsense' })).statusCode).toBe(401);
    const ok = await chat({ query: 'eq' });
    expect(ok.statusCode).toBe(200);
    expect(ok.headers['ratelimit-remaining']).toBe('0');
  });
});
