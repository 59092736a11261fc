import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { observedStream } from '../chat/observed-stream.js';
import { SSE_HEADERS, writeSse } from '../chat/sse-writer.js';
import type { Deps } from '../deps.js';
import { AppError } from '../errors.js';
import { chatRequestSchema, donePayloadSchema, sourceSchema, streamErrorSchema } from './chat-schema.js';
import { errorBodySchema, type RouteDoc } from './openapi.js';
import { parse } from './parse.js';

export const CHAT_BODY_LIMIT = 16 * 1024;

export const chatDocs: RouteDoc[] = [
  {
    method: 'post',
    path: '/api/v1/chat',
    tag: 'chat',
    auth: 'optional',
    summary: 'Ask a question; the cited answer streams as Server-Sent Events',
    description:
      'Events, in order: `sources` (JSON array of sources, possibly empty), `token` ({"text"}) repeated, then exactly one ' +
      '`done` or `error`. Every event has an id `<message_id>:<seq>`; `: ping` comments keep the stream alive. ' +
      'A client that loses the stream resumes it with GET /api/v1/chat/{message_id}/stream.\n\n' +
      `sources item: ${JSON.stringify(z.toJSONSchema(sourceSchema))}\n\ndone: ${JSON.stringify(z.toJSONSchema(donePayloadSchema))}\n\n` +
      `error: ${JSON.stringify(z.toJSONSchema(streamErrorSchema))}`,
    body: chatRequestSchema,
    responses: {
      '200': { description: 'The event stream', contentType: 'text/event-stream' },
      '400': { description: 'Malformed JSON body', schema: errorBodySchema },
      '401': { description: 'Invalid credentials', schema: errorBodySchema },
      '404': { description: 'Unknown creator, or conversation not found', schema: errorBodySchema },
      '413': { description: 'Body over 16 KiB', schema: errorBodySchema },
      '422': { description: 'Invalid request: details name each field', schema: errorBodySchema },
      '429': { description: 'Rate limit exceeded (Retry-After header)', schema: errorBodySchema },
      '503': { description: 'Storage unavailable (Retry-After header)', schema: errorBodySchema },
    },
  },
];

/** POST /api/v1/chat: SPEC §1's checks in order, then the event stream. */
export function chatRoutes(app: FastifyInstance, deps: Deps): void {
  // SPEC §3: every chat response carries the identity limit's RateLimit-* headers, those refused
  // before the limit check (400, 401, 413, 422) too: they get the state as it stands, uncounted.
  const onSend = async (request: FastifyRequest, reply: FastifyReply) => {
    if (reply.statusCode < 400 || reply.hasHeader('ratelimit-limit')) return;
    const headers = await deps.chatLimits.peekHeaders({ userId: request.chatLog?.user ?? null, ip: request.ip });
    if (headers) reply.headers(headers);
  };

  app.post('/api/v1/chat', { bodyLimit: CHAT_BODY_LIMIT, onSend }, async (request, reply) => {
    const startedAt = performance.now();
    const body = parse(chatRequestSchema, request.body);
    const user = await deps.auth.authenticate(request.headers.authorization);
    request.chatLog = { user: user?.id ?? null, creator: body.creator, query_length: body.query.length };
    request.log.debug({ query: body.query }, 'chat query');
    // Both limits are one atomic check (a refused request consumes neither), so the creator is
    // looked up first; the answers still come in SPEC §1's order: 429 identity, 404, 429 creator.
    const creator = body.creator === null ? null : await deps.chat.findCreator(body.creator);
    const limits = await deps.chatLimits.check({ userId: user?.id ?? null, ip: request.ip }, creator?.slug ?? null);
    reply.headers(limits.headers);
    if (limits.rejectedScope) {
      request.log.warn({ scope: limits.rejectedScope }, 'rate limit exceeded');
      deps.metrics.rateLimitRejections.inc({ scope: limits.rejectedScope });
    }
    if (limits.identityRejection) throw limits.identityRejection;
    if (body.creator !== null && !creator) {
      throw new AppError('unknown_creator', 'Unknown creator', { creator: body.creator });
    }
    if (limits.creatorRejection) throw limits.creatorRejection;
    // Until the stream starts, nothing can resume the answer: the client going away stops it.
    const abort = new AbortController();
    const stopEarly = () => abort.abort();
    reply.raw.on('close', stopEarly);
    const prepared = await deps.chat.prepare(
      {
        query: body.query,
        creator,
        conversationId: body.conversation_id,
        personalityWeight: body.personality_weight,
        userId: user?.id ?? null,
      },
      abort.signal,
    );

    reply.raw.off('close', stopEarly);
    // From here the answer outlives its client for CHAT_RESUME_GRACE_MS, so that it can be resumed.
    const events = observedStream(deps.chat.stream(prepared, abort.signal), deps.metrics, startedAt);
    const live = deps.liveAnswers.start(prepared.messageId, abort);
    reply.raw.on('close', live.clientGone);
    if (reply.raw.destroyed) live.clientGone();

    reply.hijack();
    const headers = { ...reply.getHeaders(), ...SSE_HEADERS, 'x-request-id': request.id };
    reply.raw.writeHead(200, headers as Record<string, string>);
    reply.raw.flushHeaders();
    try {
      await deps.streams.track(writeSse(reply.raw, events, { pingMs: deps.config.SSE_PING_MS, toFrame: live.frame }));
    } finally {
      live.end();
    }
  });
}
