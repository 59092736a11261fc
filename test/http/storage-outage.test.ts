import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresDb } from '../../src/store/pg/postgres-db.js';
import { makeTestApp, jsonHeaders, type TestApp } from '../helpers/app.js';
import { freshPostgresUrl, postgresAvailable } from '../helpers/databases.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';

describe.runIf(postgresAvailable)('PostgreSQL cut off, then restored', () => {
  let t: TestApp;
  let proxy: TcpProxy;
  beforeAll(async () => {
    const direct = new URL(await freshPostgresUrl());
    proxy = new TcpProxy(direct.hostname, Number(direct.port || 5432));
    direct.port = String(await proxy.start());
    t = await makeTestApp(new PostgresDb({ connectionString: direct.toString() }));
  });
  afterAll(async () => {
    await proxy.restore();
    await t.close();
    await proxy.close();
  });

  it('is ready while the database answers', async () => {
    const res = await t.app.inject('/readyz');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'ok', parts: { database: { status: 'ok' } } });
  });

  it('answers 503 JSON with Retry-After within a second, before any stream starts; /readyz names the database as down', async () => {
    await proxy.cut();
    const started = performance.now();
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/chat', headers: jsonHeaders, payload: { query: 'sidechain compression' } });
    expect(performance.now() - started).toBeLessThan(1500);
    expect(res.statusCode).toBe(503);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    expect(res.headers['retry-after']).toMatch(/^\d+$/);
    const body = res.json<Record<string, unknown>>();
    expect(body).toMatchObject({ error: 'Service unavailable', code: 'service_unavailable' });
    expect(Number(body.retry_after)).toBeGreaterThanOrEqual(1);
    expect(JSON.stringify(body)).not.toMatch(/ECONN|127\.0\.0\.1|postgres/i);

    const ready = await t.app.inject('/readyz');
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toMatchObject({ status: 'down', parts: { database: { status: 'down' } } });
  });

  it('recovers when the database is back', async () => {
    await proxy.restore();
    let status = 0;
    for (let i = 0; i < 20 && status !== 200; i++) {
      status = (await t.app.inject('/readyz')).statusCode;
      if (status !== 200) await new Promise((r) => setTimeout(r, 250));
    }
    expect(status).toBe(200);
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/chat', headers: jsonHeaders, payload: { query: 'sidechain compression' } });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('event: done');
  });
});
