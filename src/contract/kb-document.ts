import { z } from 'zod';

// Every rule the shipped JSON Schema can state is a zod check that emits it (a regex becomes a
// `pattern`), so a document an editor passes is not refused for a reason the schema never showed.
// text() of ../text.js refuses NUL with a refine, which JSON Schema cannot show: hence these.
const NO_NUL = /^[^\u0000]*$/;
const NOT_BLANK = /\S/;
// JSON Schema patterns have no flags: the scheme's letters are spelt in either case.
const HTTP_URL = /^[Hh][Tt][Tt][Pp][Ss]?:\/\/[^\s/?#\u0000]+(?:[/?#][^\s\u0000]*)?$/;

/** A string PostgreSQL can store: lone UTF-16 surrogates become U+FFFD, NUL is refused. */
const stored = () =>
  z
    .string()
    .overwrite((v) => v.toWellFormed())
    .regex(NO_NUL, 'must not contain NUL characters');

/** A stored string, trimmed, that is not empty or only whitespace. */
const filled = (max: number) => stored().trim().regex(NOT_BLANK, 'must not be empty or blank').max(max);

const slug = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be lowercase letters, digits and dashes (max 63)');
const id = filled(200);
const seconds = z.number().int('must be a whole number of seconds').min(0).max(86_400 * 7);
const httpUrl = z
  .string()
  .regex(HTTP_URL, 'must be an http(s) URL')
  // What the pattern lets through but no browser opens (a bad port or IPv6 address); only asked
  // when the pattern passed, so a bad URL gets one message.
  .refine((v) => URL.canParse(v), { message: 'must be an http(s) URL', when: (payload) => payload.issues.length === 0 });

export const personalitySchema = z.strictObject({
  voice: stored().trim().max(500).optional(),
  phrases: z.array(filled(200)).max(50).optional(),
});

export const creatorSchema = z.strictObject({
  slug,
  name: filled(200),
  bio: stored().max(5000).optional(),
  genres: z.array(stored().trim().toLowerCase().regex(NOT_BLANK, 'must not be empty or blank').max(60)).max(30).optional(),
  personality: personalitySchema.optional(),
});

/** A passage's shape; that it ends after it starts is checked with the document's rules. */
export const passageSchema = z.strictObject({
  id: id.optional(),
  start_seconds: seconds,
  end_seconds: seconds,
  technique: filled(200).optional(),
  text: filled(20_000),
});

export const videoSchema = z.strictObject({
  id,
  creator: slug,
  title: filled(500),
  url: httpUrl,
  published_at: z.iso.date().optional(),
  duration_seconds: seconds.optional(),
  passages: z.array(passageSchema).max(10_000),
});

/**
 * SPEC §7: the import document's shape. Unknown fields are refused, so a misspelt one is not
 * silently lost. The rules spanning the document are src/kb/validate-document.ts's.
 */
export const kbDocumentSchema = z.strictObject({
  creators: z.array(creatorSchema).max(10_000).default([]),
  videos: z.array(videoSchema).max(100_000).default([]),
});

export type KbDocument = z.output<typeof kbDocumentSchema>;
export type CreatorInput = z.output<typeof creatorSchema>;
export type VideoInput = z.output<typeof videoSchema>;
export type PassageInput = z.output<typeof passageSchema>;
