import type { z } from 'zod';
import { creatorSchema, passageSchema, videoSchema, type CreatorInput, type KbDocument } from '../contract/kb-document.js';
import { isRecord, jsonPath, type PathProblem } from './document-problems.js';

export interface PassagePart {
  /** Its id, given or `<video id>#<start_seconds>` (then `derived`). */
  id?: string;
  derived?: boolean;
  start_seconds?: number;
  end_seconds?: number;
}

export interface VideoPart {
  id?: string;
  creator?: string;
  duration_seconds?: number;
  passages: PassagePart[];
}

/**
 * What the rules spanning a document (and the files of one import) look at, by index: each field
 * that is valid on its own, so that one bad field of an item hides none of the others' problems.
 */
export interface DocumentParts {
  creators: { slug?: string; creator?: CreatorInput }[];
  videos: VideoPart[];
}

const field = (item: unknown, key: string): unknown => (isRecord(item) && Object.hasOwn(item, key) ? item[key] : undefined);
const items = (list: unknown): unknown[] => (Array.isArray(list) ? list : []);
function valid<T>(schema: z.ZodType<T>, value: unknown): T | undefined {
  const result = schema.safeParse(value);
  return result.success ? result.data : undefined;
}

/** The parts of a document that parsed whole: its fields as they are, none checked again. */
export function parsedDocumentParts(doc: KbDocument): DocumentParts {
  return {
    creators: doc.creators.map((creator) => ({ slug: creator.slug, creator })),
    videos: doc.videos.map((v) => ({
      id: v.id,
      creator: v.creator,
      duration_seconds: v.duration_seconds,
      passages: v.passages.map((p): PassagePart =>
        p.id !== undefined
          ? { id: p.id, start_seconds: p.start_seconds, end_seconds: p.end_seconds }
          : { id: `${v.id}#${p.start_seconds}`, derived: true, start_seconds: p.start_seconds, end_seconds: p.end_seconds },
      ),
    })),
  };
}

/** The parts of a document whose shape is wrong: the fields of its items that are valid on their own. */
export function documentParts(input: unknown): DocumentParts {
  const { shape: v } = videoSchema;
  const { shape: p } = passageSchema;
  return {
    creators: items(field(input, 'creators')).map((c) => ({
      slug: valid(creatorSchema.shape.slug, field(c, 'slug')),
      creator: valid(creatorSchema, c),
    })),
    videos: items(field(input, 'videos')).map((video) => {
      const id = valid(v.id, field(video, 'id'));
      return {
        id,
        creator: valid(v.creator, field(video, 'creator')),
        duration_seconds: valid(v.duration_seconds, field(video, 'duration_seconds')),
        passages: items(field(video, 'passages')).map((passage): PassagePart => {
          const start = valid(p.start_seconds, field(passage, 'start_seconds'));
          const end = valid(p.end_seconds, field(passage, 'end_seconds'));
          const given = field(passage, 'id');
          if (given !== undefined) return { id: valid(p.id, given), start_seconds: start, end_seconds: end };
          const derived = id !== undefined && start !== undefined ? `${id}#${start}` : undefined;
          return { id: derived, derived: true, start_seconds: start, end_seconds: end };
        }),
      };
    }),
  };
}

/** Keys that must be unique: the second one is the problem, and says where the first one is. */
function uniqueKeys(what: string) {
  const seen = new Map<string, readonly PropertyKey[]>();
  return (key: string | undefined, at: readonly PropertyKey[]): PathProblem[] => {
    if (key === undefined) return [];
    const first = seen.get(key);
    if (!first) seen.set(key, at);
    return first ? [{ at, message: `duplicate ${what} '${key}' (also at ${jsonPath(first)})` }] : [];
  };
}

/**
 * The rules the shape cannot state: unique creator slugs, video ids and passage ids, videos naming
 * a creator of this document or of the knowledge base, passages ending after they start and not
 * after the end of their video.
 */
export function documentRules(parts: DocumentParts, knownCreators: ReadonlySet<string>): PathProblem[] {
  const problems: PathProblem[] = [];
  const creatorSlug = uniqueKeys('creator slug');
  const videoId = uniqueKeys('video id');
  const passageId = uniqueKeys('passage id');
  const defined = new Set(parts.creators.flatMap((c) => (c.slug === undefined ? [] : [c.slug])));
  parts.creators.forEach((c, i) => problems.push(...creatorSlug(c.slug, ['creators', i, 'slug'])));
  parts.videos.forEach((v, vi) => {
    const again = videoId(v.id, ['videos', vi, 'id']);
    problems.push(...again);
    if (v.creator !== undefined && !defined.has(v.creator) && !knownCreators.has(v.creator)) {
      problems.push({ at: ['videos', vi, 'creator'], message: `unknown creator '${v.creator}': not in this document nor in the knowledge base` });
    }
    v.passages.forEach(({ id, derived, start_seconds: start, end_seconds: end }, pi) => {
      const at = ['videos', vi, 'passages', pi];
      if (start !== undefined && end !== undefined && end <= start) problems.push({ at: [...at, 'end_seconds'], message: 'must be greater than start_seconds' });
      // Ids derived from a duplicate video id would only repeat that problem.
      if (!(derived && again.length > 0)) problems.push(...passageId(id, [...at, 'id']));
      if (v.duration_seconds !== undefined && end !== undefined && end > v.duration_seconds) {
        problems.push({ at: [...at, 'end_seconds'], message: `is past the end of the video (duration_seconds ${v.duration_seconds})` });
      }
    });
  });
  return problems;
}
