import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { configFrom } from '../../src/config.js';
import { buildDeps } from '../../src/deps.js';
import { REDACT_PATHS } from '../../src/logger.js';
import { jsonHeaders } from '../helpers/app.js';
import { pgliteFactory } from '../helpers/databases.js';

/** An app whose log lines are captured, at the given level. */
async function appLoggingAt(level: string) {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l) as Record<string, unknown>);
      done();
    },
  });
  const log = pino({ level, redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, sink);
  const deps = await buildDeps(configFrom({ EXTRACTIVE_CHUNK_DELAY_MS: '0' }), log, { db: await pgliteFactory.open() });
  const app = await buildApp(deps);
  return { app, deps, lines };
}

describe('request logs', () => {
  let info: Awaited<ReturnType<typeof appLoggingAt>>;
  let debug: Awaited<ReturnType<typeof appLoggingAt>>;
  beforeAll(async () => {
    info = await appLoggingAt('info');
    debug = await appLoggingAt('debug');
  });
  afterAll(async () => {
    for (const a of [info, debug]) {
      await a.app.close();
      await a.deps.close();
    }
  });

  const secretQuery = 'how do I tune a kick drum zebra-marker-77';

  it('writes one line per request with request id, user, IP, creator and query length, never the query at info', async () => {
    const res = await info.app.inject({
      method: 'POST',
      url: '/api/v1/chat',
      headers: { ...jsonHeaders, 'x-request-id': 'req-log-1' },
      payload: { query: secretQuery, creator: 'mira-vox' },
    });
    expect(res.statusCode).toBe(200);
    const mine = info.lines.filter((l) => l.request_id === 'req-log-1');
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({
      msg: 'request',
      method: 'POST',
      url: '/api/v1/chat',
      status: 200,
      ip: '127.0.0.1',
      user: null,
      creator: 'mira-vox',
      query_length: secretQuery.length,
    });
    expect(JSON.stringify(info.lines)).not.toContain('zebra-marker-77');
  });

  it('logs the query text at debug', async () => {
    await debug.app.inject({ method: 'POST', url: '/api/v1/chat', headers: jsonHeaders, payload: { query: secretQuery } });
    expect(JSON.stringify(debug.lines)).toContain('zebra-marker-77');
  });

  it('never writes an Authorization value', async () => {
    await debug.app.inject({
      method: 'POST',
      url: '/api/v1/chat',
      headers: { ...jsonHeaders, authorization: 'Bearer sk-live-SECRET-123' },
      payload: { query: 'kick' },
    });
    debug.deps.log.info({ req: { headers: { authorization: 'Bearer sk-live-SECRET-123' } }, token: 'sk-live-SECRET-123' }, 'probe');
    expect(JSON.stringify(debug.lines)).not.toContain('SECRET-123');
  });
});
