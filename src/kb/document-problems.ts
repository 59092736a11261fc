import type { z } from 'zod';
import { editDistance } from '../edit-distance.js';
import { creatorSchema, kbDocumentSchema, passageSchema, personalitySchema, videoSchema } from '../contract/kb-document.js';

/** A problem of a document, at the path segments of what it is about. */
export interface PathProblem {
  at: readonly PropertyKey[];
  message: string;
}

/** "$.videos[3].passages[0].text" from zod's path segments. */
export function jsonPath(segments: readonly PropertyKey[]): string {
  return segments.reduce<string>(
    (acc, s) => (typeof s === 'number' ? `${acc}[${s}]` : /^[A-Za-z_][\w]*$/.test(String(s)) ? `${acc}.${String(s)}` : `${acc}[${JSON.stringify(String(s))}]`),
    '$',
  );
}

export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** An object that is not meant as a document at all (a package.json, a yt-dlp .info.json). */
export const isNotADocument = (v: unknown): boolean => isRecord(v) && !Object.hasOwn(v, 'creators') && !Object.hasOwn(v, 'videos');

// The fields of each object of the format, by the name of the field that holds it.
const fieldsIn: Record<string, readonly string[]> = {
  '': Object.keys(kbDocumentSchema.shape),
  creators: Object.keys(creatorSchema.shape),
  personality: Object.keys(personalitySchema.shape),
  videos: Object.keys(videoSchema.shape),
  passages: Object.keys(passageSchema.shape),
};

/** The fields of the objects held by a field of that name ('' for the top). */
export type FieldsOf = (holder: string) => readonly string[];

const documentFields: FieldsOf = (holder) => fieldsIn[holder] ?? [];

/** zod's issues as problems; an unknown field is one problem at its own path, with a likely meant one. */
export function issueProblems(issue: z.core.$ZodIssue, fieldsOf: FieldsOf = documentFields): PathProblem[] {
  if (issue.code !== 'unrecognized_keys') return [{ at: issue.path, message: issue.message }];
  const holder = issue.path.findLast((s) => typeof s === 'string');
  const fields = fieldsOf(typeof holder === 'string' ? holder : '');
  return issue.keys.map((key) => {
    const meant = fields.find((f) => likelyMeant(key, f));
    const hint = meant ? `did you mean "${meant}"?` : `the fields here are ${fields.join(', ')}`;
    return { at: [...issue.path, key], message: `unknown field: ${hint}` };
  });
}

const fold = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');

/** `publishedAt` for `published_at`, `techniqe` for `technique`: a different case or spelling, or a typo or two. */
function likelyMeant(typed: string, field: string): boolean {
  const a = fold(typed);
  const b = fold(field);
  return a === b || (Math.min(a.length, b.length) >= 4 && editDistance(a, b, 2) <= 2);
}

/**
 * Problems sorted as a reader meets them in the document: items by index, fields in the order the
 * document writes them (a missing field after those present). The sort is stable.
 */
export function inDocumentOrder<P extends PathProblem>(problems: readonly P[], input: unknown): P[] {
  const rank = (node: unknown, key: PropertyKey): number => {
    const keys = isRecord(node) ? Object.keys(node) : [];
    const i = keys.indexOf(String(key));
    return i < 0 ? keys.length : i;
  };
  return [...problems].sort((a, b) => {
    let node = input;
    for (let i = 0; i < Math.min(a.at.length, b.at.length); i++) {
      const x = a.at[i]!;
      const y = b.at[i]!;
      if (x !== y) return typeof x === 'number' && typeof y === 'number' ? x - y : rank(node, x) - rank(node, y);
      node = (isRecord(node) || Array.isArray(node)) && Object.hasOwn(node, x) ? (node as Record<PropertyKey, unknown>)[x] : undefined;
    }
    return a.at.length - b.at.length;
  });
}
