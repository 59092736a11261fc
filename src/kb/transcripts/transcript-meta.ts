import { z } from 'zod';
import { videoSchema } from '../../contract/kb-document.js';

/**
 * The metadata file of a transcript, `<name>.meta.json` next to `<name>.vtt` or `<name>.srt`: the
 * JSON document's video object without its passages (they come from the transcript), plus
 * optional chapters. Unknown fields are rejected, so a misspelt one is not silently lost.
 */
export const transcriptMetaSchema = videoSchema
  .omit({ passages: true })
  .extend({
    id: videoSchema.shape.id.describe('The video id, the stable key of idempotent import (e.g. "yt:abc123").'),
    creator: videoSchema.shape.creator.describe("The creator's slug: in the knowledge base already, or in a JSON document imported with it."),
    url: videoSchema.shape.url.describe('The video page; citations add the start time to it.'),
    published_at: videoSchema.shape.published_at.describe('YYYY-MM-DD'),
    duration_seconds: videoSchema.shape.duration_seconds.describe('When given, no cue may end after it.'),
    chapters: z
      .array(
        z.object({
          start_seconds: z.number().int('must be a whole number of seconds').min(0).max(86_400 * 7),
          title: z.string().trim().min(1).max(200),
        }),
      )
      .max(1000)
      .optional()
      .describe('Chapter marks: passages never cross one, and take its title as their technique.'),
  })
  .strict()
  .superRefine((meta, ctx) => {
    const starts = (meta.chapters ?? []).map((c) => c.start_seconds);
    starts.forEach((s, i) => {
      if (i > 0 && s <= starts[i - 1]!) ctx.addIssue({ code: 'custom', message: 'chapters must be in increasing start_seconds', path: ['chapters', i, 'start_seconds'] });
    });
  });

export type TranscriptMeta = z.output<typeof transcriptMetaSchema>;

/** The JSON Schema shipped as src/kb/transcript-meta.schema.json. */
export function transcriptMetaJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(transcriptMetaSchema, { io: 'input', target: 'draft-2020-12' }),
    $id: 'https://chrysopedia.example/schemas/transcript-meta.schema.json',
    title: 'Chrysopedia transcript metadata (<name>.meta.json next to <name>.vtt or <name>.srt)',
  };
}
