import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { runCascade } from '../chat/cascade.js';
import { toSources } from '../chat/sources.js';
import type { Deps } from '../deps.js';
import { AppError } from '../errors.js';
import { parse } from './parse.js';

const searchQuerySchema = z.object({
  q: z.string({ error: 'is required' }).trim().min(1, 'must not be empty').max(1000, 'must be at most 1000 characters'),
  creator: z.string().trim().min(1).max(100).optional(),
  limit: z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(1).max(50).optional(),
});

const slugParams = z.object({ slug: z.string().min(1).max(100) });

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
