import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors.js';
import { kbDocumentJsonSchema } from '../../src/kb/document-json-schema.js';
import { jsonPath, validateDocument } from '../../src/kb/validate-document.js';

const problems = (input: unknown, known: string[] = []): { path: string; message: string }[] => {
  try {
    validateDocument(input, new Set(known));
    return [];
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return (err as AppError).extra.details as { path: string; message: string }[];
  }
};
const paths = (input: unknown, known: string[] = []) => problems(input, known).map((d) => d.path);

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
      '$.videos[0].creator',
      '$.videos[0].passages[0].start_seconds',
      '$.videos[0].passages[0].text',
      '$.videos[0].url',
    ]);
  });

  it('names the rules spanning the document along with the shape problems, in document order (regression: they waited until the shape was fixed)', () => {
    const doc = {
      creators: [{ slug: 'dup', name: 'A' }, { slug: 'dup', name: '' }],
      videos: [
        {
          id: 'v1',
          creator: 'nobody',
          title: 'T',
          url: 'ftp://x.example/a',
          duration_seconds: 10,
          passages: [
            { id: 'p1', start_seconds: 50, end_seconds: 40, text: 'a' },
            { id: 'p1', start_seconds: 1.5, end_seconds: 20, text: 'b' },
          ],
        },
        { id: 'v1', creator: 'dup', title: 'T2', url: 'https://x.example', passages: 'none' },
      ],
    };
    expect(problems(doc)).toEqual([
      { path: '$.creators[1].slug', message: "duplicate creator slug 'dup' (also at $.creators[0].slug)" },
      { path: '$.creators[1].name', message: 'must not be empty or blank' },
      { path: '$.videos[0].creator', message: "unknown creator 'nobody': not in this document nor in the knowledge base" },
      { path: '$.videos[0].url', message: 'must be an http(s) URL' },
      { path: '$.videos[0].passages[0].end_seconds', message: 'must be greater than start_seconds' },
      { path: '$.videos[0].passages[0].end_seconds', message: 'is past the end of the video (duration_seconds 10)' },
      { path: '$.videos[0].passages[1].id', message: "duplicate passage id 'p1' (also at $.videos[0].passages[0].id)" },
      { path: '$.videos[0].passages[1].start_seconds', message: 'must be a whole number of seconds' },
      { path: '$.videos[0].passages[1].end_seconds', message: 'is past the end of the video (duration_seconds 10)' },
      { path: '$.videos[1].id', message: "duplicate video id 'v1' (also at $.videos[0].id)" },
      { path: '$.videos[1].passages', message: 'Invalid input: expected array, received string' },
    ]);
  });

  it('refuses unknown fields, each at its own JSON path, naming the field likely meant (regression: they were dropped)', () => {
    const doc = {
      creators: [{ slug: 'a', name: 'A', colour: 'red', personality: { Voice: 'calm' } }],
      videos: [
        {
          id: 'v',
          creator: 'a',
          title: 't',
          url: 'https://x.y',
          publishedAt: '2024-05-01',
          passages: [{ start_seconds: 0, end_seconds: 5, techniqe: 'EQ', text: 'x' }],
        },
      ],
      meta: 1,
    };
    expect(problems(doc)).toEqual([
      { path: '$.creators[0].colour', message: 'unknown field: the fields here are slug, name, bio, genres, personality' },
      { path: '$.creators[0].personality.Voice', message: 'unknown field: did you mean "voice"?' },
      { path: '$.videos[0].publishedAt', message: 'unknown field: did you mean "published_at"?' },
      { path: '$.videos[0].passages[0].techniqe', message: 'unknown field: did you mean "technique"?' },
      { path: '$.meta', message: 'unknown field: the fields here are creators, videos' },
    ]);
  });

  it('refuses a JSON object that is not a knowledge-base document at all, in one problem', () => {
    expect(problems({ name: 'my-notes', version: '1.0.0' })).toEqual([
      { path: '$', message: 'not a knowledge-base document: it has neither "creators" nor "videos"' },
    ]);
    expect(problems({ videos: [] })).toEqual([]);
  });

  it('says a URL must be http(s), and refuses blank text and NUL characters', () => {
    const video = (patch: Record<string, unknown>) => ({ videos: [{ id: 'v', creator: 'k', title: 't', url: 'https://x.y', passages: [], ...patch }] });
    for (const url of ['ftp://x.example/a', 'mailto:a@b.example', 'https://', 'https://exa mple.com', 'https://[::1', 'https:x.example']) {
      expect(problems(video({ url }), ['k'])).toEqual([{ path: '$.videos[0].url', message: 'must be an http(s) URL' }]);
    }
    expect(problems(video({ url: 'HTTPS://X.example/a?b=c#t' }), ['k'])).toEqual([]);
    expect(problems(video({ title: ' \t ' }), ['k'])).toEqual([{ path: '$.videos[0].title', message: 'must not be empty or blank' }]);
    expect(problems(video({ title: 'a\u0000b' }), ['k'])).toEqual([{ path: '$.videos[0].title', message: 'must not contain NUL characters' }]);
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
  const shipped = async () => JSON.parse(await readFile(new URL('../../schema/knowledge-base.schema.json', import.meta.url), 'utf8'));

  it('is the one generated from the validating zod schema (run `npm run schema` after changing it)', async () => {
    expect(await shipped()).toEqual(JSON.parse(JSON.stringify(kbDocumentJsonSchema())));
  });

  // No JSON Schema validator is a dependency: the schema's patterns are tried as the ECMAScript
  // regular expressions JSON Schema says they are.
  type Node = { pattern?: string; allOf?: { pattern?: string }[]; properties?: Record<string, Node>; items?: Node; additionalProperties?: boolean };
  const patternsAllow = (node: Node, value: string) =>
    [node.pattern, ...(node.allOf ?? []).map((a) => a.pattern)].every((p) => p === undefined || new RegExp(p, 'u').test(value));

  it('refuses the URLs, blank strings and NUL characters the importer refuses, and accepts the ones it accepts (regression: ftp:// and "   " passed it)', async () => {
    const video = (await shipped()).properties.videos.items as Node;
    const importerAllows = (field: string, value: string) =>
      problems({ videos: [{ id: 'v', creator: 'k', title: 't', url: 'https://x.y', passages: [], [field]: value }] }, ['k']).length === 0;
    const cases: [string, string][] = [
      ['url', 'ftp://x.example/a'],
      ['url', 'mailto:a@b.example'],
      ['url', 'https://'],
      ['url', 'https://exa mple.com'],
      ['url', 'https://www.youtube.com/watch?v=abc123'],
      ['url', 'HTTP://x.example'],
      ['title', '   '],
      ['title', ''],
      ['title', 'a\u0000b'],
      ['title', '  Kick drums '],
      ['id', ' \n '],
      ['id', 'yt:abc123'],
    ];
    for (const [field, value] of cases) {
      expect({ field, value, schema: patternsAllow(video.properties![field]!, value) }).toEqual({ field, value, schema: importerAllows(field, value) });
    }
  });

  it('refuses unknown fields in every object, and says which rules it cannot express', async () => {
    const schema = await shipped();
    const objects: Node[] = [
      schema,
      schema.properties.creators.items,
      schema.properties.creators.items.properties.personality,
      schema.properties.videos.items,
      schema.properties.videos.items.properties.passages.items,
    ];
    expect(objects.map((o) => o.additionalProperties)).toEqual([false, false, false, false, false]);
    for (const rule of ['unique', 'end_seconds is greater than its start_seconds', 'duration_seconds', 'knowledge base']) {
      expect(schema.description).toContain(rule);
    }
  });
});
