import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config.js';
import { MemoryRateLimiter } from '../../src/limits/memory.js';
import type { Db } from '../../src/store/db.js';
import { jsonHeaders, type TestApp } from '../helpers/app.js';
import { pgliteFactory } from '../helpers/databases.js';
import { appOver } from './http-fixtures.js';

let db: Db;
let t: TestApp | null = null;
beforeAll(async () => {
  db = await pgliteFactory.open();
});
afterEach(async () => {
  await t?.close();
  t = null;
});
afterAll(async () => {
  await db.close();
});

const start = async (env: Partial<Record<keyof Config, string>>) =>
  (t = await appOver(db, new MemoryRateLimiter(), { RATE_LIMIT_IP_PER_HOUR: '1', LOAD_DEMO_KB: 'false', ...env }));

/** Status of one anonymous chat from `socket`, claiming to forward for `forwardedFor`. */
async function statusFrom(socket: string, forwardedFor?: string): Promise<number> {
  const res = await t!.app.inject({
    method: 'POST',
    url: '/api/v1/chat',
    headers: { ...jsonHeaders, ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}) },
    remoteAddress: socket,
    payload: { query: 'compression' },
  });
  return res.statusCode;
}

describe('the client IP of the per-IP limit', () => {
  it('ignores X-Forwarded-For from a direct client when TRUST_PROXY is not set', async () => {
    await start({});
    expect(await statusFrom('10.0.0.9', '1.2.3.4')).toBe(200);
    // A new forged address each time does not buy a new count.
    expect(await statusFrom('10.0.0.9', '5.6.7.8')).toBe(429);
    expect(await statusFrom('10.0.0.9')).toBe(429);
  });

  it('reads X-Forwarded-For only from a proxy TRUST_PROXY lists', async () => {
    await start({ TRUST_PROXY: '10.0.0.1' });
    expect(await statusFrom('10.0.0.1', '1.2.3.4')).toBe(200);
    expect(await statusFrom('10.0.0.1', '1.2.3.4')).toBe(429);
    expect(await statusFrom('10.0.0.1', '5.6.7.8')).toBe(200);
    // A client that is not the proxy is counted by its socket, whatever it claims.
    expect(await statusFrom('10.0.0.9', '9.9.9.9')).toBe(200);
    expect(await statusFrom('10.0.0.9', '8.8.8.8')).toBe(429);
  });

  it('with a hop count, takes the address the trusted proxy saw, not what the client prepended', async () => {
    await start({ TRUST_PROXY: '1' });
    // The client forged "6.6.6.6"; the proxy appended the address it saw, 1.2.3.4.
    expect(await statusFrom('10.0.0.1', '6.6.6.6, 1.2.3.4')).toBe(200);
    expect(await statusFrom('10.0.0.1', '7.7.7.7, 1.2.3.4')).toBe(429);
    expect(await statusFrom('10.0.0.1', '1.2.3.4')).toBe(429);
    expect(await statusFrom('10.0.0.1', '6.6.6.6')).toBe(200);
  });
});
