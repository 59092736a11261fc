import { AppError } from '../errors.js';
import type { CreatorInput, KbDocument, VideoInput } from '../contract/kb-document.js';
import type { DocumentProblem } from './validate-document.js';

/** Where an item of the merged document was written: a JSON document, or a transcript and its metadata. */
export type Source = { file: string; index: number } | { transcript: string; meta: string };

/**
 * The one document of a `chrysopedia import` of many files, which knows the file each of its items
 * came from: a problem found later (against the knowledge base, when it is written) is then told
 * by file and path, not by an index of this merge that matches no file. Its sources are a private
 * field, so the document's strict schema does not see them.
 */
export class ImportedDocument implements KbDocument {
  readonly creators: CreatorInput[] = [];
  readonly videos: VideoInput[] = [];
  readonly #sources = { creators: [] as Source[], videos: [] as Source[] };

  addCreator(creator: CreatorInput, source: Source): void {
    this.creators.push(creator);
    this.#sources.creators.push(source);
  }

  addVideo(video: VideoInput, source: Source): void {
    this.videos.push(video);
    this.#sources.videos.push(source);
  }

  /** "b.json $.videos[0].passages[2].id" for "$.videos[5].passages[2].id" of this document. */
  locate(path: string): string {
    const m = /^\$\.(creators|videos)\[(\d+)\](.*)$/.exec(path);
    const source = m ? this.#sources[m[1] as 'creators' | 'videos'][Number(m[2])] : undefined;
    if (!m || !source) return path;
    const rest = m[3] ?? '';
    if ('file' in source) return `${source.file} $.${m[1]}[${source.index}]${rest}`;
    return rest.startsWith('.passages') ? source.transcript : `${source.meta} $${rest}`;
  }

  /** The same error, its problems told by file. */
  relocate(err: unknown): unknown {
    if (!(err instanceof AppError) || err.code !== 'invalid_document') return err;
    const details = (err.extra.details as DocumentProblem[] | undefined)?.map((d) => ({ ...d, path: this.locate(d.path) }));
    return new AppError(err.code, 'Invalid knowledge-base import', { ...err.extra, details }, err.headers);
  }
}
