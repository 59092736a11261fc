import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { cascadeTierSchema, latencySchema, sourceSchema, usageSchema } from '../contract/chat-events.js';
import type { Deps } from '../deps.js';
import { AppError } from '../errors.js';
import type { ConversationSummary, TurnRecord } from '../store/conversation-store.js';
import { text } from '../text.js';
import { authenticate, security } from './authenticate.js';
import { errorResponses } from './error-schema.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const listQuery = z.object({
  limit: z.coerce
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(1, 'must be between 1 and 100')
    .max(100, 'must be between 1 and 100')
    .default(20),
  cursor: text().min(1, 'must not be empty').max(500, 'is not a cursor from a previous page').optional(),
});

const idParams = z.object({
  id: z
    .string()
    .regex(UUID, 'must be a UUID')
    .transform((s) => s.toLowerCase())
    .describe('The conversation UUID'),
});

const summarySchema = z.object({
  id: z.string(),
  title: z.string(),
  creator: z.string().nullable(),
  turn_count: z.number().int(),
  created_at: z.string(),
  updated_at: z.string(),
});

const userMessageSchema = z.object({
  role: z.literal('user'),
  turn_id: z.string(),
  content: z.string().describe('The question'),
  created_at: z.string(),
});

const assistantMessageSchema = z.object({
  role: z.literal('assistant'),
  turn_id: z.string(),
  content: z.string().describe('The answer, as streamed (partial when the stream failed)'),
  sources: z.array(sourceSchema),
  cascade_tier: cascadeTierSchema,
  model: z.string().nullable(),
  fallback_used: z.boolean(),
  finish_reason: z.string().describe('stop, length, error, client_closed, or streaming while in progress'),
  usage: z.nullable(usageSchema),
  latency_ms: z.nullable(latencySchema),
  citations: z.array(z.number().int()),
  invalid_citations: z.array(z.number().int()),
  personality_weight: z.number().min(0).max(1),
  created_at: z.string().describe('When the answer completed (when it started, while streaming)'),
});

const messageSchema = z.discriminatedUnion('role', [userMessageSchema, assistantMessageSchema]);

const pageSchema = z.object({ conversations: z.array(summarySchema), next_cursor: z.string().nullable() });
const conversationSchema = summarySchema.extend({ messages: z.array(messageSchema) });
const tags = ['conversations'];

const notFound = () => new AppError('conversation_not_found', 'Conversation not found');

function summary(c: ConversationSummary) {
  return {
    id: c.id,
    title: c.title,
    creator: c.creator_slug,
    turn_count: c.turn_count,
    created_at: c.created_at,
    updated_at: c.updated_at,
  };
}

/** A stored turn as the two messages a chat shows: the question, then the answer and its sources. */
export function turnMessages(t: TurnRecord): z.output<typeof messageSchema>[] {
  return [
    { role: 'user' as const, turn_id: t.id, content: t.query, created_at: t.created_at },
    {
      role: 'assistant' as const,
      turn_id: t.id,
      content: t.answer,
      // Stored by the chat from these same schemas' types: read back, they are those shapes.
      sources: t.sources as z.output<typeof sourceSchema>[],
      cascade_tier: t.cascade_tier as z.output<typeof cascadeTierSchema>,
      model: t.model,
      fallback_used: t.fallback_used,
      finish_reason: t.finish_reason,
      usage: t.usage,
      latency_ms: t.latency_ms,
      citations: t.citations,
      invalid_citations: t.invalid_citations,
      personality_weight: t.personality_weight,
      created_at: t.completed_at ?? t.created_at,
    },
  ];
}

/**
 * SPEC §4's conversation API. Listing needs a user; reading and deleting follow chat's ownership
 * rule (a user's conversation is theirs alone, an anonymous one is reachable by its id), and a
 * conversation the caller may not see is answered exactly like one that does not exist.
 */
export function conversationRoutes(app: FastifyInstance, deps: Deps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/api/v1/conversations',
    {
      schema: {
        tags,
        summary: "The caller's conversations, newest first",
        security: security.user,
        querystring: listQuery,
        response: {
          200: pageSchema.describe('A page; pass next_cursor as cursor for the next'),
          ...errorResponses([401, 422, 503], { 401: 'Authentication required, or invalid credentials', 422: 'Invalid limit or cursor' }),
        },
      },
      preHandler: authenticate(deps.auth, 'user'),
    },
    async (request) => {
      const page = await deps.conversations.list(request.user!.id, request.query.limit, request.query.cursor ?? null);
      return { conversations: page.items.map(summary), next_cursor: page.next_cursor };
    },
  );

  r.get(
    '/api/v1/conversations/:id',
    {
      schema: {
        tags,
        summary: 'A conversation with its messages and their sources',
        security: security.optional,
        params: idParams,
        response: {
          200: conversationSchema.describe('The conversation'),
          ...errorResponses([401, 404, 422, 503], { 404: 'Not found (or not yours)' }),
        },
      },
      preHandler: authenticate(deps.auth, 'optional'),
    },
    async (request) => {
      const conversation = await deps.conversations.get(request.params.id, request.user?.id ?? null);
      if (!conversation) throw notFound();
      return { ...summary(conversation), messages: conversation.turns.flatMap(turnMessages) };
    },
  );

  r.delete(
    '/api/v1/conversations/:id',
    {
      schema: {
        tags,
        summary: 'Delete a conversation and its messages',
        security: security.optional,
        params: idParams,
        response: {
          204: z.undefined().describe('Deleted'),
          ...errorResponses([401, 404, 422, 503], { 404: 'Not found (or not yours)' }),
        },
      },
      preHandler: authenticate(deps.auth, 'optional'),
    },
    async (request, reply) => {
      if (!(await deps.conversations.delete(request.params.id, request.user?.id ?? null))) throw notFound();
      return reply.status(204).send();
    },
  );
}
