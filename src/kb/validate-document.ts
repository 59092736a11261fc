import { AppError } from '../errors.js';
import { kbDocumentSchema, type KbDocument } from '../contract/kb-document.js';

export interface DocumentProblem {
  path: string;
  message: string;
}

/** "$.videos[3].passages[0].text" from zod's path segments. */
export function jsonPath(segments: readonly PropertyKey[]): string {
  return segments.reduce<string>(
    (acc, s) => (typeof s === 'number' ? `${acc}[${s}]` : /^[A-Za-z_][\w]*$/.test(String(s)) ? `${acc}.${String(s)}` : `${acc}[${JSON.stringify(String(s))}]`),
    '$',
  );
}

export const invalidDocument = (problems: DocumentProblem[]) =>
  new AppError('invalid_document', 'Invalid knowledge-base document', { details: problems });

/**
 * Checks shape and the rules that span the document (unique keys, passages inside the video,
 * videos naming a creator); fills in passage ids. Throws invalid_document listing every problem.
 */
export function validateDocument(input: unknown, knownCreators: ReadonlySet<string> = new Set()): KbDocument {
  const parsed = kbDocumentSchema.safeParse(input);
  if (!parsed.success) {
    throw invalidDocument(parsed.error.issues.map((i) => ({ path: jsonPath(i.path), message: i.message })));
  }
  const doc = parsed.data;
  const problems: DocumentProblem[] = [];
  const creators = new Set<string>();
  doc.creators.forEach((c, i) => {
    if (creators.has(c.slug)) problems.push({ path: `$.creators[${i}].slug`, message: `duplicate creator slug '${c.slug}'` });
    creators.add(c.slug);
  });
  const videoIds = new Set<string>();
  const passageIds = new Set<string>();
  doc.videos.forEach((v, vi) => {
    const at = `$.videos[${vi}]`;
    if (videoIds.has(v.id)) problems.push({ path: `${at}.id`, message: `duplicate video id '${v.id}'` });
    videoIds.add(v.id);
    if (!creators.has(v.creator) && !knownCreators.has(v.creator)) {
      problems.push({ path: `${at}.creator`, message: `unknown creator '${v.creator}': not in this document nor in the knowledge base` });
    }
    v.passages.forEach((p, pi) => {
      p.id ??= `${v.id}#${p.start_seconds}`;
      if (passageIds.has(p.id)) problems.push({ path: `${at}.passages[${pi}].id`, message: `duplicate passage id '${p.id}'` });
      passageIds.add(p.id);
      if (v.duration_seconds !== undefined && p.end_seconds > v.duration_seconds) {
        problems.push({ path: `${at}.passages[${pi}].end_seconds`, message: 'is past the end of the video (duration_seconds)' });
      }
    });
  });
  if (problems.length > 0) throw invalidDocument(problems);
  return doc;
}
