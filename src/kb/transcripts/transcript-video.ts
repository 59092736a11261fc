import type { LineProblem } from './cue.js';
import { cutPassages, type CutOptions, DEFAULT_CUT, type PassageCut } from './cut-passages.js';
import { parseSrt } from './parse-srt.js';
import { parseVtt } from './parse-vtt.js';
import { formatTimestamp } from './timestamp.js';
import type { TranscriptMeta } from './transcript-meta.js';

export type TranscriptFormat = 'vtt' | 'srt';

export const transcriptFormat = (file: string): TranscriptFormat | null =>
  /\.vtt$/i.test(file) ? 'vtt' : /\.srt$/i.test(file) ? 'srt' : null;

/** A video of the JSON document (SPEC §7) built from a transcript and its metadata. */
export interface TranscriptVideo {
  id: string;
  creator: string;
  title: string;
  url: string;
  published_at?: string;
  duration_seconds?: number;
  passages: PassageCut[];
}

/** Parses a transcript and cuts it into passages; problems are by line of the transcript. */
export function transcriptToVideo(
  text: string,
  format: TranscriptFormat,
  meta: TranscriptMeta,
  options: CutOptions = DEFAULT_CUT,
): { video: TranscriptVideo; problems: LineProblem[] } {
  const { cues, problems } = format === 'vtt' ? parseVtt(text) : parseSrt(text);
  if (meta.duration_seconds !== undefined) {
    for (const cue of cues) {
      if (cue.end > meta.duration_seconds) {
        problems.push({ line: cue.line, message: `cue ends at ${formatTimestamp(cue.end)}, after the video's duration_seconds (${meta.duration_seconds})` });
      }
    }
  }
  const { chapters, ...video } = meta;
  const passages = problems.length > 0 ? [] : cutPassages(cues, chapters, options);
  return { video: { ...video, passages }, problems: problems.sort((a, b) => a.line - b.line) };
}
