import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors.js';
import { jsonPath, validateDocument } from '../../src/kb/validate-document.js';

const paths = (input: unknown, known: string[] = []) => {
  try {
    validateDocument(input, new Set(known));
    return [];
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return ((err as AppError).extra.details as { path: string }[]).map((d) => d.path);
  }
};

describe('import document validation', () => {
  it('writes JSON paths the way people read them', () => {
    expect(jsonPath(['videos', 3, 'passages', 0, 'text'])).toBe('$.videos[3].passages[0].text');
    expect(jsonPath(['a b'])).toBe('$["a b"]');
  });

  it('names every problem of a document at once', () => {
    expect(
      paths({
        creators: [{ slug: 'Bad Slug', name: '' }],
        videos: [{ id: 'v', creator: 'x', title: 't', url: 'ftp://x', passages: [{ start_seconds: -1, end_seconds: 2, text: '' }] }],
      }).sort(),
    ).toEqual([
      '$.creators[0].name',
      '$.creators[0].slug',
      '$.videos[0].passages[0].start_seconds',
      '$.videos[0].passages[0].text',
      '$.videos[0].url',
    ]);
  });

  it('catches duplicates, unknown creators and passages past the end of the video', () => {
    expect(
      paths({
        creators: [{ slug: 'a', name: 'A' }, { slug: 'a', name: 'A again' }],
        videos: [
          { id: 'v', creator: 'a', title: 't', url: 'https://x.y', duration_seconds: 60, passages: [{ start_seconds: 30, end_seconds: 90, text: 'x' }] },
          { id: 'v', creator: 'zed', title: 't', url: 'https://x.y', passages: [{ start_seconds: 0, end_seconds: 5, text: 'x' }, { id: 'dup', start_seconds: 0, end_seconds: 5, text: 'x' }, { id: 'dup', start_seconds: 9, end_seconds: 15, text: 'y' }] },
        ],
      }),
    ).toEqual([
      '$.creators[1].slug',
      '$.videos[0].passages[0].end_seconds',
      '$.videos[1].id',
      '$.videos[1].creator',
      '$.videos[1].passages[2].id',
    ]);
  });

  it('accepts a video of a creator already in the knowledge base, and fills in passage ids', () => {
    const doc = validateDocument(
      { videos: [{ id: 'yt:1', creator: 'known', title: 't', url: 'https://x.y', passages: [{ start_seconds: 83, end_seconds: 121, text: 'x' }] }] },
      new Set(['known']),
    );
    expect(doc.videos[0]?.passages[0]?.id).toBe('yt:1#83');
    expect(doc.creators).toEqual([]);
  });

  it('rejects something that is not a document', () => {
    expect(paths('hello')).toEqual(['$']);
    expect(paths({ creators: 'x' })).toEqual(['$.creators']);
  });
});

describe('the shipped JSON Schema', () => {
  it('is the one generated from the validating zod schema (run `npm run schema` after changing it)', async () => {
    const { readFile } = await import('node:fs/promises');
    const { kbDocumentJsonSchema } = await import('../../src/kb/document-json-schema.js');
    const shipped = JSON.parse(await readFile(new URL('../../schema/knowledge-base.schema.json', import.meta.url), 'utf8'));
    expect(shipped).toEqual(JSON.parse(JSON.stringify(kbDocumentJsonSchema())));
  });
});
