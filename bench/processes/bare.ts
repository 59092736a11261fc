/**
 * The baseline of the throughput section: a bare Fastify route at the chat's path that streams the
 * events of a real chat answer (sent by the parent) through the service's own SSE writer, so the
 * bytes and the writes are the service's, without the service's work (validation, database,
 * retrieval, the LLM request, metrics, request logs). Mode "blob" instead writes the same bytes
 * in one go, for scale; mode "hold" sends the sources and first token and then holds the stream
 * open, the floor of what an open stream costs.
 */
import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import Fastify from 'fastify';
import type { ChatEvent } from '../../src/contract/chat-events.js';
import { numberedEvents, SSE_HEADERS, writeSse } from '../../src/chat/sse-writer.js';
import { configFrom } from '../../src/config.js';
import { measureHandlers, ReplayedAnswer, serveParent } from '../lib/child-side.js';

const replayed = new ReplayedAnswer();
let mode: 'stream' | 'blob' | 'hold' = 'stream';

async function* replay(events: ChatEvent[]): AsyncGenerator<ChatEvent, void, void> {
  yield* events;
}

async function* holdAfter(events: ChatEvent[], res: ServerResponse): AsyncGenerator<ChatEvent, void, void> {
  yield* events;
  if (!res.destroyed) await once(res, 'close');
}

const app = Fastify({ logger: false });
app.post('/api/v1/chat', async (_request, reply) => {
  reply.hijack();
  reply.raw.writeHead(200, SSE_HEADERS);
  if (mode === 'blob') {
    reply.raw.end(replayed.current.bytes);
    return;
  }
  // hold: the sources and the first token, then nothing until the client goes (an open stream's floor).
  const { events: all, idPrefix } = replayed.current;
  const events = mode === 'hold' ? holdAfter(all.slice(0, 2), reply.raw) : replay(all);
  await writeSse(reply.raw, numberedEvents(events, idPrefix), { pingMs: 15_000, coalesceMs: configFrom({}).SSE_COALESCE_MS });
});
const url = await app.listen({ host: '127.0.0.1', port: 0 });

serveParent(
  url,
  {
    ...measureHandlers,
    answer: replayed.set,
    mode: (payload) => {
      mode = payload === 'blob' || payload === 'hold' ? payload : 'stream';
      return mode;
    },
  },
  () => app.close(),
);
