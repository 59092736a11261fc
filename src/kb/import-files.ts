import { lstat, readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../errors.js';
import type { KbDocument } from '../contract/kb-document.js';
import { transcriptMetaSchema } from './transcripts/transcript-meta.js';
import { transcriptFormat, transcriptToVideo } from './transcripts/transcript-video.js';
import { jsonPath, validateDocument, type DocumentProblem } from './validate-document.js';

/** Files one `chrysopedia import` takes: JSON documents and transcripts (with their metadata). */
export interface ImportFiles {
  documents: string[];
  transcripts: string[];
}

const META_SUFFIX = '.meta.json';
export const metaPathOf = (transcript: string) => transcript.replace(/\.(vtt|srt)$/i, META_SUFFIX);

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
      for (const name of (await readdir(p)).sort()) await visit(path.join(p, name), false);
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

/** JSON.parse, with a syntax error reported at its line. */
function parseJson(text: string, file: string): { value: unknown } | { problem: DocumentProblem } {
  try {
    return { value: JSON.parse(text) };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const at = /position (\d+)/.exec(message);
    const line = at ? text.slice(0, Number(at[1])).split('\n').length : 1;
    return { problem: { path: `${file}:${line}`, message: `not valid JSON: ${message}` } };
  }
}

export interface ImportProgress {
  (done: number, total: number, file: string): void;
}

/**
 * Reads every file of one import into one document, checking all of them first: any problem (by
 * `file:line` for transcripts, `file $.path` for JSON) rejects the whole import.
 */
export async function buildImportDocument(
  files: ImportFiles,
  knownCreators: ReadonlySet<string>,
  progress: ImportProgress = () => undefined,
): Promise<KbDocument> {
  const problems: DocumentProblem[] = [];
  const total = files.documents.length + files.transcripts.length;
  let done = 0;
  const parsed: { file: string; value: unknown }[] = [];
  for (const file of files.documents) {
    const result = parseJson(await readFile(file, 'utf8'), file);
    if ('problem' in result) problems.push(result.problem);
    else parsed.push({ file, value: result.value });
  }
  // Creators defined anywhere in this import may be named by any of its files.
  const creators = new Set(knownCreators);
  for (const { value } of parsed) {
    const list = (value as { creators?: unknown } | null)?.creators;
    if (Array.isArray(list)) for (const c of list) if (typeof (c as { slug?: unknown })?.slug === 'string') creators.add((c as { slug: string }).slug);
  }

  const merged: KbDocument = { creators: [], videos: [] };
  const videoSource = new Map<string, string>();
  const addVideos = (file: string, videos: { id: string }[], at: (i: number) => string) => {
    videos.forEach((v, i) => {
      const other = videoSource.get(v.id);
      if (other) problems.push({ path: at(i), message: `video id '${v.id}' is also in ${other}` });
      videoSource.set(v.id, file);
    });
  };
  for (const { file, value } of parsed) {
    try {
      const doc = validateDocument(value, creators);
      addVideos(file, doc.videos, (i) => `${file} $.videos[${i}].id`);
      merged.creators.push(...doc.creators);
      merged.videos.push(...doc.videos);
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      for (const d of (err.extra.details as DocumentProblem[] | undefined) ?? []) problems.push({ path: `${file} ${d.path}`, message: d.message });
    }
    progress(++done, total, file);
  }

  for (const file of files.transcripts) {
    const metaFile = metaPathOf(file);
    let metaText: string;
    try {
      metaText = await readFile(metaFile, 'utf8');
    } catch {
      problems.push({ path: file, message: `no metadata: expected ${path.basename(metaFile)} next to it (see docs/transcripts.md)` });
      progress(++done, total, file);
      continue;
    }
    const json = parseJson(metaText, metaFile);
    const meta = 'value' in json ? transcriptMetaSchema.safeParse(json.value) : null;
    if ('problem' in json) problems.push(json.problem);
    else if (meta && !meta.success) for (const i of meta.error.issues) problems.push({ path: `${metaFile} ${jsonPath(i.path)}`, message: i.message });
    if (!meta?.success) {
      progress(++done, total, file);
      continue;
    }
    if (!creators.has(meta.data.creator)) {
      problems.push({ path: `${metaFile} $.creator`, message: `unknown creator '${meta.data.creator}': not in the knowledge base nor in a document of this import` });
    }
    const format = transcriptFormat(file)!;
    const { video, problems: lines } = transcriptToVideo(await readFile(file, 'utf8'), format, meta.data);
    for (const p of lines) problems.push({ path: `${file}:${p.line}`, message: p.message });
    addVideos(file, [video], () => `${metaFile} $.id`);
    merged.videos.push(video);
    progress(++done, total, file);
  }

  if (problems.length > 0) throw new AppError('invalid_document', 'Invalid knowledge-base import', { details: problems });
  return merged;
}
