import { blocks, sortCues, splitLines, type Cue, type LineProblem, type ParsedTranscript } from './cue.js';
import { cueText } from './cue-text.js';
import { parseTiming } from './timestamp.js';

const SIGNATURE = /^WEBVTT(?:[ \t].*)?$/;
const SKIPPED_BLOCK = /^(?:NOTE|STYLE|REGION)(?:[ \t]|$)/;

/**
 * WebVTT (https://www.w3.org/TR/webvtt1/) as transcripts use it: header lines after the signature
 * (YouTube's "Kind:", "Language:") are ignored, as are NOTE, STYLE and REGION blocks and cue
 * settings; cue identifiers are optional; overlapping cues are kept.
 */
export function parseVtt(text: string): ParsedTranscript {
  const lines = splitLines(text);
  const problems: LineProblem[] = [];
  if (!SIGNATURE.test(lines[0] ?? '')) {
    return { cues: [], problems: [{ line: 1, message: 'a WebVTT file must start with "WEBVTT"' }] };
  }
  let headerEnd = 1;
  while (headerEnd < lines.length && lines[headerEnd]!.trim() !== '' && !lines[headerEnd]!.includes('-->')) headerEnd++;
  const cues: Cue[] = [];
  for (const block of blocks(lines, headerEnd)) {
    if (SKIPPED_BLOCK.test(block.lines[0]!)) continue;
    const timingIndex = block.lines[0]!.includes('-->') ? 0 : 1;
    const timingLine = block.line + timingIndex;
    if (timingIndex === 1 && !(block.lines[1] ?? '').includes('-->')) {
      problems.push({ line: timingLine, message: `expected a cue timing line "start --> end" after the cue identifier "${block.lines[0]!.trim().slice(0, 60)}"` });
      continue;
    }
    const timing = parseTiming(block.lines[timingIndex]!);
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
