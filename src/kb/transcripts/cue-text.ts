import { decodeEntities } from './html-entities.js';

// Only real markup is removed, so "cut <100 Hz, boost >5 kHz" keeps its words: WebVTT's cue spans
// (c, i, b, u, v, lang, ruby, rt, with .classes and an annotation such as a voice's name) and SRT's
// <font …>, opening or closing; inline timestamps (<00:00:01.234>); SSA overrides ({\an8}).
const MARKUP = new RegExp(
  [
    String.raw`<\/?(?:[bciu]|v|lang|ruby|rt|font)(?:\.[^\s.<>]+)*(?:[ \t][^<>]*)?>`,
    String.raw`<(?:\d+:)?[0-5]\d:[0-5]\d\.\d{1,3}>`,
    String.raw`\{\\[^}]*\}`,
  ].join('|'),
  'gi',
);

// Sound tags at a line's start or end: [Music], [Applause], [ Laughter ], [BLANK_AUDIO], up to three
// words of letters. "[1]" or "it [the compressor] pumps", inside speech, are kept.
const TAG = String.raw`\[\s*\p{L}[\p{L}_'-]*(?:\s+\p{L}[\p{L}_'-]*){0,2}\s*\]`;
const SOUND_TAGS = new RegExp(String.raw`^\s*(?:${TAG}\s*)+|(?:\s*${TAG})+\s*$`, 'gu');

/** The words of each payload line of a cue: markup removed, entities decoded, sound tags and empty lines dropped. */
export function cueLines(payload: readonly string[]): string[] {
  return payload
    .map((line) => decodeEntities(line.replace(MARKUP, '')).replace(SOUND_TAGS, '').replace(/\s+/g, ' ').trim())
    .filter((line) => line !== '');
}
