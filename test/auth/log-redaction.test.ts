import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { configFrom } from '../../src/config.js';
import { buildDeps } from '../../src/deps.js';
import { createLogger } from '../../src/logger.js';
import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../src/deps.js';
import { jsonHeaders } from '../helpers/app.js';
import { pgliteFactory } from '../helpers/databases.js';
import { bearer, userWithToken } from '../helpers/users.js';

const SECRET = 'log-test-secret-long-enough-for-hs256-signing';

describe('logs never hold a credential (SPEC §8)', () => {
  const lines: string[] = [];
  let app: FastifyInstance;
  let deps: Deps;
  const secrets: string[] = [];

  beforeAll(async () => {
    const config = configFrom({ JWT_SECRET: SECRET, EXTRACTIVE_CHUNK_DELAY_MS: '0', LOG_LEVEL: 'trace' });
    // The service's own logger (its redact paths), at the most verbose level, writing into memory.
    const log = createLogger('trace', { write: (s: string) => void lines.push(s) });
    deps = await buildDeps(config, log, { db: await pgliteFactory.open(), skipDemo: true });
    app = await buildApp(deps);
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    await deps.close();
  });

  it('holds no token, JWT or Authorization value after a run of authenticated requests', async () => {
    const userToken = await userWithToken(deps.users, 'lena');
    const adminToken = await userWithToken(deps.users, 'ops', 'admin');
    const revoked = await userWithToken(deps.users, 'gone');
    await deps.users.revokeUserTokens('gone');
    const jwt = await new SignJWT({ name: 'Jay' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('jay')
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode(SECRET));
    const forged = `${jwt.slice(0, -4)}AAAA`;
    secrets.push(userToken, adminToken, revoked, jwt, forged, jwt.split('.')[2] ?? '', 'Basic dXNlcjpwYXNz');

    const requests: [string, string, Record<string, string>, unknown][] = [
      ['POST', '/api/v1/chat', bearer(userToken), { query: 'how do I glue a mix bus?' }],
      ['POST', '/api/v1/chat', bearer(jwt), { query: 'and a JWT user?' }],
      ['POST', '/api/v1/chat', bearer(revoked), { query: 'revoked' }],
      ['POST', '/api/v1/chat', bearer(forged), { query: 'forged' }],
      ['POST', '/api/v1/chat', { authorization: 'Basic dXNlcjpwYXNz' }, { query: 'basic' }],
      ['POST', '/api/v1/import', bearer(userToken), { creators: [] }],
      ['POST', '/api/v1/import', bearer(adminToken), { creators: [] }],
      ['GET', '/api/v1/search?q=mix', bearer(userToken), undefined],
    ];
    const statuses: number[] = [];
    for (const [method, url, headers, body] of requests) {
      const res = await app.inject({
        method: method as 'GET' | 'POST',
        url,
        headers: body === undefined ? headers : { ...jsonHeaders, ...headers },
        ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
      });
      statuses.push(res.statusCode);
    }
    expect(statuses).toEqual([200, 200, 401, 401, 401, 403, 200, 200]);

    const captured = lines.join('');
    // The run was logged (request lines name the user), so an absence below means something.
    expect(captured).toContain('"user":"lena"');
    expect(captured).toContain('"user":"jay"');
    for (const secret of secrets) expect(captured).not.toContain(secret);
    expect(captured).not.toMatch(/Bearer|chry_|authorization"\s*:\s*"(?!\[redacted\])/i);
  });

  it('redacts an Authorization header or token that code passes to the logger', () => {
    lines.length = 0;
    deps.log.info({ req: { headers: { authorization: 'Bearer chry_leak1' } } }, 'incoming');
    deps.log.info({ headers: { authorization: 'Bearer chry_leak2' }, token: 'chry_leak3' }, 'oops');
    const captured = lines.join('');
    expect(captured).toContain('[redacted]');
    expect(captured).not.toContain('chry_leak');
  });
});
