import type { FastifyInstance } from 'fastify';
import { SSE_HEADERS, writeSse } from '../chat/sse-writer.js';
import type { Deps } from '../deps.js';
import { AppError } from '../errors.js';
import { chatRequestSchema } from './chat-schema.js';
import { parse } from './parse.js';

export const CHAT_BODY_LIMIT = 16 * 1024;

/** POST /api/v1/chat: SPEC §1's checks in order, then the event stream. */
export function chatRoutes(app: FastifyInstance, deps: Deps): void {
  app.post('/api/v1/chat', { bodyLimit: CHAT_BODY_LIMIT }, async (request, reply) => {
    const body = parse(chatRequestSchema, request.body);
    const user = await deps.auth.authenticate(request.headers.authorization);
    request.chatLog = { user: user?.id ?? null, creator: body.creator, query_length: body.query.length };
    // Both limits are one atomic check (a refused request consumes neither), so the creator is
    // looked up first; the answers still come in SPEC §1's order: 429 identity, 404, 429 creator.
    const creator = body.creator === null ? null : await deps.chat.findCreator(body.creator);
    const limits = await deps.chatLimits.check({ userId: user?.id ?? null, ip: request.ip }, creator?.slug ?? null);
    reply.headers(limits.headers);
    if (limits.rejectedScope) request.log.warn({ scope: limits.rejectedScope }, 'rate limit exceeded');
    if (limits.identityRejection) throw limits.identityRejection;
    if (body.creator !== null && !creator) {
      throw new AppError('unknown_creator', 'Unknown creator', { creator: body.creator });
    }
    if (limits.creatorRejection) throw limits.creatorRejection;
    const prepared = await deps.chat.prepare({
      query: body.query,
      creator,
      conversationId: body.conversation_id,
      personalityWeight: body.personality_weight,
      userId: user?.id ?? null,
    });

    const abort = new AbortController();
    reply.raw.on('close', () => abort.abort());
    reply.hijack();
    const headers = { ...reply.getHeaders(), ...SSE_HEADERS, 'x-request-id': request.id };
    reply.raw.writeHead(200, headers as Record<string, string>);
    reply.raw.flushHeaders();
    await writeSse(reply.raw, deps.chat.stream(prepared, abort.signal), {
      idPrefix: prepared.messageId,
      pingMs: deps.config.SSE_PING_MS,
    });
  });
}
