import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { runCascade } from '../../src/chat/cascade.js';
import { configFrom } from '../../src/config.js';
import { buildDeps, openSearch } from '../../src/deps.js';
import { FullTextSearch } from '../../src/retrieval/full-text-search.js';
import type { Db } from '../../src/store/db.js';
import { migrate } from '../../src/store/migrate.js';
import { PgKbStore } from '../../src/store/pg/pg-kb-store.js';
import { PgliteDb } from '../../src/store/pg/pglite-db.js';
import { PostgresDb } from '../../src/store/pg/postgres-db.js';
import { ensureVectorSchema, VectorUnavailableError } from '../../src/store/pg/vector-schema.js';
import { jsonHeaders, makeTestApp } from '../helpers/app.js';
import { freshPostgresUrl, PG_ADMIN_URL, postgresAvailable } from '../helpers/databases.js';
import { startFakeEmbeddings, type FakeEmbeddings } from '../helpers/fake-embeddings.js';
import { parseSse } from '../helpers/sse.js';

const DIMENSIONS = 512;
// What the fake model "understands": a few words that mean the same, as a real model's space has them.
const MEANINGS: Record<string, string> = {
  pop: 'click', pops: 'click', popping: 'click', clicks: 'click', click: 'click',
  repeats: 'loop-back', repeat: 'loop-back', jumps: 'loop-back', back: 'loop-back',
  looped: 'loop', loop: 'loop', note: 'sustain', sustain: 'sustain',
};

const doc = (loopText = 'Set the point where the sample jumps back to its start, at a zero crossing, so the sustain never clicks.') => ({
  creators: [
    { slug: 'ana', name: 'Ana', genres: ['ambient'] },
    { slug: 'ben', name: 'Ben', genres: ['techno'] },
  ],
  videos: [
    {
      id: 'v1', creator: 'ana', title: 'Sampler basics', url: 'https://example.com/v1',
      passages: [
        { id: 'p1', start_seconds: 10, end_seconds: 50, technique: 'Loop points', text: loopText },
        { id: 'p2', start_seconds: 60, end_seconds: 100, technique: 'Reverb pre-delay', text: 'Give the reverb forty milliseconds of pre-delay so the vocal stays in front of the room.' },
      ],
    },
    {
      id: 'v2', creator: 'ben', title: 'Kick design', url: 'https://example.com/v2',
      passages: [{ id: 'p3', start_seconds: 0, end_seconds: 40, technique: 'Kick tuning', text: 'Tune the kick drum to the root note of the track so the low end sits with the bass.' }],
    },
  ],
});

// Shares no word with p1 that full-text search could hold on to: only a model's sense of meaning finds it.
const PARAPHRASE = 'why does my looped note pop each time it repeats?';

const open: { close(): Promise<void> }[] = [];
afterAll(async () => {
  for (const o of open.reverse()) await o.close().catch(() => undefined);
});

async function pgHasVector(): Promise<boolean> {
  if (!postgresAvailable) return false;
  const client = new pg.Client({ connectionString: PG_ADMIN_URL });
  await client.connect();
  try {
    return (await client.query("SELECT 1 FROM pg_available_extensions WHERE name = 'vector'")).rowCount === 1;
  } finally {
    await client.end();
  }
}
const postgresVector = await pgHasVector();
if (postgresAvailable && !postgresVector) {
  console.warn('[skip] vector search on PostgreSQL: this server has no pgvector (tested on PGlite; the refusal to start is tested below)');
}

const factories: { name: string; open(): Promise<Db> }[] = [
  { name: 'pglite', open: async () => PgliteDb.open(undefined, { vector: true }) },
  ...(postgresVector ? [{ name: 'postgres', open: async () => new PostgresDb({ connectionString: await freshPostgresUrl() }) }] : []),
];

const env = (fake: FakeEmbeddings) => ({
  EMBEDDINGS_BASE_URL: fake.baseUrl,
  EMBEDDINGS_API_KEY: 'sk-embeddings-key',
  EMBEDDINGS_MODEL: 'fake-embed',
  EMBEDDINGS_DIMENSIONS: String(DIMENSIONS),
  EMBEDDINGS_MIN_SIMILARITY: '0.3',
  LOAD_DEMO_KB: 'false',
  RATE_LIMIT_IP_PER_HOUR: '10000',
});

