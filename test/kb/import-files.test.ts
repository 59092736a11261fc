import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors.js';
import { buildImportDocument, findImportFiles } from '../../src/kb/import-files.js';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'chrysopedia-files-'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

/** Writes files under a new directory of the test's; returns its path. */
async function tree(name: string, files: Record<string, string | Uint8Array>): Promise<string> {
  const root = path.join(dir, name);
  for (const [file, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, file)), { recursive: true });
    await writeFile(path.join(root, file), content);
  }
  return root;
}

const build = async (root: string, known: string[] = []) => {
  const files = await findImportFiles([root]);
  expect(files.problems).toEqual([]);
  return buildImportDocument(files, new Set(known));
};

const rejection = async (root: string, known: string[] = []): Promise<{ path: string; message: string }[]> => {
  try {
    await build(root, known);
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return (err as AppError).extra.details as { path: string; message: string }[];
  }
  throw new Error('the import was not rejected');
};

const json = (value: unknown) => JSON.stringify(value);
const ana = { slug: 'ana', name: 'Ana', genres: ['house'] };
const video = (id: string, passages: unknown[], creator = 'ana') => ({ id, creator, title: `Talk ${id}`, url: `https://example.com/${id}`, passages });
const passage = (id: string, start: number) => ({ id, start_seconds: start, end_seconds: start + 40, text: `What ${id} teaches.` });
const meta = (id: string) => json({ id, creator: 'ana', title: 'A talk', url: 'https://example.com/talk' });
const srt = '1\r\n00:00:01,000 --> 00:00:40,000\r\nThe café’s warm saturation is key.\r\n';

describe('finding the files of an import', () => {
  it('does not loop through a symlink to a parent directory (regression)', async () => {
    const root = await tree('walk', { 'talks/a.vtt': 'WEBVTT\n', 'doc.json': '{}' });
    await symlink(root, path.join(root, 'talks', 'loop'));
    const found = await findImportFiles([root]);
    expect(found.problems).toEqual([]);
    expect(found.documents).toEqual([path.join(root, 'doc.json')]);
    expect(found.transcripts).toEqual([path.join(root, 'talks', 'a.vtt')]);
  });

  it('reports a file whose name is not UTF-8 by that name (regression: "no such file or directory")', async () => {
    const root = await tree('names', { 'ok.json': json({ creators: [ana] }), 'notes.txt': '' });
    const latin1 = (name: string) => Buffer.concat([Buffer.from(`${root}${path.sep}`), Buffer.from(name, 'latin1')]);
    await writeFile(latin1('café.srt'), srt);
    await writeFile(latin1('résumé.txt'), 'not an import file: not reported');
    const found = await findImportFiles([root]);
    expect(found.problems).toEqual([
      { path: path.join(root, 'caf\uFFFD.srt'), message: 'its name is not UTF-8 (shown with � for the bytes that are not): rename it to import it' },
    ]);
  });
});

