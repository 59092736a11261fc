/**
 * The baseline of the throughput section: a bare Fastify route at the chat's path that streams
 * the bytes of a real chat answer (sent by the parent), frame by frame as the service writes
 * them, without the service's work (no validation, database, retrieval, LLM call or logging).
 */
import Fastify from 'fastify';
import { SSE_HEADERS } from '../../src/chat/sse-writer.js';
import { serveParent } from '../lib/child-side.js';

let frames: string[] = [];
const app = Fastify({ logger: false });
app.post('/api/v1/chat', async (_request, reply) => {
  reply.hijack();
  reply.raw.writeHead(200, SSE_HEADERS);
  for (const frame of frames) reply.raw.write(frame);
  reply.raw.end();
});
const url = await app.listen({ host: '127.0.0.1', port: 0 });

serveParent(
  url,
  {
    frames: (payload) => {
      frames = payload as string[];
      return frames.length;
    },
  },
  () => app.close(),
);
