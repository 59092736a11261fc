import { styleText } from 'node:util';
import { timestamp } from '../llm/answerer.js';
import type { Source } from '../contract/chat-events.js';

/** Colour only on a terminal (and never when NO_COLOR is set). */
export function painter(stream: NodeJS.WriteStream) {
  const on = Boolean(stream.isTTY) && !process.env.NO_COLOR;
  return (format: Parameters<typeof styleText>[0], text: string) => (on ? styleText(format, text) : text);
}

/** The numbered sources block printed after the answer. */
export function renderSources(sources: Source[], paint: ReturnType<typeof painter>): string {
  if (sources.length === 0) return '';
  const lines = sources.map(
    (s) =>
      `${paint('bold', `[${s.number}]`)} ${s.creator.name}, "${s.video.title}" ${timestamp(s.start_seconds)}–${timestamp(s.end_seconds)}` +
      (s.technique ? ` · ${s.technique}` : '') +
      `\n    ${paint('cyan', s.url)}`,
  );
  return `\n${paint('dim', 'Sources')}\n${lines.join('\n')}\n`;
}