describe('reading the files of an import', () => {
  it('reads a JSON document and a transcript metadata file that start with a UTF-8 byte order mark (regression: "not valid JSON")', async () => {
    const root = await tree('bom', {
      'kb.json': `\uFEFF${json({ creators: [ana], videos: [video('v1', [passage('p1', 0)])] })}`,
      'talk.srt': `\uFEFF${srt}`,
      'talk.meta.json': `\uFEFF${meta('v2')}`,
    });
    const doc = await build(root);
    expect(doc.creators.map((c) => c.slug)).toEqual(['ana']);
    expect(doc.videos.map((v) => v.id)).toEqual(['v1', 'v2']);
  });

  it('refuses a Windows-1252 transcript or document at the line of its first byte that is not UTF-8 (regression: imported as "caf�s")', async () => {
    const root = await tree('cp1252', {
      'creator.json': json({ creators: [ana] }),
      'talk.srt': Buffer.from(srt.replace('’', "'"), 'latin1'),
      'talk.meta.json': meta('v1'),
      'z.json': Buffer.from(`{"creators": [\n  {"slug": "zoe", "name": "Zoé"}]}`, 'latin1'),
    });
    expect(await rejection(root)).toEqual([
      { path: `${path.join(root, 'z.json')}:2`, message: 'not UTF-8 text (byte 0xE9: it looks like Windows-1252, where it is "é"); save it as UTF-8' },
      { path: `${path.join(root, 'talk.srt')}:3`, message: 'not UTF-8 text (byte 0xE9: it looks like Windows-1252, where it is "é"); save it as UTF-8' },
    ]);
  });

  it('reads a UTF-16 transcript by its byte order mark', async () => {
    const root = await tree('utf16', { 'talk.srt': Buffer.from(`\uFEFF${srt}`, 'utf16le'), 'talk.meta.json': meta('v1') });
    const doc = await build(root, ['ana']);
    expect(doc.videos[0]?.passages.map((p) => p.text)).toEqual(['The café’s warm saturation is key.']);
  });

  it('reports a .json file that is not a knowledge-base document (regression: a package.json counted as imported)', async () => {
    const root = await tree('not-kb', { 'kb.json': json({ creators: [ana] }), 'tools/package.json': json({ name: 'my-notes', version: '1.0.0' }) });
    expect(await rejection(root)).toEqual([
      { path: `${path.join(root, 'tools', 'package.json')} $`, message: 'not a knowledge-base document: it has neither "creators" nor "videos"' },
    ]);
  });

  it('names each unknown field of a transcript metadata file at its path', async () => {
    const root = await tree('meta-fields', { 'talk.srt': srt, 'talk.meta.json': json({ ...JSON.parse(meta('v1')), publishedAt: '2024-05-01', language: 'en' }) });
    expect(await rejection(root, ['ana'])).toEqual([
      { path: `${path.join(root, 'talk.meta.json')} $.publishedAt`, message: 'unknown field: did you mean "published_at"?' },
      { path: `${path.join(root, 'talk.meta.json')} $.language`, message: expect.stringContaining('unknown field: the fields here are id, creator') },
    ]);
  });
});

describe('the keys of an import of many files', () => {
  it('tells a problem between files by the file it is in and its path there, naming the other file (regression: paths of the merge, no file)', async () => {
    const root = await tree('across', {
      'a.json': json({ creators: [ana], videos: [video('v1', [passage('shared', 0)])] }),
      'b.json': json({ creators: [{ ...ana, name: 'Ana B' }], videos: [video('v2', [passage('p2', 0), passage('shared', 60)]), video('v1', [])] }),
    });
    const [a, b] = [path.join(root, 'a.json'), path.join(root, 'b.json')];
    expect(await rejection(root)).toEqual([
      { path: `${b} $.creators[0].slug`, message: `creator 'ana' is defined differently (name) in ${a} $.creators[0]: define it once, or the same in every file` },
      { path: `${b} $.videos[0].passages[1].id`, message: `passage id 'shared' is also in ${a} $.videos[0].passages[0].id` },
      { path: `${b} $.videos[1].id`, message: `video id 'v1' is also in ${a} $.videos[0].id` },
    ]);
  });

  it('reports the problems between files of a file whose shape is wrong too', async () => {
    const root = await tree('across-bad', {
      'a.json': json({ creators: [ana], videos: [video('v1', [passage('shared', 0)])] }),
      'b.json': json({ videos: [{ ...video('v2', [passage('shared', 0)]), url: 'ftp://example.com/v2' }] }),
    });
    const [a, b] = [path.join(root, 'a.json'), path.join(root, 'b.json')];
    expect(await rejection(root)).toEqual([
      { path: `${b} $.videos[0].url`, message: 'must be an http(s) URL' },
      { path: `${b} $.videos[0].passages[0].id`, message: `passage id 'shared' is also in ${a} $.videos[0].passages[0].id` },
    ]);
  });

  it('takes a creator defined identically in several files (a creator.json per directory) as one creator', async () => {
    const root = await tree('creator-per-dir', {
      'house/creator.json': json({ creators: [ana] }),
      'house/kb.json': json({ videos: [video('v1', [passage('p1', 0)])] }),
      'techno/creator.json': json({ creators: [{ genres: ['House'], name: 'Ana ', slug: 'ana' }] }),
      'techno/talk.srt': srt,
      'techno/talk.meta.json': meta('v2'),
    });
    const doc = await build(root);
    expect(doc.creators).toEqual([ana]);
    expect(doc.videos.map((v) => v.id)).toEqual(['v1', 'v2']);
  });
});
