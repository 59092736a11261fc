import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { kbDocumentSchema } from '../contract/kb-document.js';
import type { Deps } from '../deps.js';
import { importDocument } from '../kb/import-document.js';
import { authenticate, security } from './authenticate.js';
import { errorResponses } from './error-schema.js';

export const IMPORT_BODY_LIMIT = 50 * 1024 * 1024;

const counts = z.object({ inserted: z.number().int(), updated: z.number().int(), unchanged: z.number().int() });

const importedSchema = z.object({
  imported: z.object({ creators: counts, videos: counts, passages: counts.extend({ deleted: z.number().int() }) }),
});

/**
 * The body is checked by importDocument, as `chrysopedia import` checks a file (SPEC §7): every
 * problem at once, shape and the rules that span the document and the knowledge base (a video's
 * creator may be one imported before), each by JSON path. The schema stays on the route for the
 * OpenAPI document; checked here alone it could tell only the shape's problems.
 */
const documentValidator = () => (data: unknown) => ({ value: data });

/** POST /api/v1/import (admin): the same documents as `chrysopedia import`. */
export function importRoutes(app: FastifyInstance, deps: Deps): void {
  app.withTypeProvider<ZodTypeProvider>().post(
    '/api/v1/import',
    {
      bodyLimit: IMPORT_BODY_LIMIT,
      schema: {
        tags: ['knowledge base'],
        summary: 'Import a knowledge-base document: all of it, or nothing',
        security: security.admin,
        body: kbDocumentSchema,
        response: {
          200: importedSchema.describe('What changed'),
          ...errorResponses([400, 401, 403, 413, 415, 422, 503], {
            401: 'No or invalid credentials',
            413: 'Body over 50 MiB',
            422: 'Invalid document: details give the JSON path of every problem',
          }),
        },
      },
      validatorCompiler: documentValidator,
      // Before the body is read: an anonymous caller cannot make the server read and parse 50 MiB.
      onRequest: authenticate(deps.auth, 'admin'),
    },
    async (request) => {
      // The shape is checked; the rules that span the document and the knowledge base are checked here.
      const imported = await importDocument(deps.kb, request.body);
      // New and changed passages get their embeddings in the background (full-text finds them meanwhile).
      if (imported.passages.inserted + imported.passages.updated > 0) deps.indexer?.wake();
      return { imported };
    },
  );
}
