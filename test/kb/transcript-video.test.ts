import { describe, expect, it } from 'vitest';
import type { TranscriptMeta } from '../../src/kb/transcripts/transcript-meta.js';
import { transcriptToVideo, type TranscriptFormat } from '../../src/kb/transcripts/transcript-video.js';

const META: TranscriptMeta = { id: 'yt:abc123', creator: 'mira-vox', title: 'Low end', url: 'https://www.youtube.com/watch?v=abc123' };

/** The passages a transcript gives, after checking it has no problems. */
function passages(text: string, format: TranscriptFormat, meta: Partial<TranscriptMeta> = {}) {
  const { video, problems } = transcriptToVideo(text, format, { ...META, ...meta });
  expect(problems).toEqual([]);
  return video.passages;
}

const vttCue = (start: string, end: string, ...lines: string[]) => `${start} --> ${end} align:start position:0%\n${lines.join('\n')}\n`;

// An excerpt of a YouTube auto-caption file as YouTube serves it: a line of one space in each cue,
// word timings in <c> spans, and every cue repeating the line the cue before ended with.
const YOUTUBE_AUTO = [
  'WEBVTT\nKind: captions\nLanguage: en\n',
  vttCue('00:00:00.000', '00:00:02.000', ' ', '[Music]'),
  vttCue('00:00:02.000', '00:00:03.990', ' ', 'okay<00:00:02.480><c> so</c>'),
  vttCue('00:00:03.990', '00:00:04.000', 'okay so', ' '),
  vttCue('00:00:04.000', '00:00:06.550', 'okay so', "let's<00:00:04.400><c> talk</c><00:00:04.800><c> about</c><00:00:05.200><c> the</c><00:00:05.600><c> low</c><00:00:06.000><c> end</c>"),
  vttCue('00:00:06.550', '00:00:06.560', "let's talk about the low end", ' '),
  vttCue('00:00:06.560', '00:00:09.110', "let's talk about the low end", 'everything<00:00:07.000><c> below</c><00:00:07.400><c> a</c><00:00:07.800><c> hundred</c><00:00:08.200><c> hertz</c>'),
  vttCue('00:00:09.110', '00:00:09.120', 'everything below a hundred hertz', ' '),
  vttCue('00:00:09.120', '00:00:11.670', 'everything below a hundred hertz', 'should<00:00:09.500><c> be</c><00:00:10.000><c> mono</c><00:00:10.500><c> [Music]</c>'),
].join('\n');

