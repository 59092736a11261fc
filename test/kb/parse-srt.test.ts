import { describe, expect, it } from 'vitest';
import { parseSrt } from '../../src/kb/transcripts/parse-srt.js';

describe('SRT parser', () => {
  it('reads numbered cues with hours and milliseconds, past 99 hours too', () => {
    const { cues, problems } = parseSrt('1\n01:02:03,500 --> 01:02:07,250\nHello\n\n2\n100:00:00,000 --> 100:00:01,000\nlong video\n');
    expect(problems).toEqual([]);
    expect(cues).toEqual([
      { start: 3723.5, end: 3727.25, lines: ['Hello'], line: 2 },
      { start: 360_000, end: 360_001, lines: ['long video'], line: 6 },
    ]);
  });

  it('accepts a byte order mark, CRLF line ends, a missing cue number and a dot before milliseconds', () => {
    const { cues, problems } = parseSrt('\uFEFF1\r\n00:00:01,000 --> 00:00:02,000\r\nfirst\r\n\r\n00:00:02.000 --> 00:00:03.000\r\nsecond\r\n\r\n');
    expect(problems).toEqual([]);
    expect(cues.map((c) => [c.lines.join(' '), c.line])).toEqual([['first', 2], ['second', 5]]);
  });

  it('reads a timing line written without spaces around the arrow, as some SRT writers do', () => {
    const { cues, problems } = parseSrt('1\n00:00:00,000-->00:00:35,000\nno spaces\n\n2\n00:00:35,000 -->00:00:40,500\none side\n');
    expect(problems).toEqual([]);
    expect(cues.map((c) => [c.start, c.end, c.lines.join(' ')])).toEqual([
      [0, 35, 'no spaces'],
      [35, 40.5, 'one side'],
    ]);
  });

  it('joins multi-line cues and strips <i>, <font> and {\\an8} markup', () => {
    const { cues } = parseSrt('1\n00:00:01,000 --> 00:00:04,000\n{\\an8}<i>Sidechain</i> the\n<font color="#ff0000">bass</font> &amp; pads\n');
    expect(cues[0]?.lines.join(' ')).toBe('Sidechain the bass & pads');
  });

  it('keeps overlapping cues in start order, whatever their numbers', () => {
    const { cues } = parseSrt('2\n00:00:03,000 --> 00:00:06,000\nlater\n\n1\n00:00:01,000 --> 00:00:04,000\nearlier\n');
    expect(cues.map((c) => c.lines.join(' '))).toEqual(['earlier', 'later']);
  });

  it('names the line of every malformed cue', () => {
    const { problems } = parseSrt(
      '1\n00:00:01,000 -> 00:00:02,000\nbad arrow\n\n2\n00:00:02,000 --> 00:00:01,000\nbackwards\n\n3\n00:01,000 --> 00:00:02,000\nno hours\n\njust some text\n\n5\n',
    );
    expect(problems).toEqual([
      { line: 2, message: expect.stringContaining('expected a timing line') },
      { line: 6, message: 'end time 00:00:01,000 is not after start time 00:00:02,000' },
      { line: 10, message: 'invalid start time "00:01,000"' },
      { line: 13, message: expect.stringContaining('expected a cue number or a timing line') },
      { line: 15, message: expect.stringContaining('after cue number 5') },
    ]);
  });

  it('takes a line of spaces before a cue number for a separator, so a bad timing line after it is still named', () => {
    const { problems } = parseSrt('1\n00:00:01,000 --> 00:00:02,000\nfirst\n \n2\n00:00:02,000 -> 00:00:03,000\nsecond\n');
    expect(problems).toEqual([{ line: 6, message: expect.stringContaining('expected a timing line') }]);
  });

  it('keeps a line of spaces followed by text inside its cue', () => {
    const { cues, problems } = parseSrt('1\n00:00:01,000 --> 00:00:04,000\nfirst line\n \nsecond line\n\n2\n00:00:04,000 --> 00:00:05,000\nnext\n');
    expect(problems).toEqual([]);
    expect(cues.map((c) => c.lines)).toEqual([['first line', 'second line'], ['next']]);
  });

  it('rejects an empty file', () => {
    expect(parseSrt('\n\n').problems).toEqual([{ line: 1, message: 'no cues in the file' }]);
  });
});
