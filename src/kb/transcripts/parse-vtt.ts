import { addCue, blocks, finish, separatorLines, splitLines, type Cue, type LineProblem, type ParsedTranscript } from './cue.js';
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
  const separator = separatorLines(lines);
  let headerEnd = 1;
  while (headerEnd < lines.length && !separator[headerEnd] && !lines[headerEnd]!.includes('-->')) headerEnd++;
  const cues: Cue[] = [];
  for (const block of blocks(lines, { from: headerEnd })) {
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
    addCue(block.lines.slice(timingIndex + 1), timing, timingLine, cues, problems);
  }
  return finish(cues, problems);
}
