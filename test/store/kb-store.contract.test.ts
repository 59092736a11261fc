import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors.js';
import { importDocument } from '../../src/kb/import-document.js';
import { FullTextSearch } from '../../src/retrieval/full-text-search.js';
import type { Db } from '../../src/store/db.js';
import { PgKbStore } from '../../src/store/pg/pg-kb-store.js';
import { genreKeys } from '../../src/store/genre-key.js';
import { migrate } from '../../src/store/migrate.js';
import { migrations } from '../../src/store/migrations/index.js';
import { PgliteDb } from '../../src/store/pg/pglite-db.js';
import { PostgresDb } from '../../src/store/pg/postgres-db.js';
import { dbFactories, freshPostgresUrl } from '../helpers/databases.js';

const doc = () => ({
  creators: [
    { slug: 'ana', name: 'Ana', genres: ['techno'], personality: { voice: 'calm', phrases: ['feel the room'] } },
    { slug: 'bo', name: 'Bo', genres: ['techno', 'ambient'] },
  ],
  videos: [
    {
      id: 'v1',
      creator: 'ana',
      title: 'Kick drums',
      url: 'https://example.com/v1',
      published_at: '2024-05-01',
      duration_seconds: 600,
      passages: [
        { start_seconds: 10, end_seconds: 50, technique: 'Kick tuning', text: 'Tune the kick drum to the root note of the track.' },
        { id: 'v1-custom', start_seconds: 60, end_seconds: 100, text: 'Layer a click on top of the kick for attack.' },
      ],
    },
    {
      id: 'v2',
      creator: 'bo',
      title: 'Pads',
      url: 'https://example.com/v2',
      passages: [{ start_seconds: 0, end_seconds: 45, technique: 'Pad layering', text: 'Stack two detuned saw pads an octave apart.' }],
    },
  ],
});

