import { describe, expect, it } from 'vitest';
import { extractCitations } from '../../src/chat/citations.js';
import { isFollowUp, standaloneQuery } from '../../src/chat/standalone-query.js';
import { timestampUrl } from '../../src/chat/timestamp-url.js';
import { chunk, composeExtractiveAnswer } from '../../src/llm/extractive-answerer.js';

describe('links to the exact second', () => {
  it.each([
    ['https://www.youtube.com/watch?v=abc', 83, 'https://www.youtube.com/watch?v=abc&t=83s'],
    ['https://youtu.be/abc', 83, 'https://youtu.be/abc?t=83s'],
    ['https://vimeo.com/123', 61, 'https://vimeo.com/123#t=61s'],
    ['https://cdn.example.com/v.mp4', 7, 'https://cdn.example.com/v.mp4#t=7'],
    ['https://www.youtube.com/watch?v=abc&t=5s', 90, 'https://www.youtube.com/watch?v=abc&t=90s'],
  ])('%s at %i s', (url, s, expected) => expect(timestampUrl(url, s)).toBe(expected));
});

describe('citations', () => {
  it('splits [n] markers into sent sources and the rest', () => {
    expect(extractCitations('A [1]. B [3][1]. C [2, 7]. D [0].', 3)).toEqual({ citations: [1, 2, 3], invalid: [0, 7] });
    expect(extractCitations('no markers, [x] or [] either', 3)).toEqual({ citations: [], invalid: [] });
  });
});

describe('follow-ups without an LLM', () => {
  it('joins a follow-up with the previous question', () => {
    expect(isFollowUp('and what about with reverb?')).toBe(true);
    expect(standaloneQuery('and what about with reverb?', 'sidechain compression on pads')).toBe(
      'sidechain compression on pads and what about with reverb?',
    );
  });
  it('leaves a question that stands alone as it is', () => {
    expect(standaloneQuery('How do I tune a kick drum to the key of the track?', 'sidechain')).toBe(
      'How do I tune a kick drum to the key of the track?',
    );
    expect(standaloneQuery('and with reverb?', null)).toBe('and with reverb?');
  });
});

describe('the extractive answer', () => {
  const source = (n: number, text: string) => ({
    number: n,
    creatorName: 'Ana',
    videoTitle: 'Kicks',
    technique: 'Kick tuning',
    startSeconds: 83,
    endSeconds: 121,
    text,
  });
  it('quotes the sentences that answer, each paragraph cited', () => {
    const answer = composeExtractiveAnswer('how do I tune a kick', [
      source(1, 'Intro talk here. Tune the kick to the root of the track. Then we move on.'),
      source(2, 'Another idea. A tuned kick sits better with the bass.'),
    ], { tier: 'global', askedCreator: null });
    expect(answer).toContain('Tune the kick to the root of the track. [1]');
    expect(answer).toContain('[2]');
    expect(answer).toContain('1:23');
  });
  it('names a moment past the first hour as a video player does, h:mm:ss', () => {
    const late = { ...source(1, 'Tune the kick to the root.'), startSeconds: 6759 };
    expect(composeExtractiveAnswer('tune a kick', [late], { tier: 'global', askedCreator: null })).toContain('at 1:52:39)');
  });
  it('streams in chunks that add up to the whole text', () => {
    const text = 'Here is  what\nthe knowledge base says: a b c d e f [1]';
    expect(chunk(text).join('')).toBe(text);
    expect(chunk(text).length).toBeGreaterThan(2);
  });
});
