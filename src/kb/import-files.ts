import { lstat, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../errors.js';
import { transcriptMetaSchema } from './transcripts/transcript-meta.js';
import { transcriptFormat, transcriptToVideo } from './transcripts/transcript-video.js';
import { inDocumentOrder, issueProblems, type FieldsOf } from './document-problems.js';
import { documentParts } from './document-rules.js';
import { ImportedDocument } from './imported-document.js';
import { CrossFileKeys } from './cross-file-keys.js';
import { readText } from './read-text.js';
import { checkDocument, jsonPath, type DocumentProblem } from './validate-document.js';

/** Files one `chrysopedia import` takes: JSON documents and transcripts (with their metadata). */
export interface ImportFiles {
  documents: string[];
  transcripts: string[];
}

const META_SUFFIX = '.meta.json';
export const metaPathOf = (transcript: string) => transcript.replace(/\.(vtt|srt)$/i, META_SUFFIX);

const metaFields: FieldsOf = (holder) =>
  Object.keys(holder === 'chapters' ? transcriptMetaSchema.shape.chapters.unwrap().element.shape : transcriptMetaSchema.shape);

const utf8Name = new TextDecoder('utf-8', { fatal: true });

/** Walks files and directories (recursively, in name order) for .json, .vtt and .srt files. */
export async function findImportFiles(paths: readonly string[]): Promise<ImportFiles & { problems: DocumentProblem[] }> {
  const found: ImportFiles = { documents: [], transcripts: [] };
  const problems: DocumentProblem[] = [];
  const visit = async (p: string, explicit: boolean): Promise<void> => {
    let info;
    try {
      info = await stat(p);
    } catch {
      problems.push({ path: p, message: 'no such file or directory' });
      return;
    }
    if (info.isDirectory()) {
      // A symlinked directory met while walking is not entered: a link to a parent would loop.
      if (!explicit && (await lstat(p)).isSymbolicLink()) return;
      const names: string[] = [];
      for (const raw of await readdir(p, { encoding: 'buffer' })) {
        try {
          names.push(utf8Name.decode(raw));
        } catch {
          // Its name read as UTF-8 names no file: say so, rather than "no such file" or nothing.
          const shown = path.join(p, new TextDecoder().decode(raw));
          const entry = await stat(Buffer.concat([Buffer.from(`${p}${path.sep}`), raw])).catch(() => null);
          const wanted = entry?.isDirectory() || /\.(json|vtt|srt)$/i.test(shown);
          if (wanted) problems.push({ path: shown, message: 'its name is not UTF-8 (shown with � for the bytes that are not): rename it to import it' });
        }
      }
      for (const name of names.sort()) await visit(path.join(p, name), false);
    } else if (transcriptFormat(p)) {
      found.transcripts.push(p);
    } else if (p.toLowerCase().endsWith(META_SUFFIX)) {
      if (explicit) problems.push({ path: p, message: 'is the metadata of a transcript: import the .vtt or .srt file it describes' });
    } else if (p.toLowerCase().endsWith('.json')) {
      found.documents.push(p);
    } else if (explicit) {
      problems.push({ path: p, message: 'not a .json document, a .vtt or an .srt transcript' });
    }
  };
  for (const p of paths) await visit(p, true);
  return { ...found, problems };
}

/** A file's JSON: its text (UTF-8, a BOM dropped), then JSON.parse, a syntax error reported at its line. */
async function readJson(file: string): Promise<{ value: unknown } | { problem: DocumentProblem }> {
  const read = await readText(file);
  if ('problem' in read) return read;
  try {
    return { value: JSON.parse(read.text) };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const at = /position (\d+)/.exec(message);
    const line = at ? read.text.slice(0, Number(at[1])).split('\n').length : 1;
    return { problem: { path: `${file}:${line}`, message: `not valid JSON: ${message}` } };
  }
}

export interface ImportProgress {
  (done: number, total: number, file: string): void;
}

/**
 * Reads every file of one import into one document, checking all of them first: any problem (by
 * `file:line` for transcripts, `file $.path` for JSON) rejects the whole import. Keys are unique
 * across the files, but for a creator defined identically in several (a creator.json per directory).
 */
export async function buildImportDocument(
  files: ImportFiles,
  knownCreators: ReadonlySet<string>,
  progress: ImportProgress = () => undefined,
): Promise<ImportedDocument> {
  const problems: DocumentProblem[] = [];
  const total = files.documents.length + files.transcripts.length;
  let done = 0;
  const parsed: { file: string; value: unknown }[] = [];
  for (const file of files.documents) {
    const result = await readJson(file);
    if ('problem' in result) problems.push(result.problem);
    else parsed.push({ file, value: result.value });
  }
  // Creators defined anywhere in this import may be named by any of its files.
  const creators = new Set(knownCreators);
  for (const { value } of parsed) for (const c of documentParts(value).creators) if (c.slug !== undefined) creators.add(c.slug);

  const merged = new ImportedDocument();
  const keys = new CrossFileKeys();
  for (const { file, value } of parsed) {
    const { doc, parts, problems: own } = checkDocument(value, creators);
    const { problems: across, repeatedCreators } = keys.addDocument(file, parts);
    for (const p of inDocumentOrder([...own, ...across], value)) problems.push({ path: `${file} ${jsonPath(p.at)}`, message: p.message });
    if (doc && across.length === 0) {
      doc.creators.forEach((c, index) => repeatedCreators.has(index) || merged.addCreator(c, { file, index }));
      doc.videos.forEach((v, index) => merged.addVideo(v, { file, index }));
    }
    progress(++done, total, file);
  }

  for (const file of files.transcripts) {
    const metaFile = metaPathOf(file);
    let json;
    try {
      json = await readJson(metaFile);
    } catch {
      problems.push({ path: file, message: `no metadata: expected ${path.basename(metaFile)} next to it (see docs/transcripts.md)` });
      progress(++done, total, file);
      continue;
    }
    const meta = 'value' in json ? transcriptMetaSchema.safeParse(json.value) : null;
    if ('problem' in json) problems.push(json.problem);
    else if (meta && !meta.success) {
      for (const p of meta.error.issues.flatMap((i) => issueProblems(i, metaFields))) problems.push({ path: `${metaFile} ${jsonPath(p.at)}`, message: p.message });
    }
    const transcript = await readText(file);
    if ('problem' in transcript) problems.push(transcript.problem);
    if (!meta?.success || 'problem' in transcript) {
      progress(++done, total, file);
      continue;
    }
    if (!creators.has(meta.data.creator)) {
      problems.push({ path: `${metaFile} $.creator`, message: `unknown creator '${meta.data.creator}': not in the knowledge base nor in a document of this import` });
    }
    const format = transcriptFormat(file)!;
    const { video, problems: lines } = transcriptToVideo(transcript.text, format, meta.data);
    for (const p of lines) problems.push({ path: `${file}:${p.line}`, message: p.message });
    problems.push(...keys.addTranscript(file, metaFile, video));
    merged.addVideo(video, { transcript: file, meta: metaFile });
    progress(++done, total, file);
  }

  if (problems.length > 0) throw new AppError('invalid_document', 'Invalid knowledge-base import', { details: problems });
  return merged;
}
