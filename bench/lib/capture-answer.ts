import { createParser } from 'eventsource-parser';
import { request } from 'undici';
import type { ChatEvent } from '../../src/contract/chat-events.js';
import { sseFrame } from '../../src/chat/sse-writer.js';
import { chatBody } from './questions.js';

export interface CapturedAnswer {
  idPrefix: string;
  events: ChatEvent[];
  bytes: string;
}

/** One real chat answer from the service: its events and id prefix, checked to rebuild the exact bytes. */
export async function captureAnswer(url: string): Promise<CapturedAnswer> {
  const res = await request(`${url}/api/v1/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: chatBody(0) });
  const bytes = await res.body.text();
  if (res.statusCode !== 200) throw new Error(`capturing a chat answer: HTTP ${res.statusCode}: ${bytes.slice(0, 200)}`);
  const events: ChatEvent[] = [];
  let idPrefix = '';
  const parser = createParser({
    onEvent: (e) => {
      idPrefix ||= e.id?.replace(/:\d+$/, '') ?? '';
      events.push({ event: e.event, data: JSON.parse(e.data) } as ChatEvent);
    },
  });
  parser.feed(bytes);
  const rebuilt = events.map((e, i) => sseFrame(`${idPrefix}:${i + 1}`, e.event, e.data)).join('');
  if (rebuilt !== bytes) throw new Error('the captured answer does not rebuild to the same bytes');
  return { idPrefix, events, bytes };
}
