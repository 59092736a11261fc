import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { AppError, invalidRequest } from '../errors.js';

// What a problem at the root of each part of the request is called in a 422's details.
const ROOT_FIELD: Record<string, string> = { body: 'body', querystring: 'query', params: 'params', headers: 'headers' };

/** Maps what Fastify itself rejects (body parsing, limits) into our error family. */
function fromFastify(err: FastifyError, request: FastifyRequest): AppError | null {
  if (hasZodFastifySchemaValidationErrors(err)) {
    // A route's zod schema refused its body, query or params: 422 naming every field (SPEC §1).
    const root = ROOT_FIELD[err.validationContext ?? 'body'] ?? 'body';
    return invalidRequest(
      err.validation.map((v) => ({ field: v.instancePath.split('/').filter(Boolean).join('.') || root, message: v.message ?? 'is invalid' })),
    );
  }
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      // The limit of the route that refused the body (import takes far more than chat).
      return new AppError('body_too_large', 'Request body too large', {
        limit_bytes: request.routeOptions.bodyLimit ?? request.server.initialConfig.bodyLimit,
      });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError('unsupported_media_type', 'Content-Type must be application/json');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new AppError('malformed_json', 'Malformed JSON body');
    default:
      break;
  }
  if (err instanceof SyntaxError || (err.statusCode === 400 && String(err.code ?? '').startsWith('FST_ERR_CTP'))) {
    return new AppError('malformed_json', 'Malformed JSON body');
  }
  return null;
}

/** The one error handler: every error body is {error, code, request_id, ...extra}. */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    const known = err instanceof AppError ? err : fromFastify(err, request);
    if (!known) {
      request.log.error({ err }, 'unexpected error');
      return reply.status(500).send({ error: 'Internal error', code: 'internal', request_id: request.id });
    }
    if (known.status >= 500) request.log.warn({ code: known.code }, known.message);
    return reply
      .status(known.status)
      .headers(known.headers)
      .send({ error: known.message, code: known.code, ...known.extra, request_id: request.id });
  });
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send({ error: 'Not found', code: 'not_found', request_id: request.id }),
  );
}
