import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { runCascade } from '../chat/cascade.js';
import { toSources } from '../chat/sources.js';
import { cascadeTierSchema, sourceSchema } from '../contract/chat-events.js';
import type { Deps } from '../deps.js';
import { AppError } from '../errors.js';
import { text } from '../text.js';
import { authenticate, security } from './authenticate.js';
import { errorResponses } from './error-schema.js';

const searchQuerySchema = z.object({
  q: text('is required, once').trim().min(1, 'must not be empty').max(1000, 'must be at most 1000 characters'),
  // Empty is no creator, as in chat (what a form's "All creators" option sends).
  creator: text('must be given at most once')
    .trim()
    .max(100, 'must be at most 100 characters')
    .optional()
    .transform((s) => (s === '' ? undefined : s)),
  limit: z.coerce
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(1, 'must be between 1 and 50')
    .max(50, 'must be between 1 and 50')
    .optional(),
});

const slugParams = z.object({ slug: text().min(1).max(100).describe("The creator's slug") });

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

const tags = ['knowledge base'];

/** Creators listing and detail, and search (the chat's retrieval without an answer). */
export function knowledgeBaseRoutes(app: FastifyInstance, deps: Deps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/api/v1/creators',
    {
      schema: {
        tags,
        summary: 'Creators, with genres and counts',
        response: { 200: z.object({ creators: z.array(creatorSummarySchema) }).describe('Creators'), ...errorResponses([503]) },
      },
    },
    async () => ({ creators: await deps.kb.listCreators() }),
  );

  r.get(
    '/api/v1/creators/:slug',
    {
      schema: {
        tags,
        summary: 'One creator, with personality and videos',
        params: slugParams,
        response: {
          200: creatorDetailSchema.describe('The creator'),
          ...errorResponses([404, 422, 503], { 404: 'Unknown creator' }),
        },
      },
    },
    async (request) => {
      const { slug } = request.params;
      const creator = await deps.kb.getCreator(slug);
      if (!creator) throw new AppError('unknown_creator', 'Unknown creator', { creator: slug });
      return creator;
    },
  );

  r.get(
    '/api/v1/search',
    {
      schema: {
        tags,
        summary: "The chat's retrieval (4-tier cascade) without an answer",
        security: security.optional,
        querystring: searchQuerySchema,
        response: {
          200: z
            .object({ query: z.string(), cascade_tier: cascadeTierSchema, results: z.array(sourceSchema) })
            .describe('Sources, best first'),
          ...errorResponses([401, 404, 422, 503], { 404: 'Unknown creator', 422: 'Invalid parameters' }),
        },
      },
      preHandler: authenticate(deps.auth, 'optional'),
    },
    async (request) => {
      const q = request.query;
      const creator = q.creator ? await deps.kb.getCreator(q.creator) : null;
      if (q.creator && !creator) throw new AppError('unknown_creator', 'Unknown creator', { creator: q.creator });
      const { tier, hits } = await runCascade(
        deps.search,
        q.q,
        creator ? { slug: creator.slug, genres: creator.genres } : null,
        q.limit ?? deps.config.CHAT_TOP_K,
      );
      return { query: q.q, cascade_tier: tier, results: toSources(hits, q.q) };
    },
  );
}
