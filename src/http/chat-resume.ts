import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { SOURCES_IN_TURN } from '../chat/live-answers.js';
import { SSE_HEADERS, numbered, writeSse, type SseEvent } from '../chat/sse-writer.js';
import { storedTurnEvents } from '../chat/stored-turn-events.js';
import type { Deps } from '../deps.js';
import { AppError, invalidRequest } from '../errors.js';
import type { TurnRecord } from '../store/conversation-store.js';
import { errorBodySchema, type RouteDoc } from './openapi.js';
import { parse } from './parse.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const messageParams = z.object({
  message_id: z
    .string()
    .regex(UUID, 'must be a UUID')
    .transform((s) => s.toLowerCase()),
});

const resumeQuery = z.object({
  last_event_id: z.string().optional().describe('The id of the last event received, `<message_id>:<seq>`; the Last-Event-ID header wins'),
});

export const stopResponseSchema = z.object({ message_id: z.string(), status: z.literal('stopping') });

export const chatResumeDocs: RouteDoc[] = [
  {
    method: 'get',
    path: '/api/v1/chat/{message_id}/stream',
    tag: 'chat',
    auth: 'optional',
    summary: 'Resume an answer: the events after Last-Event-ID, then the live ones until done or error',
    description:
      'Replayed events keep their ids. A finished turn asked for without an id (or no longer in the event log) replays from ' +
      'the database: `sources`, its text as one `token`, then `done` or `error`. Same ownership as the conversation.',
    params: z.object({ message_id: z.string().describe('UUID (the prefix of every event id)') }),
    query: resumeQuery,
    responses: {
      '200': { description: 'The event stream', contentType: 'text/event-stream' },
      '404': { description: 'Unknown message, or not yours', schema: errorBodySchema },
      '422': { description: 'message_id or last_event_id malformed', schema: errorBodySchema },
      '503': { description: 'The event log (Redis) cannot be reached or lost this stream', schema: errorBodySchema },
    },
  },
  {
    method: 'post',
    path: '/api/v1/chat/{message_id}/stop',
    tag: 'chat',
    auth: 'optional',
    summary: 'Stop a running answer, on whichever replica writes it; its stream ends with done, finish_reason client_closed',
    params: z.object({ message_id: z.string().describe('UUID') }),
    responses: {
      '202': { description: 'Stopping', schema: stopResponseSchema },
      '404': { description: 'Unknown message, or not yours', schema: errorBodySchema },
      '409': { description: 'The answer has already finished', schema: errorBodySchema },
      '503': { description: 'The replicas cannot be reached (Redis)', schema: errorBodySchema },
    },
  },
];

/** `<message_id>:<seq>` → seq; null when no id was given. */
function lastSeq(messageId: string, raw: string | undefined): number | null {
  if (raw === undefined || raw === '') return null;
  const m = /^([0-9a-f-]{36}):(\d{1,9})$/i.exec(raw.trim());
  if (!m || m[1]!.toLowerCase() !== messageId) {
    throw invalidRequest([{ field: 'last_event_id', message: 'must be an event id of this message, <message_id>:<seq>' }]);
  }
  return Number(m[2]);
}

const notFound = () => new AppError('message_not_found', 'Message not found');
const unresumable = () =>
  new AppError('service_unavailable', 'This answer cannot be resumed now', { retry_after: 5 }, { 'Retry-After': '5' });

/** SPEC §1 "Resuming a stream": GET …/stream and POST …/stop, on any replica. */
export function chatResumeRoutes(app: FastifyInstance, deps: Deps): void {
  const { eventLog, metrics } = deps;

  /** The log's events after `after`, in order; a gap (trimmed or lost events) ends the stream early. */
  async function* fromLog(turn: TurnRecord, after: number, signal: AbortSignal): AsyncGenerator<SseEvent, void, void> {
    const messageId = turn.id;
    let expected = after + 1;
    try {
      for await (const e of eventLog.read(messageId, after, signal)) {
        if (e.seq !== expected) {
          deps.log.warn({ message_id: messageId, expected, got: e.seq }, 'event log misses events of this stream; resume ended');
          return;
        }
        expected += 1;
        if (e.replayed) metrics.resumeReplayedEvents.inc();
        const data = e.event === 'sources' && e.data === SOURCES_IN_TURN ? JSON.stringify(turn.sources) : e.data;
        yield { id: `${messageId}:${e.seq}`, event: e.event, data };
      }
    } catch (err) {
      deps.log.warn({ message_id: messageId, reason: err instanceof Error ? err.message : String(err) }, 'event log unavailable; resume ended');
    }
  }

  app.get('/api/v1/chat/:message_id/stream', async (request, reply) => {
    const { message_id: id } = parse(messageParams, request.params, 'message_id');
    const query = parse(resumeQuery, request.query, 'query');
    const header = request.headers['last-event-id'];
    const after = lastSeq(id, typeof header === 'string' && header !== '' ? header : query.last_event_id);
    const user = await deps.auth.authenticate(request.headers.authorization);
    const turn = await deps.conversations.getTurnFor(id, user?.id ?? null);
    if (!turn) throw notFound();
    const finished = turn.finish_reason !== 'streaming';

    let inLog = false;
    if (!finished || after !== null) {
      try {
        inLog = await eventLog.has(id);
      } catch {
        if (!finished) throw unresumable();
      }
      if (!inLog && !finished) throw unresumable();
    }

    reply.hijack();
    reply.raw.writeHead(200, { ...SSE_HEADERS, 'x-request-id': request.id });
    reply.raw.flushHeaders();
    const closed = new AbortController();
    reply.raw.on('close', () => closed.abort());
    if (!inLog) {
      const events = storedTurnEvents(turn);
      metrics.resumes.inc({ from: 'database' });
      metrics.resumeReplayedEvents.inc(events.length);
      await writeSse(reply.raw, events, { pingMs: deps.config.SSE_PING_MS, toFrame: numbered(id) });
      return;
    }
    metrics.resumes.inc({ from: 'log' });
    // The replica writing the answer holds off its grace timeout while someone reads.
    await eventLog.publish(id, 'attach').catch(() => undefined);
    try {
      await deps.streams.track(writeSse(reply.raw, fromLog(turn, after ?? 0, closed.signal), { pingMs: deps.config.SSE_PING_MS, toFrame: (e: SseEvent) => e }));
    } finally {
      await eventLog.publish(id, 'detach').catch(() => undefined);
    }
  });

  app.post('/api/v1/chat/:message_id/stop', async (request, reply) => {
    const { message_id: id } = parse(messageParams, request.params, 'message_id');
    const user = await deps.auth.authenticate(request.headers.authorization);
    const turn = await deps.conversations.getTurnFor(id, user?.id ?? null);
    if (!turn) throw notFound();
    if (turn.finish_reason !== 'streaming') throw new AppError('answer_finished', 'The answer has already finished', { finish_reason: turn.finish_reason });
    try {
      await eventLog.publish(id, 'stop');
    } catch {
      throw unresumable();
    }
    return reply.status(202).send({ message_id: id, status: 'stopping' as const });
  });
}
