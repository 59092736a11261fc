/**
 * The floor under a chat's server CPU (issue 18): a Fastify route at the chat's path that makes
 * the round trips a chat on PostgreSQL + Redis cannot do without, and does nothing else. Per
 * request, as the service does them (bench/findings.md):
 * - Redis: 3 commands (the rate limit; the event log's first append; its batched appends);
 * - PostgreSQL: 3 named statements before the answer (the question's terms, the search, the
 *   turn started) and 1 after it (the turn finished), each a trivial `SELECT`;
 * - the LLM: one streamed completion, read with the service's own CompletionStreams;
 * - the client: the answer's events (the captured chat's sources and done, the model's chunks as
 *   tokens) through the service's own SSE writer;
 * - one request log line (pino, to stdout as the service writes it).
 * No validation, retrieval, prompt, metrics or storage logic. What it costs is what the wire
 * and the drivers cost, whatever the service's own code does.
 */
import Fastify from 'fastify';
import { Redis } from 'ioredis';
import pg from 'pg';
import { pino } from 'pino';
import { numberedEvents, SSE_HEADERS, writeSse } from '../../src/chat/sse-writer.js';
import { configFrom } from '../../src/config.js';
import type { ChatEvent } from '../../src/contract/chat-events.js';
import { CompletionStreams } from '../../src/llm/completion-streams.js';
import { measureHandlers, ReplayedAnswer, serveParent } from '../lib/child-side.js';

const env = process.env;
if (!env.DATABASE_URL || !env.REDIS_URL || !env.LLM_BASE_URL) throw new Error('floor: DATABASE_URL, REDIS_URL and LLM_BASE_URL are needed');
const pool = new pg.Pool({ connectionString: env.DATABASE_URL, max: 10 });
const redis = new Redis(env.REDIS_URL);
const streams = new CompletionStreams({ baseURL: env.LLM_BASE_URL, apiKey: env.LLM_API_KEY ?? 'bench' });
const log = pino({ level: 'info' });
const coalesceMs = configFrom({}).SSE_COALESCE_MS;
const replayed = new ReplayedAnswer();
const EVENTS = 'floor:events';
const LIMIT = 'floor:limit';

const statement = (name: string) => (value: number) => pool.query({ name, text: 'SELECT $1::int AS n', values: [value] });
const terms = statement('floor-terms');
const search = statement('floor-search');
const startTurn = statement('floor-start-turn');
const finishTurn = statement('floor-finish-turn');

async function* chatEvents(signal: AbortSignal): AsyncGenerator<ChatEvent, void, void> {
  const { events } = replayed.current;
  const [sources, done] = [events[0], events.at(-1)];
  if (sources) yield sources;
  // One stream, trimmed, so that a run leaves nothing behind but it (deleted at stop).
  await redis.xadd(EVENTS, 'MAXLEN', '~', '1000', '*', 'e', 'sources');
  const chunks = await streams.open({ model: 'bench-model', messages: [{ role: 'user', content: 'q' }] }, signal);
  let first = true;
  for await (const batch of chunks) {
    for (const chunk of batch) {
      const text = (chunk as { choices?: { delta?: { content?: string } }[] }).choices?.[0]?.delta?.content;
      if (text) yield { event: 'token', data: { text } };
    }
    if (first) {
      first = false;
      await redis.xadd(EVENTS, 'MAXLEN', '~', '1000', '*', 'e', 'tokens');
    }
  }
  await finishTurn(4);
  if (done) yield done;
}

const app = Fastify({ logger: false });
app.post('/api/v1/chat', async (request, reply) => {
  const started = performance.now();
  await redis.incr(LIMIT);
  await terms(1);
  await search(2);
  await startTurn(3);
  reply.hijack();
  reply.raw.writeHead(200, SSE_HEADERS);
  const abort = new AbortController();
  reply.raw.once('close', () => abort.abort());
  await writeSse(reply.raw, numberedEvents(chatEvents(abort.signal), replayed.current.idPrefix), { pingMs: 15_000, coalesceMs });
  log.info({ reqId: request.id, res: { statusCode: 200 }, responseTime: performance.now() - started }, 'request completed');
});
const url = await app.listen({ host: '127.0.0.1', port: 0 });

serveParent(
  url,
  {
    ...measureHandlers,
    answer: replayed.set,
  },
  async () => {
    await app.close();
    await pool.end();
    await redis.del(EVENTS, LIMIT);
    redis.disconnect();
  },
);
