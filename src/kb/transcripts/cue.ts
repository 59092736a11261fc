import { cueText } from './cue-text.js';

/** One timed caption of a transcript, its markup already removed. */
export interface Cue {
  start: number;
  end: number;
  text: string;
  /** 1-based line of its timing line in the file, for error messages. */
  line: number;
}

/** A problem at a line of a transcript file. */
export interface LineProblem {
  line: number;
  message: string;
}

/** What a parser found: the cues in start order, and every problem (a file with any is rejected). */
export interface ParsedTranscript {
  cues: Cue[];
  problems: LineProblem[];
}

/** The file's lines: BOM dropped, CRLF, CR and LF all end a line. */
export const splitLines = (text: string): string[] => text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);

export const isBlank = (line: string): boolean => line.trim() === '';

/** Blocks of consecutive non-blank lines, each with the 1-based line number of its first line. */
export function blocks(lines: readonly string[], from = 0): { line: number; lines: string[] }[] {
  const out: { line: number; lines: string[] }[] = [];
  let current: { line: number; lines: string[] } | null = null;
  for (let i = from; i < lines.length; i++) {
    const line = lines[i]!;
    if (isBlank(line)) {
      current = null;
      continue;
    }
    if (!current) {
      current = { line: i + 1, lines: [] };
      out.push(current);
    }
    current.lines.push(line);
  }
  return out;
}

const byStart = (a: Cue, b: Cue) => a.start - b.start || a.end - b.end || a.line - b.line;
export const sortCues = (cues: Cue[]): Cue[] => cues.sort(byStart);

/**
 * The part of a cue both formats share once its timing is read: the payload lines after the
 * timing line become the cue's text; a timing line among them means a blank line is missing.
 */
export function addCue(
  payload: readonly string[],
  timing: { start: number; end: number },
  timingLine: number,
  cues: Cue[],
  problems: LineProblem[],
): void {
  const stray = payload.findIndex((l) => l.includes('-->'));
  if (stray >= 0) {
    problems.push({ line: timingLine + 1 + stray, message: 'a timing line inside a cue: is a blank line missing before it?' });
    return;
  }
  const words = cueText(payload.join('\n'));
  if (words) cues.push({ start: timing.start, end: timing.end, text: words, line: timingLine });
}

/** The parse's result: cues in start order; a file without a cue or a problem is one. */
export function finish(cues: Cue[], problems: LineProblem[]): ParsedTranscript {
  if (cues.length === 0 && problems.length === 0) problems.push({ line: 1, message: 'no cues in the file' });
  return { cues: sortCues(cues), problems };
}
