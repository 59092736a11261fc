import { describe, expect, it } from 'vitest';
import type { Cue } from '../../src/kb/transcripts/cue.js';
import { cutPassages } from '../../src/kb/transcripts/cut-passages.js';

/** A talk: `n` sentences of about 6 s, each spoken over two cues. */
function talk(n: number, punctuated = true): Cue[] {
  const cues: Cue[] = [];
  for (let i = 0; i < n; i++) {
    const t = i * 6;
    cues.push({ start: t, end: t + 3, lines: [`sentence ${i} starts here`], line: i * 6 + 1 });
    cues.push({ start: t + 3, end: t + 6, lines: [`and ends here${punctuated ? '.' : ''}`], line: i * 6 + 4 });
  }
  return cues;
}

describe('cutting a transcript into passages', () => {
  it('cuts passages of 30 to 90 seconds at sentence ends, keeping start and end seconds', () => {
    const passages = cutPassages(talk(40));
    expect(passages.length).toBeGreaterThan(2);
    for (const p of passages) {
      expect(p.end_seconds - p.start_seconds).toBeGreaterThanOrEqual(30);
      expect(p.end_seconds - p.start_seconds).toBeLessThanOrEqual(90);
      expect(p.text).toMatch(/^sentence \d+ starts here .*and ends here\.$/);
    }
    expect(passages[0]!.start_seconds).toBe(0);
    expect(passages.at(-1)!.end_seconds).toBe(240);
    expect(passages.map((p) => p.text).join(' ')).toBe(talk(40).map((c) => c.lines.join(' ')).join(' '));
  });

  it('splits a cue at a sentence end inside it, timing each part by its share of the cue', () => {
    const cues: Cue[] = [
      { start: 0, end: 44, lines: ['A long opening sentence that takes most of a minute.'], line: 1 },
      { start: 44, end: 54, lines: ['Ends here. And a new thought begins'], line: 3 },
      { start: 54, end: 100, lines: ['and carries on for a while until the end.'], line: 5 },
    ];
    const [first, second] = cutPassages(cues);
    expect(first).toMatchObject({ start_seconds: 0, text: 'A long opening sentence that takes most of a minute. Ends here.' });
    expect(first!.end_seconds).toBeGreaterThan(44);
    expect(first!.end_seconds).toBeLessThan(54);
    expect(second!.start_seconds).toBeGreaterThan(44);
    expect(second!.text).toBe('And a new thought begins and carries on for a while until the end.');
  });

  it('cuts captions without punctuation at cue boundaries, never past 90 seconds', () => {
    const passages = cutPassages(talk(40, false));
    for (const p of passages) expect(p.end_seconds - p.start_seconds).toBeLessThanOrEqual(90);
    expect(passages.length).toBeGreaterThanOrEqual(3);
  });

  it('never crosses a chapter mark, and names each passage after its chapter', () => {
    const passages = cutPassages(talk(20), [
      { start_seconds: 0, title: 'Setting up' },
      { start_seconds: 60, title: 'Mixing it in' },
    ]);
    expect(passages.every((p) => p.end_seconds <= 60 || p.start_seconds >= 60)).toBe(true);
    expect(passages.filter((p) => p.start_seconds < 60).every((p) => p.technique === 'Setting up')).toBe(true);
    expect(passages.filter((p) => p.start_seconds >= 60).every((p) => p.technique === 'Mixing it in')).toBe(true);
  });

  it('drops the line rolling auto-captions repeat from the cue before', () => {
    const cues: Cue[] = [
      { start: 0, end: 3, lines: ['so today we build a kick'], line: 1 },
      { start: 3, end: 6, lines: ['so today we build a kick from a sine wave'], line: 4 },
      { start: 6, end: 9, lines: ['from a sine wave and a pitch envelope.'], line: 7 },
    ];
    expect(cutPassages(cues)[0]?.text).toBe('so today we build a kick from a sine wave and a pitch envelope.');
  });

  it('joins a short last passage to the one before', () => {
    const cues = [...talk(8), { start: 48, end: 52, lines: ['Thanks for watching.'], line: 99 }];
    const passages = cutPassages(cues);
    expect(passages.at(-1)!.text.endsWith('Thanks for watching.')).toBe(true);
    expect(passages.at(-1)!.end_seconds - passages.at(-1)!.start_seconds).toBeGreaterThan(30);
  });
});
