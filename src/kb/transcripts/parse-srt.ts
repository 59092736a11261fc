import { addCue, blocks, finish, splitLines, type Cue, type LineProblem, type ParsedTranscript } from './cue.js';
import { parseTiming } from './timestamp.js';

/**
 * SubRip: blocks of a cue number, a "HH:MM:SS,mmm --> HH:MM:SS,mmm" line and text lines, separated
 * by blank lines. The number is optional (some tools drop it); a "." before the milliseconds is
 * accepted; <i>, <font> and {\an8} markup is removed.
 */
export function parseSrt(text: string): ParsedTranscript {
  const lines = splitLines(text);
  const problems: LineProblem[] = [];
  const cues: Cue[] = [];
  for (const block of blocks(lines, { cueNumbers: true })) {
    const first = block.lines[0]!.trim();
    const timingIndex = /^\d+$/.test(first) ? 1 : 0;
    const timingLine = block.line + timingIndex;
    const timingText = block.lines[timingIndex];
    if (timingText === undefined || !timingText.includes('-->')) {
      problems.push({
        line: timingText === undefined ? block.line : timingLine,
        message: timingIndex === 1 ? `expected a timing line "HH:MM:SS,mmm --> HH:MM:SS,mmm" after cue number ${first}` : `expected a cue number or a timing line, got "${first.slice(0, 60)}"`,
      });
      continue;
    }
    const timing = parseTiming(timingText, true);
    if ('error' in timing) {
      problems.push({ line: timingLine, message: timing.error });
      continue;
    }
    addCue(block.lines.slice(timingIndex + 1), timing, timingLine, cues, problems);
  }
  return finish(cues, problems);
}
