import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { observeChat } from '../chat/observe-chat.js';
import { SSE_HEADERS, writeSse } from '../chat/sse-writer.js';
import { chatEventSchema, type ChatEvent } from '../contract/chat-events.js';
import type { Deps } from '../deps.js';
import { AppError } from '../errors.js';
import { authenticate, security } from './authenticate.js';
import { chatRequestSchema } from './chat-schema.js';
import { errorResponses } from './error-schema.js';

export const CHAT_BODY_LIMIT = 16 * 1024;

const description =
  'Events, in order: `sources` (a JSON array of sources, possibly empty), `token` ({"text"}) repeated, then exactly one ' +
  '`done` or `error`. Every event has an id `<message_id>:<seq>`; `: ping` comments keep the stream alive. ' +
  'A client that loses the stream resumes it with GET /api/v1/chat/{message_id}/stream. ' +
  'The 200 schema is one event: its `event:` name and its `data:` JSON.';

/** POST /api/v1/chat: SPEC §1's checks in order, then the event stream. */
export function chatRoutes(app: FastifyInstance, deps: Deps): void {
  // SPEC §3: every chat response carries the identity limit's RateLimit-* headers, those refused
  // before the limit check (400, 401, 413, 422) too: they get the state as it stands, uncounted.
  // A request refused before authentication (its body) is still a signed-in user's when its token is good.
  const identity = async (request: FastifyRequest): Promise<string | null> => {
    if (request.chatLog) return request.chatLog.user;
    if (request.user) return request.user.id;
    if (!request.headers.authorization) return null;
    return (await deps.auth.authenticate(request.headers.authorization).catch(() => null))?.id ?? null;
  };
  const onSend = async (request: FastifyRequest, reply: FastifyReply) => {
    if (reply.statusCode < 400 || reply.hasHeader('ratelimit-limit')) return;
    const headers = await deps.chatLimits.peekHeaders({ userId: await identity(request), ip: request.ip });
    if (headers) reply.headers(headers);
  };

  const schema = {
    tags: ['chat'],
    summary: 'Ask a question; the cited answer streams as Server-Sent Events',
    description,
    security: security.optional,
    body: chatRequestSchema,
    response: {
      200: { description: 'The event stream', content: { 'text/event-stream': { schema: chatEventSchema } } },
      ...errorResponses([400, 401, 404, 413, 415, 422, 429, 503], {
        401: 'Invalid credentials',
        404: 'Unknown creator, or conversation not found',
        413: 'Body over 16 KiB',
      }),
    },
  };

  // SPEC §1's order: the body is validated (422) before the preHandler authenticates (401).
  const options = { bodyLimit: CHAT_BODY_LIMIT, schema, preHandler: authenticate(deps.auth, 'optional'), onSend };
  app.withTypeProvider<ZodTypeProvider>().post('/api/v1/chat', options, async (request, reply) => {
    const startedAt = performance.now();
    const { body, user } = request;
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
    const events = deps.chat.stream(prepared, abort.signal);
    const observer = observeChat(deps.metrics, startedAt);
    const live = deps.liveAnswers.start(prepared.messageId, abort);
    reply.raw.on('close', live.clientGone);
    if (reply.raw.destroyed) live.clientGone();

    reply.hijack();
    const headers = { ...reply.getHeaders(), ...SSE_HEADERS, 'x-request-id': request.id };
    // The headers leave with the sources event, in one write.
    reply.raw.writeHead(200, headers as Record<string, string>);
    try {
      const toFrame = (e: ChatEvent) => {
        observer.see(e);
        return live.frame(e);
      };
      await deps.streams.track(writeSse(reply.raw, events, { pingMs: deps.config.SSE_PING_MS, coalesceMs: deps.config.SSE_COALESCE_MS, toFrame }));
    } finally {
      observer.end();
      live.end();
    }
  });
}
