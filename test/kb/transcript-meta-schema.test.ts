import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { transcriptMetaJsonSchema, transcriptMetaSchema } from '../../src/kb/transcripts/transcript-meta.js';

describe('transcript metadata', () => {
  it('ships a JSON Schema that is the zod schema, so the two never drift', async () => {
    const shipped = JSON.parse(await readFile(new URL('../../src/kb/transcript-meta.schema.json', import.meta.url), 'utf8'));
    // To regenerate: print JSON.stringify(transcriptMetaJsonSchema(), null, 2) into that file.
    expect(shipped).toEqual(transcriptMetaJsonSchema());
  });

  it('takes the video fields of the JSON document and optional chapters, and rejects unknown fields', () => {
    const meta = { id: 'yt:a', creator: 'mira-vox', title: 'T', url: 'https://example.com/v', published_at: '2024-05-01', chapters: [{ start_seconds: 0, title: 'Intro' }] };
    expect(transcriptMetaSchema.parse(meta)).toEqual(meta);
    const bad = transcriptMetaSchema.safeParse({ ...meta, publishedAt: '2024-05-01', chapters: [{ start_seconds: 10, title: 'b' }, { start_seconds: 5, title: 'a' }] });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues.map((i) => i.path.join('.')).sort()).toEqual(['', 'chapters.1.start_seconds']);
  });
});