describe.each(dbFactories)('KbStore contract on $name', (factory) => {
  let db: Db;
  let kb: PgKbStore;
  beforeAll(async () => {
    db = await factory.open();
    kb = new PgKbStore(db);
  });
  afterAll(async () => db.close());

  it('imports a document and counts what it inserted', async () => {
    const summary = await importDocument(kb, doc());
    expect(summary.creators.inserted).toBe(2);
    expect(summary.videos.inserted).toBe(2);
    expect(summary.passages.inserted).toBe(3);
    expect(await kb.counts()).toEqual({ creators: 2, videos: 2, passages: 3 });
  });

  it('importing the same document twice changes nothing', async () => {
    const summary = await importDocument(kb, doc());
    expect(summary.passages).toEqual({ inserted: 0, updated: 0, unchanged: 3, deleted: 0 });
    expect(summary.creators.unchanged).toBe(2);
    expect(await kb.counts()).toEqual({ creators: 2, videos: 2, passages: 3 });
  });

  it('gives a passage without id the id <video id>#<start_seconds>', async () => {
    const ana = await kb.getCreator('ana');
    expect(ana?.videos[0]?.passage_count).toBe(2);
    const hits = await new FullTextSearch(db).search('tune kick root note', {}, 5);
    expect(hits[0]?.passage_id).toBe('v1#10');
  });

  it('updates a changed passage in place, and search finds the new text', async () => {
    const changed = doc();
    changed.videos[0]!.passages[0]!.text = 'Tune the kick drum with a spectrum analyser until the fundamental sits on the root.';
    const summary = await importDocument(kb, changed);
    expect(summary.passages).toMatchObject({ inserted: 0, updated: 1, unchanged: 2 });
    expect(await kb.counts()).toEqual({ creators: 2, videos: 2, passages: 3 });
    const hits = await new FullTextSearch(db).search('spectrum analyser fundamental', {}, 5);
    expect(hits.map((h) => h.passage_id)).toEqual(['v1#10']);
  });

  it('removes the passages a video no longer lists', async () => {
    const fewer = doc();
    fewer.videos[0]!.passages.pop();
    const summary = await importDocument(kb, fewer);
    expect(summary.passages.deleted).toBe(1);
    expect((await kb.counts()).passages).toBe(2);
    await importDocument(kb, doc());
  });

  it('rejects a bad document whole, naming every problem by JSON path, and writes nothing', async () => {
    const before = await kb.counts();
    const bad = doc() as unknown as { creators: unknown[]; videos: Record<string, unknown>[] };
    bad.creators.push({ slug: 'new-one', name: 'New' });
    (bad.videos[0]!.passages as Record<string, unknown>[])[1]!.end_seconds = 5;
    bad.videos[1]!.url = 'not a url';
    bad.videos.push({ id: 'v3', creator: 'ghost', title: 'x', url: 'https://example.com/3', passages: [] });
    let error: unknown;
    try {
      await importDocument(kb, bad);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(AppError);
    const details = (error as AppError).extra.details as { path: string }[];
    // The unknown creator too, not only once the shape is fixed (regression).
    expect(details.map((d) => d.path)).toEqual(['$.videos[0].passages[1].end_seconds', '$.videos[1].url', '$.videos[2].creator']);
    expect(await kb.counts()).toEqual(before);
    expect((await kb.creatorSlugs()).has('new-one')).toBe(false);
  });

  it('rejects a video whose creator is nowhere, by path', async () => {
    await expect(
      importDocument(kb, { videos: [{ id: 'v9', creator: 'ghost', title: 't', url: 'https://e.com', passages: [] }] }),
    ).rejects.toMatchObject({ extra: { details: [{ path: '$.videos[0].creator' }] } });
  });

  it('lists creators with their counts and shows one with its videos and personality', async () => {
    const list = await kb.listCreators();
    expect(list.map((c) => c.slug)).toEqual(['ana', 'bo']);
    expect(list[0]).toMatchObject({ name: 'Ana', genres: ['techno'], video_count: 1, passage_count: 2 });
    const ana = await kb.getCreator('ana');
    expect(ana?.personality).toEqual({ voice: 'calm', phrases: ['feel the room'] });
    expect(ana?.videos[0]).toMatchObject({ id: 'v1', published_at: '2024-05-01', duration_seconds: 600 });
    expect(await kb.getCreator('nobody')).toBeNull();
  });

  it('gives a creator\'s profile for chat: name, genres and personality, or null for an unknown slug', async () => {
    expect(await kb.getCreatorProfile('ana')).toEqual({ slug: 'ana', name: 'Ana', genres: ['techno'], personality: { voice: 'calm', phrases: ['feel the room'] } });
    expect(await kb.getCreatorProfile('bo')).toEqual({ slug: 'bo', name: 'Bo', genres: ['techno', 'ambient'], personality: null });
    expect(await kb.getCreatorProfile('nobody')).toBeNull();
  });

  it('scopes search to one creator, or to creators sharing a genre', async () => {
    const search = new FullTextSearch(db);
    expect(await search.search('detuned saw pads', { creator: 'ana' }, 5)).toEqual([]);
    const byGenre = await search.search('detuned saw pads', { genres: ['ambient'] }, 5);
    expect(byGenre.map((h) => h.creator_slug)).toEqual(['bo']);
  });

  it('refuses a passage id that belongs to a video the document does not list, naming it and that video, and writes nothing (regression: the passage moved, and moved back on the next import of the other file)', async () => {
    const before = await kb.counts();
    const taker = { id: 'v3', creator: 'bo', title: 'Stolen', url: 'https://example.com/v3', passages: [{ id: 'v1-custom', start_seconds: 0, end_seconds: 30, text: 'Not the click layer.' }] };
    await expect(importDocument(kb, { videos: [taker] })).rejects.toMatchObject({
      code: 'invalid_document',
      extra: {
        details: [
          {
            path: '$.videos[0].passages[0].id',
            message: "passage id 'v1-custom' belongs to video 'v1' in the knowledge base: give this passage another id (to move it, import a document that lists video 'v1' as well)",
          },
        ],
      },
    });
    expect(await kb.counts()).toEqual(before);
    expect((await kb.getCreator('bo'))?.videos.map((v) => v.id)).toEqual(['v2']);
    const [row] = await db.query<{ video_id: string; text: string }>("SELECT video_id, text FROM passages WHERE id = 'v1-custom'");
    expect(row).toEqual({ video_id: 'v1', text: 'Layer a click on top of the kick for attack.' });
  });

  it('moves a passage between two videos a document lists, and importing it again changes nothing', async () => {
    const moved = doc();
    const click = moved.videos[0]!.passages.pop()!;
    (moved.videos[1]!.passages as object[]).push({ ...click, start_seconds: 50, end_seconds: 90 });
    expect((await importDocument(kb, moved)).passages).toMatchObject({ updated: 1, deleted: 0 });
    expect((await importDocument(kb, moved)).passages).toEqual({ inserted: 0, updated: 0, unchanged: 3, deleted: 0 });
    const [row] = await db.query<{ video_id: string }>("SELECT video_id FROM passages WHERE id = 'v1-custom'");
    expect(row?.video_id).toBe('v2');
  });

  it("moves a video and its passages to another creator when its document names another creator", async () => {
    const edited = doc();
    edited.videos[1]!.creator = 'ana';
    expect((await importDocument(kb, edited)).videos).toEqual({ inserted: 0, updated: 1, unchanged: 1 });
    expect((await kb.getCreator('ana'))?.videos.map((v) => v.id).sort()).toEqual(['v1', 'v2']);
    const hits = await new FullTextSearch(db).search('detuned saw pads', { creator: 'ana' }, 5);
    expect(hits.map((h) => h.video_id)).toEqual(['v2']);
    expect((await importDocument(kb, edited)).videos).toEqual({ inserted: 0, updated: 0, unchanged: 2 });
  });
});

describe.each(dbFactories)('migration 0010 on $name: genre keys of the creators already there', (factory) => {
  it('fills each creator’s genre keys as an import would write them', async () => {
    const db = factory.name === 'pglite' ? await PgliteDb.open() : new PostgresDb({ connectionString: await freshPostgresUrl() });
    try {
      await migrate(db, migrations.slice(0, 9));
      await db.query(`INSERT INTO creators (slug, name, genres, content_hash) VALUES ('old', 'Old', ARRAY['Hip-Hop', 'lo fi', 'hip hop', '--'], 'h')`);
      await migrate(db);
      const [row] = await db.query<{ genre_keys: string[] }>(`SELECT genre_keys FROM creators WHERE slug = 'old'`);
      expect([...row!.genre_keys].sort()).toEqual(genreKeys(['Hip-Hop', 'lo fi', 'hip hop', '--']).sort());
      expect(genreKeys(['Hip-Hop', 'lo fi', 'hip hop', '--']).sort()).toEqual(['hiphop', 'lofi']);
    } finally {
      await db.close();
    }
  }, 60_000);
});
