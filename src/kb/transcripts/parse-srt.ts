import { blocks, sortCues, splitLines, type Cue, type LineProblem, type ParsedTranscript } from './cue.js';
import { cueText } from './cue-text.js';
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
  for (const block of blocks(lines)) {
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
    const payload = block.lines.slice(timingIndex + 1);
    const stray = payload.findIndex((l) => l.includes('-->'));
    if (stray >= 0) {
      problems.push({ line: timingLine + 1 + stray, message: 'a timing line inside a cue: is a blank line missing before it?' });
      continue;
    }
    const words = cueText(payload.join('\n'));
    if (words) cues.push({ start: timing.start, end: timing.end, text: words, line: timingLine });
  }
  if (cues.length === 0 && problems.length === 0) problems.push({ line: 1, message: 'no cues in the file' });
  return { cues: sortCues(cues), problems };
}