describe.each(factories)('vector search fused with full-text (EMBEDDINGS_BASE_URL), $name', (factory) => {
  let fake: FakeEmbeddings;
  beforeEach(async () => {
    fake = await startFakeEmbeddings({ dimensions: DIMENSIONS, meanings: MEANINGS });
    open.push(fake);
  });

  async function app(extra: Record<string, string> = {}) {
    const t = await makeTestApp(await factory.open(), { ...env(fake), ...extra });
    open.push(t);
    await new PgKbStore(t.deps.db).importDocument(doc() as never);
    await t.deps.indexer!.run();
    return t;
  }

  const ask = async (t: Awaited<ReturnType<typeof app>>, query: string, creator: string | null) => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/chat', headers: jsonHeaders, payload: { query, creator } });
    const { events } = parseSse(res.body);
    return {
      status: res.statusCode,
      sources: (events.find((e) => e.event === 'sources')?.data ?? []) as { passage_id: string; score: number }[],
      done: events.find((e) => e.event === 'done')?.data as { cascade_tier: string } | undefined,
    };
  };

  it('embeds every passage once; an unchanged import embeds nothing, a changed passage is embedded again, a removed one loses its embedding', async () => {
    const t = await app();
    expect(await t.deps.indexer!.coverage()).toEqual({ embedded: 3, passages: 3 });
    expect(fake.inputs).toHaveLength(3);
    // What is embedded is what full-text reads: technique, video title, text.
    expect(fake.inputs).toContain('Loop points\nSampler basics\nSet the point where the sample jumps back to its start, at a zero crossing, so the sustain never clicks.');

    const kb = new PgKbStore(t.deps.db);
    await kb.importDocument(doc() as never);
    expect(await t.deps.indexer!.run()).toBe(0);
    expect(fake.inputs).toHaveLength(3);

    await kb.importDocument(doc('Loop the sample from a zero crossing.') as never);
    expect(await t.deps.indexer!.run()).toBe(1);
    expect(fake.inputs.at(-1)).toBe('Loop points\nSampler basics\nLoop the sample from a zero crossing.');

    const shorter = doc('Loop the sample from a zero crossing.');
    shorter.videos[0]!.passages.pop();
    await kb.importDocument(shorter as never);
    expect(await t.deps.indexer!.coverage()).toEqual({ embedded: 2, passages: 2 });
  });

  it("embeds no more than a passage's first 8,000 characters, so one long passage cannot exceed a model's input", async () => {
    const t = await app();
    await new PgKbStore(t.deps.db).importDocument(doc('long '.repeat(3999) + 'end') as never);
    expect(await t.deps.indexer!.run()).toBe(1);
    expect(fake.inputs.at(-1)).toHaveLength(8000);
    expect(fake.inputs.at(-1)).toMatch(/^Loop points\nSampler basics\nlong long/);
  });

  it('survives a run asked for while another runs, both failing (no unhandled rejection)', async () => {
    const t = await app();
    fake.failing = true;
    await new PgKbStore(t.deps.db).importDocument(doc('Loop the sample from a zero crossing.') as never);
    const first = t.deps.indexer!.run();
    t.deps.indexer!.wake();
    await expect(first).rejects.toThrow('the embeddings model is unavailable');
    // The follow-up run fails too, in the background; vitest fails the file on an unhandled rejection.
    await new Promise((r) => setTimeout(r, 300));
    fake.failing = false;
    expect(await t.deps.indexer!.run()).toBe(1);
  });

  it("finds by meaning a passage that shares no word with the question, in the creator's tier, where full-text alone finds nothing", async () => {
    const t = await app();
    expect(await new FullTextSearch(t.deps.db).search(PARAPHRASE, { creator: 'ana' }, 6)).toEqual([]);
    const r = await ask(t, PARAPHRASE, 'ana');
    expect(r.status).toBe(200);
    expect(r.done?.cascade_tier).toBe('creator');
    expect(r.sources[0]?.passage_id).toBe('p1');
    expect(r.sources[0]!.score).toBeGreaterThan(0);
    expect(r.sources[0]!.score).toBeLessThanOrEqual(1);
  });

  it('ranks a passage both searches find above one only vector search finds (reciprocal rank fusion)', async () => {
    const t = await app();
    const hits = await t.deps.search.search('loop points that click', {}, 6);
    expect(hits[0]?.passage_id).toBe('p1');
    // First in both lists: the best fused score there is.
    expect(hits[0]?.score).toBe(1);
  });

  it('keeps tier none for a question nothing in the knowledge base is about', async () => {
    const t = await app();
    const r = await ask(t, 'how do I bake sourdough bread?', 'ana');
    expect(r.done?.cascade_tier).toBe('none');
    expect(r.sources).toEqual([]);
  });

  it('answers from full-text alone while the embeddings model is down', async () => {
    const t = await app();
    fake.failing = true;
    const r = await ask(t, 'how much pre-delay on the reverb', 'ana');
    expect(r.status).toBe(200);
    expect(r.done?.cascade_tier).toBe('creator');
    expect(r.sources[0]?.passage_id).toBe('p2');
    // A paraphrase needs the model: without it, nothing.
    expect((await ask(t, PARAPHRASE, 'ana')).done?.cascade_tier).toBe('none');
  });

  it('gives up on a slow embeddings model after EMBEDDINGS_TIMEOUT_MS and answers from full-text', async () => {
    const t = await app({ EMBEDDINGS_TIMEOUT_MS: '200' });
    fake.delayMs = 2000;
    const started = performance.now();
    const r = await ask(t, 'how much pre-delay on the reverb', 'ana');
    expect(r.sources[0]?.passage_id).toBe('p2');
    expect(performance.now() - started).toBeLessThan(1500);
  });

  it('stores nothing from a model answering vectors of another size than EMBEDDINGS_DIMENSIONS', async () => {
    const t = await makeTestApp(await factory.open(), env(fake));
    open.push(t);
    fake.wrongDimensions = 8;
    await new PgKbStore(t.deps.db).importDocument(doc() as never);
    await expect(t.deps.indexer!.run()).rejects.toThrow(/8 dimensions, not EMBEDDINGS_DIMENSIONS=512/);
    expect(await t.deps.indexer!.coverage()).toEqual({ embedded: 0, passages: 3 });
  });

  it('starts over, embedding every passage again, when the model or the size changes', async () => {
    const db = await factory.open();
    open.push(db);
    await migrate(db);
    expect(await ensureVectorSchema(db, { model: 'a', dimensions: 8 })).toBe(true);
    expect(await ensureVectorSchema(db, { model: 'a', dimensions: 8 })).toBe(false);
    expect(await ensureVectorSchema(db, { model: 'b', dimensions: 8 })).toBe(true);
    expect(await ensureVectorSchema(db, { model: 'b', dimensions: 16 })).toBe(true);
  });
});

