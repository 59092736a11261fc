import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { numberedEvents, writeSse } from '../../src/chat/sse-writer.js';
import type { ChatEvent } from '../../src/contract/chat-events.js';
import { parseSse } from '../helpers/sse.js';

/** Serves one stream of the given events through writeSse over real HTTP; returns its body and whether the producer finished. */
async function stream(events: ChatEvent[], strict: boolean): Promise<{ body: string; drained: boolean }> {
  let drained = false;
  async function* produce() {
    for (const e of events) yield e;
    drained = true;
  }
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    void writeSse(res, numberedEvents(produce(), 'm', strict), { pingMs: 60_000 });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    return { body: await res.text(), drained };
  } finally {
    server.close();
  }
}

const sources: ChatEvent = { event: 'sources', data: [] };
const token = (text: string): ChatEvent => ({ event: 'token', data: { text } });

describe('the SSE writer sends only what the event schemas allow', () => {
  it('an event that breaks its schema ends the stream with an internal error, and the producer still finishes', async () => {
    const bad = { event: 'done', data: { conversation_id: 'c' } } as unknown as ChatEvent;
    const { body, drained } = await stream([sources, token('kept '), bad, token('never sent')], false);
    const { events } = parseSse(body);
    expect(events.map((e) => e.event)).toEqual(['sources', 'token', 'error']);
    expect(events[2]?.data).toEqual({ error: 'Internal error', code: 'internal' });
    expect(events[2]?.id).toBe('m:3');
    expect(drained).toBe(true);
  });

  it('a field an event schema lacks is dropped, and in strict mode (tests) is an error instead', async () => {
    const extra = { event: 'token', data: { text: 'hi', secret: 'x' } } as unknown as ChatEvent;
    const lenient = parseSse((await stream([sources, extra], false)).body).events;
    expect(lenient[1]?.data).toEqual({ text: 'hi' });
    const strict = parseSse((await stream([sources, extra], true)).body).events;
    expect(strict.map((e) => e.event)).toEqual(['sources', 'error']);
  });
});
