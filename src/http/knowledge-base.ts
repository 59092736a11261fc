import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { text } from '../text.js';
import { runCascade } from '../chat/cascade.js';
import { toSources } from '../chat/sources.js';
import type { Deps } from '../deps.js';
import { AppError } from '../errors.js';
import { sourceSchema } from './chat-schema.js';
import { errorBodySchema, type RouteDoc } from './openapi.js';
import { parse } from './parse.js';

const searchQuerySchema = z.object({
  q: text('is required').trim().min(1, 'must not be empty').max(1000, 'must be at most 1000 characters'),
  creator: text().trim().min(1).max(100).optional(),
  limit: z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(1).max(50).optional(),
});

const slugParams = z.object({ slug: text().min(1).max(100) });

const creatorSummarySchema = z.object({
  slug: z.string(),
  name: z.string(),
  bio: z.string().nullable(),
  genres: z.array(z.string()),
  video_count: z.number().int(),
  passage_count: z.number().int(),
});

const creatorDetailSchema = creatorSummarySchema.extend({
  personality: z.object({ voice: z.string().optional(), phrases: z.array(z.string()).optional() }).nullable(),
  videos: z.array(
    z.object({
      id: z.string(),
      title: z.string(),
      url: z.string(),
      published_at: z.string().nullable(),
      duration_seconds: z.number().int().nullable(),
      passage_count: z.number().int(),
    }),
  ),
});

export const knowledgeBaseDocs: RouteDoc[] = [
  {
    method: 'get',
    path: '/api/v1/creators',
    tag: 'knowledge base',
    summary: 'Creators, with genres and counts',
    responses: { '200': { description: 'Creators', schema: z.object({ creators: z.array(creatorSummarySchema) }) } },
  },
  {
    method: 'get',
    path: '/api/v1/creators/{slug}',
    tag: 'knowledge base',
    summary: 'One creator, with personality and videos',
    params: slugParams,
    responses: {
      '200': { description: 'The creator', schema: creatorDetailSchema },
      '404': { description: 'Unknown creator', schema: errorBodySchema },
    },
  },
  {
    method: 'get',
    path: '/api/v1/search',
    tag: 'knowledge base',
    auth: 'optional',
    summary: "The chat's retrieval (4-tier cascade) without an answer",
    query: searchQuerySchema,
    responses: {
      '200': {
        description: 'Sources, best first',
        schema: z.object({ query: z.string(), cascade_tier: z.enum(['creator', 'domain', 'global', 'none']), results: z.array(sourceSchema) }),
      },
      '404': { description: 'Unknown creator', schema: errorBodySchema },
      '422': { description: 'Invalid parameters', schema: errorBodySchema },
    },
  },
];

/** Creators listing and detail, and search (the chat's retrieval without an answer). */
export function knowledgeBaseRoutes(app: FastifyInstance, deps: Deps): void {
  app.get('/api/v1/creators', async () => ({ creators: await deps.kb.listCreators() }));

  app.get('/api/v1/creators/:slug', async (request) => {
    const { slug } = parse(slugParams, request.params, 'slug');
    const creator = await deps.kb.getCreator(slug);
    if (!creator) throw new AppError('unknown_creator', 'Unknown creator', { creator: slug });
    return creator;
  });

  app.get('/api/v1/search', async (request) => {
    const q = parse(searchQuerySchema, request.query, 'query');
    await deps.auth.authenticate(request.headers.authorization);
    const creator = q.creator ? await deps.kb.getCreator(q.creator) : null;
    if (q.creator && !creator) throw new AppError('unknown_creator', 'Unknown creator', { creator: q.creator });
    const { tier, hits } = await runCascade(
      deps.search,
      q.q,
      creator ? { slug: creator.slug, genres: creator.genres } : null,
      q.limit ?? deps.config.CHAT_TOP_K,
    );
    return { query: q.q, cascade_tier: tier, results: toSources(hits, q.q) };
  });
}
