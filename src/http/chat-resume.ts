import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { SOURCES_IN_TURN } from '../chat/live-answers.js';
import { SSE_HEADERS, encodeEvent, writeSse, type SseEvent } from '../chat/sse-writer.js';
import { lastStoredSeq, storedTurnEvents, type StoredEvent } from '../chat/stored-turn-events.js';
import { chatEventSchema } from '../contract/chat-events.js';
import type { Deps } from '../deps.js';
import { AppError, invalidRequest } from '../errors.js';
import type { TurnRecord } from '../store/conversation-store.js';
import { authenticate, security } from './authenticate.js';
import { errorResponses } from './error-schema.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const messageParams = z.object({
  message_id: z
    .string()
    .regex(UUID, 'must be a UUID')
    .transform((s) => s.toLowerCase())
    .describe('UUID (the prefix of every event id)'),
});

const resumeQuery = z.object({
  last_event_id: z.string().optional().describe('The id of the last event received, `<message_id>:<seq>`; the Last-Event-ID header wins'),
});

export const stopResponseSchema = z.object({ message_id: z.string(), status: z.literal('stopping') });

const tags = ['chat'];

/** `<message_id>:<seq>` → seq; null when no id was given. */
function lastSeq(messageId: string, raw: string | undefined): number | null {
  if (raw === undefined || raw === '') return null;
  const m = /^([0-9a-f-]{36}):(\d{1,9})$/i.exec(raw.trim());
  if (!m || m[1]!.toLowerCase() !== messageId) {
    throw invalidRequest([{ field: 'last_event_id', message: 'must be an event id of this message, <message_id>:<seq>' }]);
  }
  return Number(m[2]);
}

/** A finished turn's events as frames, with the ids they streamed with; nothing after a broken one. */
function* storedFrames(events: StoredEvent[], messageId: string, strict: boolean): Generator<SseEvent, void, void> {
  for (const { seq, event } of events) {
    const out = encodeEvent(event, strict);
    yield { id: `${messageId}:${seq}`, event: out.event, data: out.data };
    if (out.broken) return;
  }
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

  const r = app.withTypeProvider<ZodTypeProvider>();
  const resumeSchema = {
    tags,
    summary: 'Resume an answer: the events after Last-Event-ID, then the live ones until done or error',
    description:
      'Replayed events keep their ids. A finished turn no longer in the event log replays from the database: `sources`, ' +
      'its tokens as they were sent, then `done` or `error`, each after Last-Event-ID. When the id is already the last ' +
      'event of a finished answer, nothing follows: 204 (an EventSource then stops reconnecting). Same ownership as the ' +
      'conversation. The 200 schema is one event: its `event:` name and its `data:` JSON.',
    security: security.optional,
    params: messageParams,
    querystring: resumeQuery,
    // Loose: every other header stays as it came (Authorization among them).
    headers: z.looseObject({
      'last-event-id': z.string().optional().describe('The id of the last event received; wins over last_event_id'),
    }),
    response: {
      200: { description: 'The event stream', content: { 'text/event-stream': { schema: chatEventSchema } } },
      204: z.undefined().describe('The answer has finished and the client has seen its last event'),
      ...errorResponses([401, 404, 422, 503], {
        404: 'Unknown message, or not yours',
        422: 'message_id or last_event_id malformed',
        503: 'The event log (Redis) cannot be reached or lost this stream',
      }),
    },
  };

  // The params and query are checked by their schemas (422) before the caller is authenticated (401), as for chat.
  r.get('/api/v1/chat/:message_id/stream', { schema: resumeSchema, preHandler: authenticate(deps.auth, 'optional') }, async (request, reply) => {
    const { message_id: id } = request.params;
    const header = request.headers['last-event-id'];
    const after = lastSeq(id, typeof header === 'string' && header !== '' ? header : request.query.last_event_id);
    const turn = await deps.conversations.getTurnFor(id, request.user?.id ?? null);
    if (!turn) throw notFound();
    const finished = turn.finish_reason !== 'streaming';
    const lastSeen = finished ? lastStoredSeq(turn) : null;
    if (lastSeen !== null && after !== null && after >= lastSeen) return reply.status(204).send();

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
      const events = storedTurnEvents(turn, after);
      metrics.resumes.inc({ from: 'database' });
      metrics.resumeReplayedEvents.inc(events.length);
      await writeSse(reply.raw, storedFrames(events, id, deps.config.STRICT_RESPONSES), { pingMs: deps.config.SSE_PING_MS, coalesceMs: deps.config.SSE_COALESCE_MS });
      return;
    }
    metrics.resumes.inc({ from: 'log' });
    // The replica writing the answer holds off its grace timeout while someone reads.
    await eventLog.publish(id, 'attach').catch(() => undefined);
    try {
      await deps.streams.track(writeSse(reply.raw, fromLog(turn, after ?? 0, closed.signal), { pingMs: deps.config.SSE_PING_MS, coalesceMs: deps.config.SSE_COALESCE_MS }));
    } finally {
      await eventLog.publish(id, 'detach').catch(() => undefined);
    }
  });

  const stopSchema = {
    tags,
    summary: 'Stop a running answer, on whichever replica writes it; its stream ends with done, finish_reason client_closed',
    security: security.optional,
    params: messageParams,
    response: {
      202: stopResponseSchema.describe('Stopping'),
      ...errorResponses([401, 404, 409, 422, 503], {
        404: 'Unknown message, or not yours',
        409: 'The answer has already finished',
        503: 'The replicas cannot be reached (Redis)',
      }),
    },
  };

  r.post('/api/v1/chat/:message_id/stop', { schema: stopSchema, preHandler: authenticate(deps.auth, 'optional') }, async (request, reply) => {
    const { message_id: id } = request.params;
    const turn = await deps.conversations.getTurnFor(id, request.user?.id ?? null);
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
