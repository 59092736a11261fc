import type { CreatorInput } from '../contract/kb-document.js';
import { jsonPath, type PathProblem } from './document-problems.js';
import type { DocumentParts } from './document-rules.js';
import type { TranscriptVideo } from './transcripts/transcript-video.js';
import type { DocumentProblem } from './validate-document.js';

interface Claim {
  file: string;
  where: string;
}

/**
 * The keys of one import of many files, unique across them: a second file using a key is a
 * problem that names the first. One exception: a creator defined the same in several files (a
 * creator.json per directory) is one creator. Repeats inside one file are its own rules' to report.
 */
export class CrossFileKeys {
  readonly #creators = new Map<string, Claim & { creator: CreatorInput | undefined }>();
  readonly #videos = new Map<string, Claim>();
  readonly #passages = new Map<string, Claim>();

  /** The problems of a JSON document's keys, by path in it, and which of its creators repeat an identical one. */
  addDocument(file: string, parts: DocumentParts): { problems: PathProblem[]; repeatedCreators: Set<number> } {
    const problems: PathProblem[] = [];
    const repeatedCreators = new Set<number>();
    parts.creators.forEach(({ slug, creator }, i) => {
      if (slug === undefined) return;
      const first = this.#creators.get(slug);
      if (!first) this.#creators.set(slug, { file, where: `${file} ${jsonPath(['creators', i])}`, creator });
      // A creator that is not valid says so itself; there is nothing to compare it with.
      if (!first || first.file === file || !first.creator || !creator) return;
      const differ = differentFields(first.creator, creator);
      if (differ.length === 0) repeatedCreators.add(i);
      else {
        problems.push({
          at: ['creators', i, 'slug'],
          message: `creator '${slug}' is defined differently (${differ.join(', ')}) in ${first.where}: define it once, or the same in every file`,
        });
      }
    });
    // A key this file repeats is a problem of the file (its own rules say it): it is checked here once.
    const videoIds = firstUses();
    const passageIds = firstUses();
    parts.videos.forEach((v, vi) => {
      const other = claim(this.#videos, videoIds(v.id), file, `${file} ${jsonPath(['videos', vi, 'id'])}`);
      if (other) problems.push({ at: ['videos', vi, 'id'], message: `video id '${v.id}' is also in ${other}` });
      v.passages.forEach((p, pi) => {
        // Ids derived from a video id used twice would only repeat that problem.
        if (p.derived && other) return;
        const at = ['videos', vi, 'passages', pi, 'id'];
        const first = claim(this.#passages, passageIds(p.id), file, `${file} ${jsonPath(at)}`);
        if (first) problems.push({ at, message: `passage id '${p.id}' is also in ${first}` });
      });
    });
    return { problems, repeatedCreators };
  }

  /** The problems of a transcript's keys: its video id (in its metadata), its passages' ids. */
  addTranscript(file: string, metaFile: string, video: TranscriptVideo): DocumentProblem[] {
    const other = claim(this.#videos, video.id, file, `${metaFile} $.id`);
    if (other) return [{ path: `${metaFile} $.id`, message: `video id '${video.id}' is also in ${other}` }];
    return video.passages.flatMap((p) => {
      const id = `${video.id}#${p.start_seconds}`;
      const first = claim(this.#passages, id, file, `${file} (the passage at ${p.start_seconds} s)`);
      return first ? [{ path: file, message: `passage id '${id}' (its passage at ${p.start_seconds} s) is also in ${first}` }] : [];
    });
  }
}

/** The key the first time it is given, then undefined. */
function firstUses(): (key: string | undefined) => string | undefined {
  const seen = new Set<string>();
  return (key) => {
    if (key === undefined || seen.has(key)) return undefined;
    seen.add(key);
    return key;
  };
}

/** Where the key was first used, if in another file; the first use of a key claims it. */
function claim(claims: Map<string, Claim>, key: string | undefined, file: string, where: string): string | undefined {
  if (key === undefined) return undefined;
  const first = claims.get(key);
  if (!first) claims.set(key, { file, where });
  return first && first.file !== file ? first.where : undefined;
}

function differentFields(a: CreatorInput, b: CreatorInput): string[] {
  const fields = [...new Set([...Object.keys(a), ...Object.keys(b)])] as (keyof CreatorInput)[];
  return fields.filter((f) => JSON.stringify(a[f]) !== JSON.stringify(b[f]));
}
