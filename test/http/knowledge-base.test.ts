import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestApp, type TestApp } from '../helpers/app.js';
import { pgliteFactory } from '../helpers/databases.js';

let t: TestApp;
beforeAll(async () => {
  t = await makeTestApp(await pgliteFactory.open());
});
afterAll(async () => t.close());

describe('creators and search', () => {
  it('lists the demo creators with their genres and counts', async () => {
    const res = await t.app.inject('/api/v1/creators');
    expect(res.statusCode).toBe(200);
    const { creators } = res.json<{ creators: { slug: string; genres: string[]; passage_count: number; video_count: number }[] }>();
    expect(creators.length).toBeGreaterThanOrEqual(6);
    for (const c of creators) {
      expect(c.genres.length).toBeGreaterThan(0);
      expect(c.video_count).toBeGreaterThan(0);
    }
    expect(creators.reduce((n, c) => n + c.passage_count, 0)).toBeGreaterThanOrEqual(300);
  });

  it('shows one creator with personality and videos; an unknown slug is 404', async () => {
    const res = await t.app.inject('/api/v1/creators/mira-vox');
    expect(res.statusCode).toBe(200);
    const c = res.json<{ personality: { voice: string; phrases: string[] }; videos: { title: string }[] }>();
    expect(c.personality.voice).toBeTruthy();
    expect(c.personality.phrases.length).toBeGreaterThan(0);
    expect(c.videos.length).toBeGreaterThan(0);
    const missing = await t.app.inject('/api/v1/creators/nobody');
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ code: 'unknown_creator', creator: 'nobody' });
  });

  it('searches with the chat\'s cascade, without an answer', async () => {
    const res = await t.app.inject('/api/v1/search?q=sidechain%20compression&creator=mira-vox&limit=3');
    expect(res.statusCode).toBe(200);
    const body = res.json<{ cascade_tier: string; results: { creator: { slug: string }; url: string }[] }>();
    expect(body.cascade_tier).toBe('creator');
    expect(body.results.length).toBeGreaterThan(0);
    expect(body.results.length).toBeLessThanOrEqual(3);
    expect(body.results.every((r) => r.creator.slug === 'mira-vox')).toBe(true);
  });

  it('validates search parameters by name', async () => {
    for (const [url, field] of [
      ['/api/v1/search', 'q'],
      ['/api/v1/search?q=%20', 'q'],
      ['/api/v1/search?q=kick&limit=0', 'limit'],
      ['/api/v1/search?q=kick&limit=abc', 'limit'],
      ['/api/v1/search?q=kick&creator=%00', 'creator'],
    ] as const) {
      const res = await t.app.inject(url);
      expect(res.statusCode, url).toBe(422);
      expect(res.json<{ details: { field: string }[] }>().details.map((d) => d.field)).toContain(field);
    }
  });

  it('answers unknown routes with JSON 404', async () => {
    const res = await t.app.inject('/api/v1/nothing-here');
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ error: 'Not found', code: 'not_found' });
  });

  it('reports health and readiness', async () => {
    expect((await t.app.inject('/healthz')).json()).toEqual({ status: 'ok' });
    const ready = await t.app.inject('/readyz');
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({ status: 'ok', parts: { database: { status: 'ok' } } });
  });

  it('keeps import for admins: no credentials is 401', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/import', payload: { creators: [] } });
    expect(res.statusCode).toBe(401);
  });
});
