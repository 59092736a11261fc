import { AppError } from '../errors.js';
import { kbDocumentSchema, type KbDocument } from '../contract/kb-document.js';
import { documentParts, documentRules, parsedDocumentParts, type DocumentParts } from './document-rules.js';
import { inDocumentOrder, isNotADocument, issueProblems, jsonPath, type PathProblem } from './document-problems.js';

export { jsonPath, type PathProblem } from './document-problems.js';

export interface DocumentProblem {
  path: string;
  message: string;
}

export const invalidDocument = (problems: DocumentProblem[]) =>
  new AppError('invalid_document', 'Invalid knowledge-base document', { details: problems });

export interface DocumentCheck {
  /** The document with its passage ids filled in, when it has no problem. */
  doc: KbDocument | null;
  /** What the rules spanning documents can check, even of a document whose shape is wrong. */
  parts: DocumentParts;
  /** Every problem, shape and rules alike, in the order of the document. */
  problems: PathProblem[];
}

/**
 * Checks shape and the rules that span the document (unique keys, passages inside the video,
 * videos naming a creator) in one go: the rules are checked on every item whose fields are valid,
 * so fixing the shape never brings up problems that were there before.
 */
export function checkDocument(input: unknown, knownCreators: ReadonlySet<string> = new Set()): DocumentCheck {
  if (isNotADocument(input)) {
    const problem = { at: [], message: 'not a knowledge-base document: it has neither "creators" nor "videos"' };
    return { doc: null, parts: { creators: [], videos: [] }, problems: [problem] };
  }
  const parsed = kbDocumentSchema.safeParse(input);
  // A document that parsed is not parsed again item by item (20,000 passages: a third of the time).
  const parts = parsed.success ? parsedDocumentParts(parsed.data) : documentParts(input);
  const problems = [...(parsed.success ? [] : parsed.error.issues.flatMap((i) => issueProblems(i))), ...documentRules(parts, knownCreators)];
  if (!parsed.success || problems.length > 0) return { doc: null, parts, problems: inDocumentOrder(problems, input) };
  const doc = parsed.data;
  for (const v of doc.videos) for (const p of v.passages) p.id ??= `${v.id}#${p.start_seconds}`;
  return { doc, parts, problems };
}

/** checkDocument, throwing invalid_document with the JSON path of every problem. */
export function validateDocument(input: unknown, knownCreators: ReadonlySet<string> = new Set()): KbDocument {
  const { doc, problems } = checkDocument(input, knownCreators);
  if (!doc) throw invalidDocument(problems.map((p) => ({ path: jsonPath(p.at), message: p.message })));
  return doc;
}
