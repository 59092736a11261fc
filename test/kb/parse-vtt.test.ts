import { describe, expect, it } from 'vitest';
import { parseVtt } from '../../src/kb/transcripts/parse-vtt.js';

describe('WebVTT parser', () => {
  it('reads cues with hours, minutes-only timestamps, identifiers and cue settings', () => {
    const { cues, problems } = parseVtt(
      'WEBVTT - a talk\n\nintro\n01:02:03.500 --> 01:02:07.250 align:start position:10%\nHello there\n\n02:03.000 --> 02:04.000\nshort form\n',
    );
    expect(problems).toEqual([]);
    expect(cues).toEqual([
      { start: 123, end: 124, lines: ['short form'], line: 7 },
      { start: 3723.5, end: 3727.25, lines: ['Hello there'], line: 4 },
    ]);
  });

  it('accepts a byte order mark and CRLF or CR line ends', () => {
    const crlf = parseVtt('\uFEFFWEBVTT\r\n\r\n00:00:01.000 --> 00:00:02.000\r\nfirst\r\n\r\n00:00:02.000 --> 00:00:03.000\r\nsecond\r\n');
    expect(crlf.problems).toEqual([]);
    expect(crlf.cues.map((c) => [c.lines.join(' '), c.line])).toEqual([['first', 3], ['second', 6]]);
    const cr = parseVtt('WEBVTT\r\r00:00:01.000 --> 00:00:02.000\rfirst\r');
    expect(cr.cues.map((c) => c.lines.join(' '))).toEqual(['first']);
  });

  it('keeps the lines of a multi-line cue, spaces trimmed', () => {
    const { cues } = parseVtt('WEBVTT\n\n00:00:01.000 --> 00:00:04.000\nfirst line\nsecond line\n  third  \n');
    expect(cues[0]?.lines).toEqual(['first line', 'second line', 'third']);
  });

  it('strips styling tags, voice spans, inline timestamps and decodes entities', () => {
    const { cues } = parseVtt(
      'WEBVTT\n\n00:00:00.000 --> 00:00:03.000\n<v.loud Mira>Kick <b>and</b> <i>bass</i></v> &amp; <c.yellow>sub</c>\n\n' +
        '00:00:03.000 --> 00:00:05.000\nso<00:00:03.500><c> the</c><00:00:04.000><c> rumble</c> &lt;3 &#233;&nbsp;ok\n',
    );
    expect(cues.map((c) => c.lines.join(' '))).toEqual(['Kick and bass & sub', 'so the rumble <3 é ok']);
  });

  it('reads a line of spaces inside a cue as cue text, as YouTube writes them, not as the end of the cue', () => {
    const { cues, problems } = parseVtt(
      'WEBVTT\nKind: captions\nLanguage: en\n\n00:00:00.000 --> 00:00:02.500 align:start position:0%\n \nso<00:00:00.300><c> today</c>\n\n' +
        '00:00:02.500 --> 00:00:02.510 align:start position:0%\nso today\n \n',
    );
    expect(problems).toEqual([]);
    expect(cues.map((c) => c.lines)).toEqual([['so today'], ['so today']]);
  });

  it('keeps overlapping cues, in start order', () => {
    const { cues, problems } = parseVtt(
      'WEBVTT\n\n00:00:05.000 --> 00:00:09.000\nsecond speaker\n\n00:00:01.000 --> 00:00:06.000\nfirst speaker\n\n00:00:02.000 --> 00:00:04.000\ninside\n',
    );
    expect(problems).toEqual([]);
    expect(cues.map((c) => c.lines.join(' '))).toEqual(['first speaker', 'inside', 'second speaker']);
  });

  it('ignores header lines, NOTE, STYLE and REGION blocks', () => {
    const { cues, problems } = parseVtt(
      'WEBVTT\nKind: captions\nLanguage: en\n\nSTYLE\n::cue { color: red }\n\nREGION\nid:top\n\nNOTE this is a note\nover two lines\n\n00:00:01.000 --> 00:00:02.000\nonly cue\n',
    );
    expect(problems).toEqual([]);
    expect(cues.map((c) => c.lines.join(' '))).toEqual(['only cue']);
  });

  it('names the line of every malformed cue', () => {
    const { problems } = parseVtt(
      'WEBVTT\n\n00:00:01.000 --> 00:00:0x.000\nbad end\n\n00:00:04.000 --> 00:00:02.000\nbackwards\n\nan identifier\nno timing here\n\n00:00:05.000 --> 00:00:06.000\ntext\n00:00:06.000 --> 00:00:07.000\nmissing blank line\n',
    );
    expect(problems).toEqual([
      { line: 3, message: 'invalid end time "00:00:0x.000"' },
      { line: 6, message: 'end time 00:00:02.000 is not after start time 00:00:04.000' },
      { line: 10, message: expect.stringContaining('expected a cue timing line') },
      { line: 14, message: expect.stringContaining('blank line missing') },
    ]);
  });

  it('rejects a file without the WEBVTT signature, at line 1', () => {
    expect(parseVtt('00:00:01.000 --> 00:00:02.000\nhello\n').problems).toEqual([{ line: 1, message: expect.stringContaining('WEBVTT') }]);
    expect(parseVtt('WEBVTTX\n').problems[0]?.line).toBe(1);
  });

  it('rejects a file with no cue', () => {
    expect(parseVtt('WEBVTT\n\nNOTE nothing\n').problems).toEqual([{ line: 1, message: 'no cues in the file' }]);
  });
});
