import { cueLines } from './cue-text.js';

/** One timed caption of a transcript, its markup already removed. */
export interface Cue {
  start: number;
  end: number;
  /** Its payload lines that hold words: rolling auto-captions repeat whole lines from cue to cue. */
  lines: string[];
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

const isBlank = (line: string): boolean => line.trim() === '';
const isTimingLine = (line: string | undefined): boolean => line?.includes('-->') ?? false;

/**
 * Which lines end a block. In WebVTT only an empty line does: a line of spaces is cue text
 * (YouTube's auto-captions put one in every cue). Files edited by hand or written by other tools
 * use such lines as separators too, so one still separates when a cue follows it: its timing line,
 * one line (an identifier or cue number) and then its timing line, or, in SRT, a cue number.
 */
export function separatorLines(lines: readonly string[], cueNumbers = false): boolean[] {
  const out: boolean[] = [];
  let next = lines.length; // the first line after i with something on it
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]!;
    if (!isBlank(line)) {
      out[i] = false;
      next = i;
      continue;
    }
    out[i] =
      line === '' ||
      next === lines.length ||
      isTimingLine(lines[next]) ||
      isTimingLine(lines[next + 1]) ||
      (cueNumbers && /^\d+$/.test(lines[next]!.trim()));
  }
  return out;
}

/**
 * Blocks of lines between separators (see separatorLines), each with the 1-based line number of its
 * first line; a block never starts with a line of spaces.
 */
export function blocks(lines: readonly string[], options: { from?: number; cueNumbers?: boolean } = {}): { line: number; lines: string[] }[] {
  const separator = separatorLines(lines, options.cueNumbers);
  const out: { line: number; lines: string[] }[] = [];
  let current: { line: number; lines: string[] } | null = null;
  for (let i = options.from ?? 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (separator[i]) {
      current = null;
      continue;
    }
    if (!current) {
      if (isBlank(line)) continue;
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
 * timing line become the cue's lines; a timing line among them means a blank line is missing.
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
  const lines = cueLines(payload);
  if (lines.length > 0) cues.push({ start: timing.start, end: timing.end, lines, line: timingLine });
}

/** The parse's result: cues in start order; a file without a cue or a problem is one. */
export function finish(cues: Cue[], problems: LineProblem[]): ParsedTranscript {
  if (cues.length === 0 && problems.length === 0) problems.push({ line: 1, message: 'no cues in the file' });
  return { cues: sortCues(cues), problems };
}
