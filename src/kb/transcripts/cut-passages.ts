import type { Cue } from './cue.js';
import { spokenText } from './rolling-captions.js';

export interface Chapter {
  start_seconds: number;
  title: string;
}

/** A passage cut from a transcript: whole seconds, as the knowledge base stores them. */
export interface PassageCut {
  start_seconds: number;
  end_seconds: number;
  text: string;
  technique?: string;
}

export interface CutOptions {
  /** A passage is not cut shorter than this unless the transcript or a chapter ends. */
  minSeconds: number;
  /** Past this, the next sentence end closes the passage. */
  targetSeconds: number;
  /** A passage never runs longer, unless one sentence-less cue does. */
  maxSeconds: number;
}

export const DEFAULT_CUT: CutOptions = { minSeconds: 30, targetSeconds: 45, maxSeconds: 90 };

interface Segment {
  start: number;
  end: number;
  text: string;
  endsSentence: boolean;
}

const SENTENCE_END = /[.!?…]["'”’)\]]*$/;
const segmenter = new Intl.Segmenter('en', { granularity: 'sentence' });

/** Cues split at sentence ends, each sentence given the share of the cue's time its length takes. */
function segments(cues: readonly Cue[]): Segment[] {
  const out: Segment[] = [];
  for (const { cue, text } of spokenText(cues)) {
    const duration = cue.end - cue.start;
    let offset = 0;
    for (const { segment } of segmenter.segment(text)) {
      const piece = segment.trim();
      if (!piece) continue;
      const start = cue.start + (duration * offset) / text.length;
      offset += segment.length;
      const end = cue.start + (duration * offset) / text.length;
      out.push({ start, end, text: piece, endsSentence: SENTENCE_END.test(piece) });
    }
  }
  return out;
}

// Sentence times are shares of a cue's time: 8.01 + 31.99 may come out as 40.00000000000001, which
// must store as 40, not 41. Timestamps have milliseconds, so times are rounded to them first.
const toMs = (seconds: number) => Math.round(seconds * 1000);

function toPassage(group: readonly Segment[], technique: string | undefined): PassageCut {
  const start = Math.floor(toMs(group[0]!.start) / 1000);
  const end = Math.max(start + 1, Math.ceil(toMs(Math.max(...group.map((s) => s.end))) / 1000));
  return { start_seconds: start, end_seconds: end, text: group.map((s) => s.text).join(' '), ...(technique ? { technique } : {}) };
}

/**
 * Cuts a transcript into passages of about 30–90 s: a passage closes at the first sentence end
 * past the target length, or, before it would pass the maximum, at its last sentence end past the
 * minimum (at a cue boundary when captions have no punctuation). Chapters are hard boundaries and
 * name the passages inside them (their technique).
 */
export function cutPassages(cues: readonly Cue[], chapters: readonly Chapter[] = [], options: CutOptions = DEFAULT_CUT): PassageCut[] {
  const bounds = [...chapters].sort((a, b) => a.start_seconds - b.start_seconds);
  const chapterAt = (t: number) => bounds.filter((c) => c.start_seconds <= t + 1e-6).at(-1);
  const groups: { segments: Segment[]; chapter: Chapter | undefined }[] = [];
  let current: Segment[] = [];
  let chapter: Chapter | undefined;
  const close = (upTo = current.length) => {
    if (upTo > 0) groups.push({ segments: current.slice(0, upTo), chapter });
    current = current.slice(upTo);
  };

  for (const seg of segments(cues)) {
    const segChapter = chapterAt(seg.start);
    if (current.length > 0 && segChapter !== chapter) close();
    chapter = segChapter;
    if (current.length > 0 && seg.end - current[0]!.start > options.maxSeconds) {
      let cut = current.length;
      for (let i = current.length - 1; i >= 0; i--) {
        if (current[i]!.endsSentence && current[i]!.end - current[0]!.start >= options.minSeconds) {
          cut = i + 1;
          break;
        }
      }
      close(cut);
    }
    current.push(seg);
    if (seg.endsSentence && seg.end - current[0]!.start >= options.targetSeconds) close();
  }
  close();

  // A short tail joins the passage before it when both sit in the same chapter, the joined passage
  // is not too long and no long silence parts them ("Thanks for watching!" after 15 minutes of
  // music stays apart: a citation of the whole stretch would point nowhere useful).
  const last = groups.at(-1);
  const before = groups.at(-2);
  if (last && before && last.chapter === before.chapter) {
    const lastLength = last.segments.at(-1)!.end - last.segments[0]!.start;
    const joined = last.segments.at(-1)!.end - before.segments[0]!.start;
    const silence = last.segments[0]!.start - Math.max(...before.segments.map((s) => s.end));
    if (lastLength < options.minSeconds && joined <= options.maxSeconds && silence < options.minSeconds / 2) {
      before.segments.push(...last.segments);
      groups.pop();
    }
  }

  // Passage ids are "<video>#<start second>": two passages never start in the same second.
  const passages: PassageCut[] = [];
  for (const g of groups) {
    const p = toPassage(g.segments, g.chapter?.title);
    const prev = passages.at(-1);
    if (prev && prev.start_seconds === p.start_seconds) {
      prev.text = `${prev.text} ${p.text}`;
      prev.end_seconds = Math.max(prev.end_seconds, p.end_seconds);
    } else {
      passages.push(p);
    }
  }
  return passages;
}