describe('a transcript becomes the passages users are cited', () => {
  it('imports YouTube auto-captions, whose cues hold a line of one space, without their rolling repeats or [Music]', () => {
    expect(passages(YOUTUBE_AUTO, 'vtt')).toEqual([
      { start_seconds: 2, end_seconds: 12, text: "okay so let's talk about the low end everything below a hundred hertz should be mono" },
    ]);
  });

  it('keeps a short line a rolling cue repeats only once ("okay so", not "okay so okay so")', () => {
    const vtt = [
      'WEBVTT\n',
      vttCue('00:00:00.000', '00:00:03.000', '[Music]'),
      vttCue('00:00:03.000', '00:00:05.000', 'okay<00:00:03.500><c> so</c>'),
      vttCue('00:00:05.000', '00:00:05.010', 'okay so'),
      vttCue('00:00:05.010', '00:00:08.000', 'okay so', 'we<00:00:05.500><c> need</c><00:00:06.000><c> more</c><00:00:06.500><c> reverb</c>'),
      vttCue('00:00:08.000', '00:00:08.010', 'we need more reverb'),
      vttCue('00:00:08.010', '00:00:12.000', 'we need more reverb', 'but<00:00:09.000><c> more</c><00:00:10.000><c> pre-delay</c>'),
    ].join('\n');
    expect(passages(vtt, 'vtt')).toEqual([{ start_seconds: 3, end_seconds: 12, text: 'okay so we need more reverb but more pre-delay' }]);
  });

  it('drops sound tags such as [Applause] and [Laughter] at a line start or end, keeping brackets inside speech', () => {
    const srt =
      '1\n00:00:00,000 --> 00:00:04,000\n[Applause] Thank you all.\n\n' +
      '2\n00:00:04,000 --> 00:00:08,000\nThat preset [laughter]\n[BLANK_AUDIO]\n\n' +
      '3\n00:00:08,000 --> 00:00:12,000\nsends it [the compressor] into track [1].\n';
    expect(passages(srt, 'srt')).toEqual([
      { start_seconds: 0, end_seconds: 12, text: 'Thank you all. That preset sends it [the compressor] into track [1].' },
    ]);
  });

  it('reads SRT files whose blocks are separated by lines of spaces, numbered or not', () => {
    const srt =
      '1\r\n00:00:00,000 --> 00:00:04,000\r\nHigh-pass the pad.\r\n \r\n' +
      '2\r\n00:00:04,000 --> 00:00:08,000\r\nThen the reverb,\r\n\t\r\n' +
      '00:00:08,000 --> 00:00:12,000\r\nthen the delay.\r\n  \r\n';
    expect(passages(srt, 'srt')).toEqual([{ start_seconds: 0, end_seconds: 12, text: 'High-pass the pad. Then the reverb, then the delay.' }]);
  });

  it('reads a WebVTT file written by hand with a line of spaces between cues', () => {
    const vtt = 'WEBVTT\n \nintro\n00:00.000 --> 00:04.000\nHigh-pass the pad.\n   \n00:04.000 --> 00:08.000\nThen the reverb.\n';
    expect(passages(vtt, 'vtt')).toEqual([{ start_seconds: 0, end_seconds: 8, text: 'High-pass the pad. Then the reverb.' }]);
  });

  it('keeps "<" and ">" that are text, removing only caption markup', () => {
    const srt =
      '1\n00:00:00,000 --> 00:00:05,000\n{\\an8}<font color="#ffff00">High-pass</font> everything <100 Hz, boost >5 kHz on the <I>vocal</I>.\n\n' +
      '2\n00:00:05,000 --> 00:00:09,000\nKeep it under <3 dB of reduction, a ratio > 4:1 &amp; &lt;i&gt; is no tag.\n';
    expect(passages(srt, 'srt')).toEqual([
      { start_seconds: 0, end_seconds: 9, text: 'High-pass everything <100 Hz, boost >5 kHz on the vocal. Keep it under <3 dB of reduction, a ratio > 4:1 & <i> is no tag.' },
    ]);
    const vtt =
      'WEBVTT\n\n00:00.000 --> 00:05.000\n<v.host Mira Vox>Cut <b>&lt;100 Hz</b>, boost <c.yellow.bg_black>&gt;5 kHz</c></v> <lang fr>&Eacute;t&eacute;</lang>\n\n' +
      "00:05.000 --> 00:09.000\n<u>Caf&#xE9;</u>&nbsp;&quot;bus&quot; &#39;A&#39; &ndash; 1 < 2 &unknown; &#xD800;.\n";
    expect(passages(vtt, 'vtt')).toEqual([
      { start_seconds: 0, end_seconds: 9, text: 'Cut <100 Hz, boost >5 kHz Été Café "bus" \'A\' – 1 < 2 &unknown; &#xD800;.' },
    ]);
  });

  it('keeps a closing remark after a long silence as its own passage, not one spanning the silence', () => {
    const ts = (s: number) => `00:${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}.000`;
    const talk = Array.from({ length: 120 }, (_, i) => vttCue(ts(i * 5), ts(i * 5 + 5), `Point ${i} about the mix.`));
    const vtt = ['WEBVTT\n', ...talk, vttCue(ts(1500), ts(1504), 'Thanks for watching!')].join('\n');
    const cut = passages(vtt, 'vtt');
    expect(cut.at(-2)).toMatchObject({ end_seconds: 600 });
    expect(cut.at(-1)).toEqual({ start_seconds: 1500, end_seconds: 1504, text: 'Thanks for watching!' });
    expect(cut.every((p) => p.end_seconds - p.start_seconds <= 90)).toBe(true);
  });

  it('keeps a short last passage apart when joining it would pass 90 seconds', () => {
    const vtt = 'WEBVTT\n\n00:00.000 --> 01:20.000\nOne long demo of the bass patch.\n\n01:20.000 --> 01:32.000\nThanks for watching!\n';
    expect(passages(vtt, 'vtt')).toEqual([
      { start_seconds: 0, end_seconds: 80, text: 'One long demo of the bass patch.' },
      { start_seconds: 80, end_seconds: 92, text: 'Thanks for watching!' },
    ]);
  });

  it('ends a passage at the second its last cue ends (8.010 --> 40.000 ends at 40, not 41)', () => {
    const vtt = 'WEBVTT\n\n00:00:08.010 --> 00:00:40.000\nand pre-delay settings\n';
    expect(passages(vtt, 'vtt', { duration_seconds: 40 })).toEqual([{ start_seconds: 8, end_seconds: 40, text: 'and pre-delay settings' }]);
  });
});
