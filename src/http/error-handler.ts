import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { AppError, errorStatus, invalidRequest, type ErrorCode } from '../errors.js';

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

/**
 * Fastify's own router errors (a path whose percent-escapes do not decode): in our family, with a
 * request id, never the path echoed back. Set as the `frameworkErrors` option.
 */
export function frameworkErrorHandler(_err: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  void reply.status(400).header('x-request-id', request.id).send({ error: 'Malformed URL', code: 'malformed_url' satisfies ErrorCode, request_id: request.id });
}

/**
 * What Node's HTTP parser refuses before there is a request (a Content-Length that lies, headers
 * or a URL too large): the same JSON family, on the raw socket. Set as `clientErrorHandler`.
 */
export const clientErrorHandler: NonNullable<FastifyServerOptions['clientErrorHandler']> = function (this: FastifyInstance, err: Error & { code?: string }, socket: Socket) {
  if (err.code === 'ECONNRESET' || !socket.writable) return;
  const code: ErrorCode = err.code === 'HPE_HEADER_OVERFLOW' ? 'headers_too_large' : 'malformed_request';
  const status = errorStatus[code];
  const requestId = randomUUID();
  const message = code === 'headers_too_large' ? 'Request headers too large' : 'Malformed HTTP request';
  const body = JSON.stringify({ error: message, code, request_id: requestId });
  this.log.debug({ err, request_id: requestId }, 'client error');
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      `X-Request-Id: ${requestId}\r\nConnection: close\r\n\r\n${body}`,
  );
};
