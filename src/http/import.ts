import type { FastifyInstance } from 'fastify';
import type { Deps } from '../deps.js';
import { AppError } from '../errors.js';
import { z } from 'zod';
import { kbDocumentSchema } from '../contract/kb-document.js';
import { importDocument } from '../kb/import-document.js';
import { errorBodySchema, type RouteDoc } from './openapi.js';

export const IMPORT_BODY_LIMIT = 50 * 1024 * 1024;

const counts = z.object({ inserted: z.number().int(), updated: z.number().int(), unchanged: z.number().int() });

export const importDocs: RouteDoc[] = [
  {
    method: 'post',
    path: '/api/v1/import',
    tag: 'knowledge base',
    auth: 'admin',
    summary: 'Import a knowledge-base document: all of it, or nothing',
    body: kbDocumentSchema,
    responses: {
      '200': {
        description: 'What changed',
        schema: z.object({ imported: z.object({ creators: counts, videos: counts, passages: counts.extend({ deleted: z.number().int() }) }) }),
      },
      '401': { description: 'No or invalid credentials', schema: errorBodySchema },
      '403': { description: 'Not an admin', schema: errorBodySchema },
      '422': { description: 'Invalid document: details give the JSON path of every problem', schema: errorBodySchema },
    },
  },
];

/** POST /api/v1/import (admin): the same documents as `chrysopedia import`. */
export function importRoutes(app: FastifyInstance, deps: Deps): void {
  app.post('/api/v1/import', { bodyLimit: IMPORT_BODY_LIMIT }, async (request) => {
    const user = await deps.auth.authenticate(request.headers.authorization);
    if (!user) throw new AppError('unauthenticated', 'Authentication required');
    if (user.role !== 'admin') throw new AppError('forbidden', 'Admin role required');
    const imported = await importDocument(deps.kb, request.body);
    // New and changed passages get their embeddings in the background (full-text finds them meanwhile).
    if (imported.passages.inserted + imported.passages.updated > 0) deps.indexer?.wake();
    return { imported };
  });
}
