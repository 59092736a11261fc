import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateDocument } from '../../src/kb/validate-document.js';
import { AppError } from '../../src/errors.js';
import { makeTestApp, type TestApp } from '../helpers/app.js';
import { pgliteFactory } from '../helpers/databases.js';
import { parseSse } from '../helpers/sse.js';

/** 2,000 cases per property in CI; FUZZ_RUNS=10000 on demand. The seed is fixed so a failure replays. */
const RUNS = Number(process.env.FUZZ_RUNS ?? 2000);
const SEED = Number(process.env.FUZZ_SEED ?? 20261125);
const params = { numRuns: RUNS, seed: SEED, endOnFailure: true };

let t: TestApp;
let requests = 0;
beforeAll(async () => {
  t = await makeTestApp(await pgliteFactory.open(), { RATE_LIMIT_IP_PER_HOUR: '1000000', RATE_LIMIT_CREATOR_PER_HOUR: '1000000', CHAT_TOP_K: '2' });
});
afterAll(async () => {
  console.log(`[fuzz] ${requests} requests, ${RUNS} cases per property, seed ${SEED}`);
  await t.close();
});

/** The contract every response keeps, whatever was sent. */
function expectWellFormed(res: { statusCode: number; headers: Record<string, unknown>; body: string }) {
  expect(res.statusCode).toBeLessThan(500);
  if (res.statusCode >= 400) {
    expect(String(res.headers['content-type'])).toMatch(/application\/json/);
    const body = JSON.parse(res.body) as Record<string, unknown>;
    expect(typeof body.error).toBe('string');
    expect(body.code).toMatch(/^[a-z_]+$/);
    expect(body.request_id).toBe(res.headers['x-request-id']);
    expect(res.body).not.toMatch(/\n\s+at |node_modules|Error:/);
  } else if (String(res.headers['content-type']).startsWith('text/event-stream')) {
    const { events } = parseSse(res.body);
    expect(events[0]?.event).toBe('sources');
    expect(['done', 'error']).toContain(events.at(-1)?.event);
  }
}

// Strings that break naive code: lone surrogates, NUL, SQL and tsquery syntax, RTL marks, huge ones.
const nasty = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.string({ unit: fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)) }),
  fc.constantFrom("'; DROP TABLE passages; --", '\u0000', '"&|!:*()<->', '\u202e\u200b', '$1 $$ ::tsquery', 'a'.repeat(5000), '%00%ff', '{{7*7}}'),
  fc.string({ minLength: 990, maxLength: 1010 }),
);
const uuidish = fc.oneof(fc.uuid(), fc.string(), fc.constant(null), fc.integer());
const chatBody = fc.record(
  {
    query: fc.oneof(nasty, fc.anything()),
    creator: fc.oneof(fc.constant(null), fc.constantFrom('mira-vox', 'bram-okafor', ''), nasty, fc.anything()),
    conversation_id: uuidish,
    personality_weight: fc.oneof(fc.double(), fc.constantFrom(0, 0.5, 1, -0, Number.MAX_VALUE), fc.anything()),
    __proto__: fc.constant({ polluted: true }),
    constructor: fc.constant({ prototype: { polluted: true } }),
  },
  { requiredKeys: [] },
);
const deep = fc.integer({ min: 1, max: 5000 }).map((n) => `${'['.repeat(n)}${']'.repeat(n)}`);
const rawPayload = fc.oneof(
  chatBody.map((b) => JSON.stringify(b)),
  fc.anything().map((v) => JSON.stringify(v) ?? 'null'),
  fc.string(),
  deep,
  fc.string({ minLength: 16_000, maxLength: 20_000 }).map((s) => JSON.stringify({ query: s })),
);
const headers = fc.record(
  {
    'content-type': fc.oneof(fc.constant('application/json'), fc.constantFrom('text/plain', 'application/json; charset=latin1', ''), fc.string()),
    authorization: fc.oneof(fc.constantFrom('Bearer ', 'Basic Zm9vOmJhcg==', 'Bearer a.b.c'), fc.string()),
    'x-request-id': fc.string(),
    'x-forwarded-for': fc.oneof(fc.ipV4(), fc.string()),
  },
  { requiredKeys: ['content-type'] },
).map((h) => Object.fromEntries(Object.entries(h).filter(([, v]) => /^[\t\x20-\x7e]*$/.test(v))));

describe('fuzzing the HTTP edges (fast-check)', () => {
  it('chat: any body and headers get no 5xx, and every 4xx is JSON with error, code and request_id', async () => {
    await fc.assert(
      fc.asyncProperty(rawPayload, headers, async (payload, h) => {
        requests += 1;
        const res = await t.app.inject({ method: 'POST', url: '/api/v1/chat', headers: h, payload });
        expectWellFormed(res);
      }),
      params,
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((Object.prototype as Record<string, unknown>).polluted).toBeUndefined();
  }, 600_000);

  it('search: any query string gets no 5xx', async () => {
    const qs = fc.dictionary(fc.constantFrom('q', 'creator', 'limit', '__proto__', 'x'), fc.oneof(nasty, fc.integer().map(String)));
    await fc.assert(
      fc.asyncProperty(qs, fc.string(), async (q, junk) => {
        requests += 1;
        const url = `/api/v1/search?${new URLSearchParams(q as Record<string, string>).toString()}&${encodeURI(junk)}`;
        const res = await t.app.inject({ method: 'GET', url });
        expectWellFormed(res);
      }),
      params,
    );
  }, 600_000);

  it('import: any body gets no 5xx over HTTP, and validation only ever throws our error', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(rawPayload, fc.anything().map((v) => JSON.stringify({ creators: v, videos: v }) ?? '{}')), async (payload) => {
        requests += 1;
        const res = await t.app.inject({ method: 'POST', url: '/api/v1/import', headers: { 'content-type': 'application/json' }, payload });
        expectWellFormed(res);
      }),
      { ...params, numRuns: Math.ceil(RUNS / 2) },
    );
    const passage = fc.record({ id: fc.anything(), start_seconds: fc.anything(), end_seconds: fc.anything(), text: fc.anything(), technique: fc.anything() }, { requiredKeys: [] });
    const video = fc.record({ id: fc.anything(), creator: fc.anything(), title: fc.anything(), url: fc.anything(), passages: fc.array(passage, { maxLength: 3 }) }, { requiredKeys: [] });
    fc.assert(
      fc.property(fc.record({ creators: fc.anything(), videos: fc.oneof(fc.anything(), fc.array(video, { maxLength: 3 })) }, { requiredKeys: [] }), (doc) => {
        try {
          validateDocument(doc);
        } catch (err) {
          expect(err).toBeInstanceOf(AppError);
          expect((err as AppError).code).toBe('invalid_document');
        }
      }),
      params,
    );
  }, 600_000);

  it('keeps __proto__ and constructor keys inert', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/chat',
      headers: { 'content-type': 'application/json' },
      payload: '{"query":"sidechain","__proto__":{"polluted":true,"query":""},"constructor":{"prototype":{"polluted":true}}}',
    });
    expect(res.statusCode).toBe(200);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
