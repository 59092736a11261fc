import { once } from 'node:events';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeEvent, numberedEvents, writeSse } from '../../src/chat/sse-writer.js';
import { chatEventSchema, type ChatEvent } from '../../src/contract/chat-events.js';
import { droppedFields } from '../../src/contract/dropped-fields.js';
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

describe('a token event is encoded as its schema lets it out', () => {
  /** The schema's own path: what it lets out, or the stream's internal error. */
  const throughSchema = (e: ChatEvent, strict: boolean) => {
    const r = chatEventSchema.safeParse(e);
    if (!r.success || (strict && droppedFields(e, r.data).length > 0)) return { event: 'error', data: JSON.stringify({ error: 'Internal error', code: 'internal' }), broken: true };
    return { event: r.data.event, data: JSON.stringify(r.data.data), broken: false };
  };
  const data = fc.oneof(
    fc.record({ text: fc.string() }),
    fc.record({ text: fc.oneof(fc.string(), fc.anything()), extra: fc.anything() }, { requiredKeys: [] }),
    fc.anything(),
  );

  it('for any data, lenient or strict', () => {
    fc.assert(
      fc.property(data, fc.boolean(), (d, strict) => {
        const e = { event: 'token', data: d } as unknown as ChatEvent;
        expect(encodeEvent(e, strict)).toEqual(throughSchema(e, strict));
      }),
      { numRuns: 1000 },
    );
  });

  it('a text inherited rather than its own is no token text', () => {
    const e = { event: 'token', data: Object.assign(Object.create({ text: 'inherited' }), { other: 1 }) } as unknown as ChatEvent;
    expect(encodeEvent(e, true)).toEqual(throughSchema(e, true));
  });
});

/** A response that records each write (its text and when), for the writer's coalescing. */
function recordingResponse() {
  const writes: { at: number; text: string }[] = [];
  const res = {
    destroyed: false,
    writableEnded: false,
    writableNeedDrain: false,
    cork: () => undefined,
    uncork: () => undefined,
    write: (text: string) => {
      writes.push({ at: performance.now(), text });
      return true;
    },
    end: () => {
      res.writableEnded = true;
    },
  };
  return { res: res as unknown as ServerResponse, writes };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const frames = (text: string) => (text.match(/^event: (\w+)$/gm) ?? []).map((l) => l.slice('event: '.length));

describe('the SSE writer coalesces a fast stream of tokens (SSE_COALESCE_MS)', () => {
  it('the first token goes at once; tokens close behind it wait and leave together, with the done event that follows them', async () => {
    const { res, writes } = recordingResponse();
    async function* produce(): AsyncGenerator<ChatEvent> {
      yield sources;
      await sleep(5);
      for (let i = 1; i <= 10; i++) {
        yield token(`t${i} `);
        await sleep(5);
      }
      yield { event: 'error', data: { error: 'x', code: 'internal' } };
    }
    await writeSse(res, numberedEvents(produce(), 'm'), { pingMs: 60_000, coalesceMs: 1000 });
    expect(writes.map((w) => frames(w.text))).toEqual([['sources'], ['token'], [...Array(9).fill('token'), 'error']]);
  });

  it('held tokens leave when the time is up, without waiting for the next event; a token after a pause goes at once', async () => {
    const { res, writes } = recordingResponse();
    const started = performance.now();
    async function* produce(): AsyncGenerator<ChatEvent> {
      yield token('a ');
      yield token('b ');
      yield token('c ');
      await sleep(400);
      yield token('d ');
      await sleep(400);
    }
    await writeSse(res, numberedEvents(produce(), 'm'), { pingMs: 60_000, coalesceMs: 50 });
    expect(writes.map((w) => frames(w.text))).toEqual([['token'], ['token', 'token'], ['token']]);
    expect(writes[1]!.at - writes[0]!.at).toBeLessThan(300);
    expect(writes[2]!.at - started).toBeLessThan(700);
    expect(writes[2]!.text).toContain('"d "');
  });

  it('without coalescing, each token is its own write', async () => {
    const { res, writes } = recordingResponse();
    async function* produce(): AsyncGenerator<ChatEvent> {
      for (let i = 0; i < 5; i++) {
        yield token(`t${i}`);
        await sleep(2);
      }
    }
    await writeSse(res, numberedEvents(produce(), 'm'), { pingMs: 60_000, coalesceMs: 0 });
    expect(writes).toHaveLength(5);
  });
});