describe('vector search through the chat CLI and eval (openSearch)', () => {
  it('is full-text search alone without EMBEDDINGS_BASE_URL', async () => {
    const db = await PgliteDb.open();
    open.push(db);
    await migrate(db);
    const { search, indexer } = await openSearch(configFrom({}), db, pino({ level: 'silent' }));
    expect(search).toBeInstanceOf(FullTextSearch);
    expect(indexer).toBeNull();
  });

  it('runs the same cascade as chat when it is set', async () => {
    const fake = await startFakeEmbeddings({ dimensions: DIMENSIONS, meanings: MEANINGS });
    open.push(fake);
    const db = await PgliteDb.open(undefined, { vector: true });
    open.push(db);
    await migrate(db);
    await new PgKbStore(db).importDocument(doc() as never);
    const { search, indexer } = await openSearch(configFrom(env(fake)), db, pino({ level: 'silent' }));
    await indexer!.run();
    const { tier, hits } = await runCascade(search, PARAPHRASE, { slug: 'ana', genres: ['ambient'] }, 6);
    expect(tier).toBe('creator');
    expect(hits[0]?.passage_id).toBe('p1');
  });
});

describe.runIf(postgresAvailable && !postgresVector)('EMBEDDINGS_BASE_URL on a PostgreSQL without pgvector', () => {
  it('refuses to start, naming what is missing', async () => {
    const fake = await startFakeEmbeddings({ dimensions: DIMENSIONS });
    open.push(fake);
    const db = new PostgresDb({ connectionString: await freshPostgresUrl() });
    open.push(db);
    const start = buildDeps(configFrom(env(fake)), pino({ level: 'silent' }), { db });
    await expect(start).rejects.toBeInstanceOf(VectorUnavailableError);
    await expect(start).rejects.toThrow('EMBEDDINGS_BASE_URL is set, but the database has no pgvector extension');
  });
});
