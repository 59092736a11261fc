import { validate } from '@readme/openapi-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestApp, type TestApp } from '../helpers/app.js';
import { pgliteFactory } from '../helpers/databases.js';

let t: TestApp;
const routes: { method: string; url: string }[] = [];
beforeAll(async () => {
  t = await makeTestApp(await pgliteFactory.open(), {}, { onRoute: (r) => routes.push(r) });
});
afterAll(async () => t.close());

describe('the OpenAPI document', () => {
  it('validates as OpenAPI 3.1', async () => {
    const doc = (await t.app.inject('/openapi.json')).json<Record<string, unknown>>();
    expect(doc.openapi).toBe('3.1.0');
    const result = await validate(structuredClone(doc) as never);
    expect('errors' in result ? result.errors : []).toEqual([]);
    expect(result.valid).toBe(true);
    // The validator does reject a broken document.
    expect((await validate({ openapi: '3.1.0', paths: { x: 1 } } as never)).valid).toBe(false);
  });

  it('covers every route the app serves', async () => {
    const doc = (await t.app.inject('/openapi.json')).json<{ paths: Record<string, Record<string, unknown>> }>();
    const documented = new Set(
      Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`)),
    );
    const served = routes
      .filter((r) => r.method !== 'HEAD' && !r.url.includes('*'))
      .map((r) => `${r.method} ${r.url}`);
    expect(served.length).toBeGreaterThan(5);
    expect(served.filter((r) => !documented.has(r))).toEqual([]);
  });

  it('serves a docs page', async () => {
    const res = await t.app.inject('/docs');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.body).toContain('/openapi.json');
  });
});
