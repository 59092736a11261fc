import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { buildApp } from '../../src/app.js';
import { configFrom } from '../../src/config.js';
import { buildDeps } from '../../src/deps.js';
import { makeTestApp } from '../helpers/app.js';
import { pgliteFactory } from '../helpers/databases.js';

/** The real app with one extra route whose handler returns more than its schema declares. */
async function appWithDriftingRoute(strict: boolean) {
  const config = configFrom({ LOG_LEVEL: 'silent', STRICT_RESPONSES: String(strict) });
  const deps = await buildDeps(config, pino({ level: 'silent' }), { db: await pgliteFactory.open(), skipDemo: true });
  const app = await buildApp(deps);
  const r = app.withTypeProvider<ZodTypeProvider>();
  const schema = { response: { 200: z.object({ id: z.string() }) } };
  r.get('/test/extra-field', { schema }, async () => ({ id: 'a', password_hash: 'secret' }) as { id: string });
  r.get('/test/wrong-type', { schema }, async () => ({ id: 42 }) as unknown as { id: string });
  r.get('/test/nested-extra', { schema: { response: { 200: z.object({ items: z.array(z.object({ n: z.number() })) }) } } }, async () => ({
    items: [{ n: 1 }, { n: 2, debug: true }] as { n: number }[],
  }));
  await app.ready();
  return { app, close: async () => (await app.close(), await deps.close()) };
}

describe('responses are checked by their schemas', () => {
  it('tests run with STRICT_RESPONSES on (so every HTTP test checks every body it gets)', async () => {
    const t = await makeTestApp(await pgliteFactory.open(), {}, { skipDemo: true });
    expect(t.deps.config.STRICT_RESPONSES).toBe(true);
    await t.close();
    // Opening PGlite and migrating it is most of this: slow on a busy machine.
  }, 60_000);

  it('strict: a route returning a field its schema lacks fails with a 500, even deep in an array', async () => {
    const { app, close } = await appWithDriftingRoute(true);
    try {
      for (const url of ['/test/extra-field', '/test/nested-extra']) {
        const res = await app.inject(url);
        expect(res.statusCode, url).toBe(500);
        expect(res.json()).toEqual({ error: 'Internal error', code: 'internal', request_id: res.headers['x-request-id'] });
        expect(res.body).not.toContain('secret');
      }
    } finally {
      await close();
    }
  });

  it('not strict (production): the undeclared field is dropped, never sent; a wrong type is a 500 either way', async () => {
    const { app, close } = await appWithDriftingRoute(false);
    try {
      const extra = await app.inject('/test/extra-field');
      expect(extra.statusCode).toBe(200);
      expect(extra.json()).toEqual({ id: 'a' });
      expect((await app.inject('/test/nested-extra')).json()).toEqual({ items: [{ n: 1 }, { n: 2 }] });
      const wrong = await app.inject('/test/wrong-type');
      expect(wrong.statusCode).toBe(500);
      expect(wrong.json()).toMatchObject({ code: 'internal', error: 'Internal error' });
    } finally {
      await close();
    }
  });
});
