import type { FastifyInstance } from 'fastify';
import type { Deps } from '../deps.js';
import { AppError } from '../errors.js';
import { importDocument } from '../kb/import-document.js';

export const IMPORT_BODY_LIMIT = 50 * 1024 * 1024;

/** POST /api/v1/import (admin): the same documents as `chrysopedia import`. */
export function importRoutes(app: FastifyInstance, deps: Deps): void {
  app.post('/api/v1/import', { bodyLimit: IMPORT_BODY_LIMIT }, async (request) => {
    const user = await deps.auth.authenticate(request.headers.authorization);
    if (!user) throw new AppError('unauthenticated', 'Authentication required');
    if (user.role !== 'admin') throw new AppError('forbidden', 'Admin role required');
    return { imported: await importDocument(deps.kb, request.body) };
  });
}
