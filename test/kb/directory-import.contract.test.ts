import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors.js';
import { buildImportDocument, findImportFiles } from '../../src/kb/import-files.js';
import { importDocument } from '../../src/kb/import-document.js';
import type { Db } from '../../src/store/db.js';
import type { ImportSummary } from '../../src/store/kb-store.js';
import { PgKbStore } from '../../src/store/pg/pg-kb-store.js';
import { dbFactories } from '../helpers/databases.js';

const ana = { slug: 'ana', name: 'Ana', genres: ['house'] };
const video = (id: string, passages: { id: string; start: number; text: string }[]) => ({
  id,
  creator: 'ana',
  title: `Talk ${id}`,
  url: `https://example.com/${id}`,
  passages: passages.map((p) => ({ id: p.id, start_seconds: p.start, end_seconds: p.start + 40, text: p.text })),
});

describe.each(dbFactories)('importing directories of documents on $name', (factory) => {
  let db: Db;
  let kb: PgKbStore;
  let dir: string;

  /** `chrysopedia import <paths>`, as the CLI does it. */
  const importPaths = async (...paths: string[]): Promise<ImportSummary> => {
    const files = await findImportFiles(paths.map((p) => path.join(dir, p)));
    expect(files.problems).toEqual([]);
    return importDocument(kb, await buildImportDocument(files, await kb.creatorSlugs()));
  };
  const write = async (file: string, value: unknown) => {
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await writeFile(path.join(dir, file), JSON.stringify(value));
  };

  beforeAll(async () => {
    db = await factory.open();
    kb = new PgKbStore(db);
    dir = await mkdtemp(path.join(tmpdir(), 'chrysopedia-dirs-'));
  });
  afterAll(async () => {
    await db.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('imports a creator defined identically in two directories once, and importing again changes nothing', async () => {
    await write('house/creator.json', { creators: [ana] });
    await write('house/kb.json', { videos: [video('v1', [{ id: 'v1#0', start: 0, text: 'Sidechain the pad to the kick.' }])] });
    await write('techno/creator.json', { creators: [ana] });
    await write('techno/kb.json', { videos: [video('v2', [{ id: 'v2#0', start: 0, text: 'Tune the kick to the key.' }])] });
    const first = await importPaths('house', 'techno');
    expect(first.creators).toEqual({ inserted: 1, updated: 0, unchanged: 0 });
    expect(await kb.counts()).toEqual({ creators: 1, videos: 2, passages: 2 });
    const again = await importPaths('house', 'techno');
    expect(again.creators).toEqual({ inserted: 0, updated: 0, unchanged: 1 });
    expect(again.passages).toEqual({ inserted: 0, updated: 0, unchanged: 2, deleted: 0 });
  });

  it('refuses a passage id that another file gave to another video, by file and path, and writes nothing; each file imported again changes nothing (regression: the passage moved back and forth)', async () => {
    await write('a.json', { videos: [video('v3', [{ id: 'shared', start: 0, text: 'Bounce the reverb return to audio.' }])] });
    await write('b.json', { videos: [video('v4', [{ id: 'shared', start: 0, text: 'Print the delay throws.' }])] });
    await importPaths('a.json');
    const before = await kb.counts();
    const rejection = await importPaths('b.json').catch((err: unknown) => err);
    expect(rejection).toBeInstanceOf(AppError);
    expect((rejection as AppError).extra.details).toEqual([
      {
        path: `${path.join(dir, 'b.json')} $.videos[0].passages[0].id`,
        message: "passage id 'shared' belongs to video 'v3' in the knowledge base: give this passage another id (to move it, import a document that lists video 'v3' as well)",
      },
    ]);
    expect(await kb.counts()).toEqual(before);
    expect(await db.query("SELECT id, video_id FROM passages WHERE id = 'shared' OR video_id = 'v4'")).toEqual([{ id: 'shared', video_id: 'v3' }]);
    expect((await importPaths('a.json')).passages).toEqual({ inserted: 0, updated: 0, unchanged: 1, deleted: 0 });
  });
});
