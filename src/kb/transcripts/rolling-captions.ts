import type { Cue } from './cue.js';

const normWord = (w: string) => w.toLowerCase().replace(/[^\p{L}\p{N}']/gu, '');
const normLine = (line: string) => line.split(' ').map(normWord).filter(Boolean).join(' ');

/** How many of a cue's first lines repeat the last lines of the cue before it. */
function repeatedLines(previous: readonly string[], lines: readonly string[]): number {
  for (let k = Math.min(previous.length, lines.length); k >= 1; k--) {
    const tail = previous.slice(-k);
    if (tail.every((line, j) => normLine(line) === normLine(lines[j]!))) return k;
  }
  return 0;
}

/**
 * How many of a cue's first words repeat the last words so far, for captions whose lines a
 * converter joined into one: three or more, or the whole cue. Fewer words at the start of a longer
 * cue are more likely speech ("so so") than a repeat.
 */
function repeatedWords(previous: readonly string[], words: readonly string[]): number {
  for (let k = Math.min(previous.length, words.length); k >= 1; k--) {
    if (k < 3 && k < words.length) break;
    const tail = previous.slice(-k).map(normWord).join(' ');
    if (tail === words.slice(0, k).map(normWord).join(' ')) return k;
  }
  return 0;
}

/**
 * The words each cue adds, cues without any left out. Auto-generated captions roll: each cue
 * starts with the line the cue before ended with ("okay so", then "okay so / let's talk about
 * reverb"); that line is dropped, and so are repeated words at the start of a one-line cue.
 */
export function spokenText(cues: readonly Cue[]): { cue: Cue; text: string }[] {
  const out: { cue: Cue; text: string }[] = [];
  let previousLines: readonly string[] = [];
  let previousWords: string[] = [];
  for (const cue of cues) {
    const lines = cue.lines.slice(repeatedLines(previousLines, cue.lines));
    previousLines = cue.lines;
    const all = lines.join(' ').split(' ').filter(Boolean);
    const words = all.slice(repeatedWords(previousWords, all));
    if (words.length === 0) continue;
    previousWords = [...previousWords, ...words].slice(-40);
    out.push({ cue, text: words.join(' ') });
  }
  return out;
}
