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
