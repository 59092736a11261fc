import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findImportFiles } from '../../src/kb/import-files.js';

describe('finding the files of an import', () => {
  let dir = '';
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('does not loop through a symlink to a parent directory (regression)', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'chrysopedia-walk-'));
    await mkdir(path.join(dir, 'talks'));
    await writeFile(path.join(dir, 'talks', 'a.vtt'), 'WEBVTT\n');
    await writeFile(path.join(dir, 'doc.json'), '{}');
    await symlink(dir, path.join(dir, 'talks', 'loop'));
    const found = await findImportFiles([dir]);
    expect(found.problems).toEqual([]);
    expect(found.documents).toEqual([path.join(dir, 'doc.json')]);
    expect(found.transcripts).toEqual([path.join(dir, 'talks', 'a.vtt')]);
  });
});
