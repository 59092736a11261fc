import { z } from 'zod';
import { text } from '../text.js';

const slug = text().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be lowercase letters, digits and dashes (max 63)');
const id = text().trim().min(1).max(200);
const seconds = z.number().int('must be a whole number of seconds').min(0).max(86_400 * 7);

export const personalitySchema = z.object({
  voice: text().trim().max(500).optional(),
  phrases: z.array(text().trim().min(1).max(200)).max(50).optional(),
});

export const creatorSchema = z.object({
  slug,
  name: text().trim().min(1).max(200),
  bio: text().max(5000).optional(),
  genres: z.array(text().trim().toLowerCase().min(1).max(60)).max(30).optional(),
  personality: personalitySchema.optional(),
});

export const passageSchema = z
  .object({
    id: id.optional(),
    start_seconds: seconds,
    end_seconds: seconds,
    technique: text().trim().min(1).max(200).optional(),
    text: text().trim().min(1, 'must not be empty').max(20_000),
  })
  .refine((p) => p.end_seconds > p.start_seconds, { message: 'must be greater than start_seconds', path: ['end_seconds'] });

export const videoSchema = z.object({
  id,
  creator: slug,
  title: text().trim().min(1).max(500),
  url: z.url({ protocol: /^https?$/ }),
  published_at: z.iso.date().optional(),
  duration_seconds: seconds.optional(),
  passages: z.array(passageSchema).max(10_000),
});

/** SPEC §7: the import document. */
export const kbDocumentSchema = z.object({
  creators: z.array(creatorSchema).max(10_000).default([]),
  videos: z.array(videoSchema).max(100_000).default([]),
});

export type KbDocument = z.output<typeof kbDocumentSchema>;
export type CreatorInput = z.output<typeof creatorSchema>;
export type VideoInput = z.output<typeof videoSchema>;
export type PassageInput = z.output<typeof passageSchema>;
