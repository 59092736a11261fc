import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors.js';
import { buildImportDocument, findImportFiles } from '../../src/kb/import-files.js';
import { importDocument } from '../../src/kb/import-document.js';
import { FullTextSearch } from '../../src/retrieval/full-text-search.js';
import type { Db } from '../../src/store/db.js';
import type { ImportSummary } from '../../src/store/kb-store.js';
import { PgKbStore } from '../../src/store/pg/pg-kb-store.js';
import { dbFactories } from '../helpers/databases.js';

const FIXTURES = new URL('./fixtures/transcripts/', import.meta.url);

describe.each(dbFactories)('importing transcripts on $name', (factory) => {
  let db: Db;
  let kb: PgKbStore;
  let dir: string;

  const importDir = async (...paths: string[]): Promise<ImportSummary> => {
    const files = await findImportFiles(paths.length > 0 ? paths : [dir]);
    expect(files.problems).toEqual([]);
    return importDocument(kb, await buildImportDocument(files, await kb.creatorSlugs()));
  };
  const rejection = async (): Promise<{ path: string; message: string }[]> => {
    try {
      await importDir();
    } catch (err) {
      expect(err).toBeInstanceOf(AppError);
      return (err as AppError).extra.details as { path: string; message: string }[];
    }
    throw new Error('the import was not rejected');
  };

  beforeAll(async () => {
    db = await factory.open();
    kb = new PgKbStore(db);
    dir = await mkdtemp(path.join(tmpdir(), 'chrysopedia-transcripts-'));
    await cp(FIXTURES, dir, { recursive: true });
  });
  afterAll(async () => {
    await db.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('imports a directory of WebVTT and SRT transcripts with their metadata as passages of 30–90 s', async () => {
    const summary = await importDir();
    expect(summary.creators.inserted).toBe(1);
    expect(summary.videos.inserted).toBe(2);
    expect(summary.passages.inserted).toBeGreaterThanOrEqual(4);
    const tess = await kb.getCreator('tess-okoro');
    expect(tess?.videos.map((v) => v.id).sort()).toEqual(['yt:tess-bass-1', 'yt:tess-garage-1']);
    const rows = await db.query<{ id: string; start_seconds: number; end_seconds: number; technique: string | null }>(
      'SELECT id, start_seconds, end_seconds, technique FROM passages ORDER BY id',
    );
    for (const r of rows) {
      expect(r.id).toBe(`${r.id.split('#')[0]}#${r.start_seconds}`);
      expect(r.end_seconds - r.start_seconds).toBeGreaterThanOrEqual(30);
      expect(r.end_seconds - r.start_seconds).toBeLessThanOrEqual(90);
    }
    // The VTT's metadata has chapters: they name its passages.
    expect(rows.filter((r) => r.id.startsWith('yt:tess-garage-1')).every((r) => r.technique !== null)).toBe(true);
    const hits = await new FullTextSearch(db).search('how much swing on the garage hats', { creator: 'tess-okoro' }, 3);
    expect(hits[0]?.video_id).toBe('yt:tess-garage-1');
  });

  it('re-importing the same directory changes nothing', async () => {
    const before = await kb.counts();
    const summary = await importDir();
    expect(summary.creators).toEqual({ inserted: 0, updated: 0, unchanged: 1 });
    expect(summary.videos).toEqual({ inserted: 0, updated: 0, unchanged: 2 });
    expect(summary.passages).toMatchObject({ inserted: 0, updated: 0, deleted: 0 });
    expect(await kb.counts()).toEqual(before);
  });

  it('an edited transcript updates its passage in place', async () => {
    const file = path.join(dir, 'resampling-bassline.srt');
    const srt = await readFile(file, 'utf8');
    await writeFile(file, srt.replace('organ-like', 'reedy hoover-style'));
    const before = await kb.counts();
    const summary = await importDir();
    expect(summary.passages).toMatchObject({ inserted: 0, updated: 1, deleted: 0 });
    expect(await kb.counts()).toEqual(before);
    const hits = await new FullTextSearch(db).search('reedy hoover square', {}, 3);
    expect(hits[0]?.video_id).toBe('yt:tess-bass-1');
  });

  it('rejects the whole import when one transcript is malformed, naming file and line, and writes nothing', async () => {
    const before = await kb.counts();
    await writeFile(path.join(dir, 'new-video.vtt'), 'WEBVTT\n\n00:00:01.000 --> 00:00:40.000\nA brand new video about tape delay.\n');
    await writeFile(
      path.join(dir, 'new-video.meta.json'),
      JSON.stringify({ id: 'yt:tess-new', creator: 'tess-okoro', title: 'Tape delay', url: 'https://example.com/new' }),
    );
    const vttFile = path.join(dir, 'two-step-garage.vtt');
    const lines = (await readFile(vttFile, 'utf8')).split('\n');
    lines[7] = '00:00:04.860 --> 00:00:0x.520';
    await writeFile(vttFile, lines.join('\n'));
    expect(await rejection()).toEqual([{ path: `${vttFile}:8`, message: 'invalid end time "00:00:0x.520"' }]);
    expect(await kb.counts()).toEqual(before);
    expect((await kb.getCreator('tess-okoro'))?.videos.map((v) => v.id)).not.toContain('yt:tess-new');
  });

  it('names a transcript without metadata, and metadata naming an unknown creator', async () => {
    await cp(FIXTURES, dir, { recursive: true, force: true });
    await rm(path.join(dir, 'new-video.meta.json'));
    await writeFile(
      path.join(dir, 'resampling-bassline.meta.json'),
      JSON.stringify({ id: 'yt:tess-bass-1', creator: 'nobody', title: 'x', url: 'https://example.com/x' }),
    );
    const problems = await rejection();
    expect(problems).toEqual([
      { path: path.join(dir, 'new-video.vtt'), message: expect.stringContaining('new-video.meta.json') },
      { path: path.join(dir, 'resampling-bassline.meta.json $.creator'), message: expect.stringContaining("unknown creator 'nobody'") },
    ]);
  });
});
