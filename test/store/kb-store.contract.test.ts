import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors.js';
import { importDocument } from '../../src/kb/import-document.js';
import { FullTextSearch } from '../../src/retrieval/full-text-search.js';
import type { Db } from '../../src/store/db.js';
import { PgKbStore } from '../../src/store/pg/pg-kb-store.js';
import { dbFactories } from '../helpers/databases.js';

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
});
