import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { text } from '../text.js';
import type { Deps } from '../deps.js';
import { AppError } from '../errors.js';
import type { ConversationSummary, TurnRecord } from '../store/conversation-store.js';
import { sourceSchema } from './chat-schema.js';
import { errorBodySchema, type RouteDoc } from './openapi.js';
import { parse } from './parse.js';

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
    .transform((s) => s.toLowerCase()),
});

const summarySchema = z.object({
  id: z.string(),
  title: z.string(),
  creator: z.string().nullable(),
  turn_count: z.number().int(),
  created_at: z.string(),
  updated_at: z.string(),
});

const messageSchema = z.object({
  role: z.enum(['user', 'assistant']),
  turn_id: z.string(),
  content: z.string(),
  created_at: z.string(),
  sources: z.array(sourceSchema).optional(),
  cascade_tier: z.string().optional(),
  model: z.string().nullable().optional(),
  finish_reason: z.string().optional().describe('stop, length, error, client_closed, or streaming while in progress'),
  citations: z.array(z.number().int()).optional(),
  invalid_citations: z.array(z.number().int()).optional(),
});

export const conversationDocs: RouteDoc[] = [
  {
    method: 'get',
    path: '/api/v1/conversations',
    tag: 'conversations',
    auth: 'required',
    summary: "The caller's conversations, newest first",
    query: listQuery,
    responses: {
      '200': { description: 'A page; pass next_cursor as cursor for the next', schema: z.object({ conversations: z.array(summarySchema), next_cursor: z.string().nullable() }) },
      '401': { description: 'Authentication required', schema: errorBodySchema },
      '422': { description: 'Invalid limit or cursor', schema: errorBodySchema },
    },
  },
  {
    method: 'get',
    path: '/api/v1/conversations/{id}',
    tag: 'conversations',
    auth: 'optional',
    summary: 'A conversation with its messages and their sources',
    params: z.object({ id: z.string().describe('UUID') }),
    responses: {
      '200': { description: 'The conversation', schema: summarySchema.extend({ messages: z.array(messageSchema) }) },
      '404': { description: 'Not found (or not yours)', schema: errorBodySchema },
    },
  },
  {
    method: 'delete',
    path: '/api/v1/conversations/{id}',
    tag: 'conversations',
    auth: 'optional',
    summary: 'Delete a conversation and its messages',
    params: z.object({ id: z.string().describe('UUID') }),
    responses: {
      '204': { description: 'Deleted' },
      '404': { description: 'Not found (or not yours)', schema: errorBodySchema },
    },
  },
];

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
export function turnMessages(t: TurnRecord) {
  return [
    { role: 'user' as const, turn_id: t.id, content: t.query, created_at: t.created_at },
    {
      role: 'assistant' as const,
      turn_id: t.id,
      content: t.answer,
      sources: t.sources,
      cascade_tier: t.cascade_tier,
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
  app.get('/api/v1/conversations', async (request) => {
    const q = parse(listQuery, request.query, 'query');
    const user = await deps.auth.authenticate(request.headers.authorization);
    if (!user) throw new AppError('unauthenticated', 'Authentication required');
    const page = await deps.conversations.list(user.id, q.limit, q.cursor ?? null);
    return { conversations: page.items.map(summary), next_cursor: page.next_cursor };
  });

  app.get('/api/v1/conversations/:id', async (request) => {
    const { id } = parse(idParams, request.params, 'id');
    const user = await deps.auth.authenticate(request.headers.authorization);
    const conversation = await deps.conversations.get(id, user?.id ?? null);
    if (!conversation) throw notFound();
    return { ...summary(conversation), messages: conversation.turns.flatMap(turnMessages) };
  });

  app.delete('/api/v1/conversations/:id', async (request, reply) => {
    const { id } = parse(idParams, request.params, 'id');
    const user = await deps.auth.authenticate(request.headers.authorization);
    if (!(await deps.conversations.delete(id, user?.id ?? null))) throw notFound();
    return reply.status(204).send();
  });
}
