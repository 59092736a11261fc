import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DonePayload } from '../../src/contract/chat-events.js';
import type { Source } from '../../src/contract/chat-events.js';
import { donePayloadSchema, sourceSchema } from '../../src/contract/chat-events.js';
import { makeTestApp, jsonHeaders, type TestApp } from '../helpers/app.js';
import { pgliteFactory } from '../helpers/databases.js';
import { answerText, parseSse, type SseEvent } from '../helpers/sse.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

let t: TestApp;
beforeAll(async () => {
  t = await makeTestApp(await pgliteFactory.open());
});
afterAll(async () => t.close());

async function chat(body: unknown) {
  const res = await t.app.inject({ method: 'POST', url: '/api/v1/chat', headers: jsonHeaders, payload: JSON.stringify(body) });
  const { events, comments } = parseSse(res.body);
  const done = events.find((e) => e.event === 'done')?.data as DonePayload | undefined;
  const sources = (events[0]?.data ?? []) as Source[];
  return { res, events, comments, done, sources, answer: answerText(events) };
}

describe('POST /api/v1/chat streams a cited answer', () => {
  it('streams sources first, several tokens, then one done with every field', async () => {
    const { res, events, done, sources } = await chat({ query: 'how do I make my kick cut through the mix?' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.headers['x-accel-buffering']).toBe('no');
    expect(res.headers.connection).toBe('keep-alive');
    expect(res.headers['x-request-id']).toBeTruthy();
    expect(events.map((e) => e.event).filter((e, i, a) => a[i - 1] !== e)).toEqual(['sources', 'token', 'done']);
    expect(events.filter((e) => e.event === 'token').length).toBeGreaterThan(3);
    expect(sources.length).toBeGreaterThan(0);
    expect(sources.map((s) => s.number)).toEqual(sources.map((_, i) => i + 1));
    expect(done).toMatchObject({ cascade_tier: 'global', model: 'extractive', fallback_used: false, finish_reason: 'stop' });
    expect(done?.conversation_id).toMatch(UUID);
    expect(done?.message_id).toMatch(UUID);
    expect(done?.usage).toEqual({ prompt_tokens: 0, completion_tokens: 0 });
    expect(done?.latency_ms.total).toBeGreaterThanOrEqual(done?.latency_ms.first_token ?? 0);
    expect(done?.invalid_citations).toEqual([]);
    // The OpenAPI document describes what is really sent.
    for (const s of sources) sourceSchema.parse(s);
    donePayloadSchema.parse(done);
  });

  it('gives every event an id <message_id>:<seq>, in order', async () => {
    const { events, done } = await chat({ query: 'sidechain compression release time' });
    expect(events.map((e) => e.id)).toEqual(events.map((_, i) => `${done?.message_id}:${i + 1}`));
  });

  it('describes each source with creator, video, a link at the start second, technique, snippet and score', async () => {
    const { sources } = await chat({ query: 'reese bass detune' });
    const s = sources[0]!;
    expect(s.passage_id).toBeTruthy();
    expect(s.creator.slug).toBeTruthy();
    expect(s.creator.name).toBeTruthy();
    expect(s.video.url).toMatch(/^https:\/\//);
    expect(s.url).toContain(`t=${s.start_seconds}`);
    expect(s.end_seconds).toBeGreaterThan(s.start_seconds);
    expect(s.snippet.length).toBeGreaterThan(20);
    expect(s.score).toBeGreaterThan(0);
    expect(s.score).toBeLessThanOrEqual(1);
  });

  it('cites only sources it sent, and the tokens add up to the stored answer', async () => {
    for (const query of ['how do I de-ess a vocal', 'granular synthesis grain size', 'CC1 and CC11 in string libraries']) {
      const { answer, done, sources } = await chat({ query });
      const cited = [...answer.matchAll(/\[(\d+)\]/g)].map((m) => Number(m[1]));
      expect(cited.length).toBeGreaterThan(0);
      for (const n of cited) expect(n).toBeGreaterThanOrEqual(1), expect(n).toBeLessThanOrEqual(sources.length);
      expect(done?.citations).toEqual([...new Set(cited)].sort((a, b) => a - b));
      const stored = await t.deps.conversations.getTurn(done!.message_id);
      expect(stored?.answer).toBe(answer);
      expect(stored?.finish_reason).toBe('stop');
      expect(stored?.sources).toEqual(sources);
    }
  });

  it('continues a conversation given its id, and stores both turns', async () => {
    const first = await chat({ query: 'how do I make my kick cut through the mix?' });
    const id = first.done!.conversation_id;
    const second = await chat({ query: 'how should I set the sidechain release?', conversation_id: id });
    expect(second.done?.conversation_id).toBe(id);
    const conv = await t.deps.conversations.get(id, null);
    expect(conv?.turns.map((turn) => turn.query)).toEqual([
      'how do I make my kick cut through the mix?',
      'how should I set the sidechain release?',
    ]);
    expect(conv?.turns.map((turn) => turn.answer)).toEqual([first.answer, second.answer]);
  });

  it('creates a conversation with a new id the client chose', async () => {
    const id = '3f0c2a52-7a3e-4d0e-9b7a-2f4b1c9d8e71';
    const { done } = await chat({ query: 'tape saturation', conversation_id: id.toUpperCase() });
    expect(done?.conversation_id).toBe(id);
  });

  it('searches a follow-up together with the previous question', async () => {
    const first = await chat({ query: 'sidechain compression on the bass' });
    const follow = await chat({ query: 'and what about the release?', conversation_id: first.done!.conversation_id });
    const turn = await t.deps.conversations.getTurn(follow.done!.message_id);
    expect(turn?.search_query).toContain('sidechain');
    expect(follow.sources.length).toBeGreaterThan(0);
  });
});

describe('the cascade names the tier that answered', () => {
  it('creator: every source is that creator\'s', async () => {
    const { done, sources, answer } = await chat({ query: 'sidechain compression', creator: 'mira-vox' });
    expect(done?.cascade_tier).toBe('creator');
    expect(answer).toMatch(/^Here is what Mira Vox says:/);
    expect(sources.length).toBeGreaterThan(0);
    expect(new Set(sources.map((s) => s.creator.slug))).toEqual(new Set(['mira-vox']));
  });

  it('domain: sources only from creators sharing a genre', async () => {
    const mira = await t.deps.kb.getCreator('mira-vox');
    const { done, sources, answer } = await chat({ query: 'how do I chop a string stab from a disco record?', creator: 'mira-vox' });
    expect(done?.cascade_tier).toBe('domain');
    // The answer does not lend Mira's name to another creator's technique.
    expect(answer).toMatch(/^Mira Vox has nothing on this, but creators who share their genres do:/);
    expect(sources.length).toBeGreaterThan(0);
    for (const s of sources) {
      const c = await t.deps.kb.getCreator(s.creator.slug);
      expect(c?.genres.some((g) => mira?.genres.includes(g))).toBe(true);
    }
  });

  it('global: a genre-isolated creator asked about another field', async () => {
    const { done, sources, answer } = await chat({ query: 'how many cents should I detune the saws of a reese bass?', creator: 'bram-okafor' });
    expect(done?.cascade_tier).toBe('global');
    expect(answer).toMatch(/^Neither Bram Okafor nor the creators who share their genres have anything on this; here is what the rest of the knowledge base says:/);
    expect(sources.some((s) => s.creator.slug !== 'bram-okafor')).toBe(true);
  });

  it('none: no sources, and the answer says plainly the knowledge base has nothing on it', async () => {
    const { done, sources, answer, events } = await chat({ query: 'how do I bake sourdough bread?', creator: 'mira-vox' });
    expect(done?.cascade_tier).toBe('none');
    expect(sources).toEqual([]);
    expect(events[0]?.event).toBe('sources');
    expect(answer).toMatch(/knowledge base has nothing on this yet, in Mira Vox's videos or anyone else's/i);
    // Every tier was searched: asking again without the creator would not help, so it is not suggested.
    expect(answer).not.toMatch(/without picking a creator/);
    expect(answer).not.toMatch(/\[\d+\]/);
    expect(done?.citations).toEqual([]);
  });
});

describe('bad requests get SPEC status codes and name the field', () => {
  const cases: [string, string, number, string | null][] = [
    ['empty query', JSON.stringify({ query: '' }), 422, 'query'],
    ['whitespace-only query', JSON.stringify({ query: '  \n\t ' }), 422, 'query'],
    ['1001-character query', JSON.stringify({ query: 'a'.repeat(1001) }), 422, 'query'],
    ['weight -0.1', JSON.stringify({ query: 'kick', personality_weight: -0.1 }), 422, 'personality_weight'],
    ['weight 1.1', JSON.stringify({ query: 'kick', personality_weight: 1.1 }), 422, 'personality_weight'],
    ['query of the wrong type', JSON.stringify({ query: 42 }), 422, 'query'],
    ['weight of the wrong type', JSON.stringify({ query: 'kick', personality_weight: 'high' }), 422, 'personality_weight'],
    ['creator of the wrong type', JSON.stringify({ query: 'kick', creator: 7 }), 422, 'creator'],
    ['conversation id that is not a UUID', JSON.stringify({ query: 'kick', conversation_id: 'abc' }), 422, 'conversation_id'],
    ['missing query', JSON.stringify({}), 422, 'query'],
    ['an array body', JSON.stringify([1]), 422, 'body'],
    ['malformed JSON', '{"query": "kick"', 400, null],
    ['a 17 KiB body', JSON.stringify({ query: 'kick', pad: 'x'.repeat(17 * 1024) }), 413, null],
    // Regressions found by fuzzing: these reached Postgres and came back as 500s.
    ['a NUL character in the query', JSON.stringify({ query: 'kick \u0000 drum' }), 422, 'query'],
    ['a NUL character in the creator', JSON.stringify({ query: 'kick', creator: '\u0000' }), 422, 'creator'],
  ];
  it.each(cases)('%s', async (_name, payload, status, field) => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/chat', headers: jsonHeaders, payload });
    expect(res.statusCode).toBe(status);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    const body = res.json<{ error: string; code: string; request_id: string; details?: { field: string }[] }>();
    expect(body.error).toBeTruthy();
    expect(body.code).toMatch(/^[a-z_]+$/);
    expect(body.request_id).toBe(res.headers['x-request-id']);
    if (field) expect(body.details?.map((d) => d.field)).toContain(field);
    if (status === 400) expect(body.error).toBe('Malformed JSON body');
  });

  it('lists every invalid field at once', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/chat',
      headers: jsonHeaders,
      payload: { query: '', personality_weight: 3, conversation_id: 'x' },
    });
    expect(res.json<{ details: { field: string }[] }>().details.map((d) => d.field).sort()).toEqual([
      'conversation_id',
      'personality_weight',
      'query',
    ]);
  });

  it('answers a query of lone UTF-16 surrogates instead of failing in SQL (regression)', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/chat', headers: jsonHeaders, payload: '{"query":"\\udebf\\udd16 kick"}' });
    expect(res.statusCode).toBe(200);
    expect(parseSse(res.body).events.at(-1)?.event).toBe('done');
  });

  it('stores a denormal personality_weight such as 1.29e-297 instead of failing (regression, found by fuzzing)', async () => {
    const { res, done } = await chat({ query: 'sidechain', personality_weight: 1.2909359159804645e-297 });
    expect(res.statusCode).toBe(200);
    expect((await t.deps.conversations.getTurn(done!.message_id))?.personality_weight).toBe(1.2909359159804645e-297);
  });

  it('ignores unknown fields', async () => {
    const { res, done } = await chat({ query: 'sidechain', favourite_colour: 'green' });
    expect(res.statusCode).toBe(200);
    expect(done).toBeTruthy();
  });

  it('answers an unknown creator with 404 naming it', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/chat', headers: jsonHeaders, payload: { query: 'kick', creator: 'nobody' } });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ error: 'Unknown creator', code: 'unknown_creator', creator: 'nobody' });
  });

  it('refuses a presented credential it cannot verify with 401, never as anonymous', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/chat',
      headers: { ...jsonHeaders, authorization: 'Bearer nope' },
      payload: { query: 'kick' },
    });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ error: 'Invalid credentials', code: 'invalid_credentials' });
  });

  it('honours a sane X-Request-Id and echoes it', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/chat', headers: { ...jsonHeaders, 'x-request-id': 'abc-123' }, payload: { query: '' } });
    expect(res.headers['x-request-id']).toBe('abc-123');
    expect(res.json<{ request_id: string }>().request_id).toBe('abc-123');
  });
});

describe('heartbeat', () => {
  it('sends a `: ping` comment while nothing else is sent', async () => {
    const slow = await makeTestApp(await pgliteFactory.open(), { SSE_PING_MS: '20', EXTRACTIVE_CHUNK_DELAY_MS: '60' });
    try {
      const res = await slow.app.inject({ method: 'POST', url: '/api/v1/chat', headers: jsonHeaders, payload: { query: 'sidechain compression' } });
      const { comments, events } = parseSse(res.body);
      expect(comments.filter((c) => c.trim() === 'ping').length).toBeGreaterThan(0);
      expect(events.at(-1)?.event).toBe('done');
    } finally {
      await slow.close();
    }
  });
});

export type { SseEvent };
