import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifySchema, type FastifyServerOptions } from 'fastify';
import { validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Config } from './config.js';
import type { Deps } from './deps.js';
import { apiDocsRoutes } from './http/api-docs.js';
import { chatRoutes } from './http/chat.js';
import { chatResumeRoutes } from './http/chat-resume.js';
import { conversationRoutes } from './http/conversations.js';
import { clientErrorHandler, frameworkErrorHandler, installErrorHandler } from './http/error-handler.js';
import { healthRoutes } from './http/health.js';
import { importRoutes } from './http/import.js';
import { knowledgeBaseRoutes } from './http/knowledge-base.js';
import { registerOpenApi } from './http/openapi.js';
import { responseSerializer } from './http/response-serializer.js';
import { webRoutes } from './http/web.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** What the request log line says of a chat (never the query text at info). */
    chatLog?: { user: string | null; creator: string | null; query_length: number };
  }
}

/**
 * Fastify 5.12 ignores a bare hop count (it cannot tell the proxy from a client that forges the
 * header), but SPEC §3 allows one: trust the first n hops, as proxy-addr's hop function says.
 * Only sound when clients cannot reach the app except through those proxies (docs/rate-limits.md).
 */
function trustProxyOption(trust: Config['TRUST_PROXY']): FastifyServerOptions['trustProxy'] {
  return typeof trust === 'number' ? (_address: string, hop: number) => hop < trust : trust;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

/** The Fastify app: plugins, routes and the one error handler, over the given deps. */
export async function buildApp(
  deps: Deps,
  onRoute?: (route: { method: string; url: string; schema?: FastifySchema }) => void,
): Promise<FastifyInstance> {
  const app: FastifyInstance = Fastify({
    loggerInstance: deps.log as FastifyBaseLogger,
    // One line per request, written by the onResponse hook below, replaces Fastify's two.
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'request_id' }),
    trustProxy: trustProxyOption(deps.config.TRUST_PROXY),
    bodyLimit: 1024 * 1024,
    onProtoPoisoning: 'remove',
    onConstructorPoisoning: 'remove',
    requestIdHeader: false,
    frameworkErrors: frameworkErrorHandler,
    clientErrorHandler,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
  });

  // Every route's zod schemas validate what comes in and serialize (so check) what goes out.
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(responseSerializer(deps.config.STRICT_RESPONSES));
  app.decorateRequest('user', null);
  await registerOpenApi(app, version);

  if (onRoute) {
    app.addHook('onRoute', (r) => {
      for (const method of [r.method].flat()) onRoute({ method, url: r.url, schema: r.schema });
    });
  }
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  app.addHook('onResponse', async (request, reply) => {
    const line = {
      method: request.method,
      url: request.routeOptions.url ?? request.url.split('?')[0],
      status: reply.statusCode,
      ip: request.ip,
      ms: Math.round(reply.elapsedTime),
      ...request.chatLog,
    };
    request.log.info(line, 'request');
    deps.metrics.httpRequests.inc({
      route: request.routeOptions.url ?? 'unmatched',
      method: request.method,
      status: String(reply.statusCode),
    });
  });

  // Fastify reads text/plain bodies as strings: a JSON body sent as text/plain (fetch without a
  // Content-Type) got a 422 saying the body was a string. It is a 415 like any other type.
  app.removeContentTypeParser('text/plain');
  // Many clients send Content-Type: application/json on a DELETE or GET with no body: no body it is.
  const parseJson = app.getDefaultJsonParser('remove', 'remove');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text === '') {
      done(null, undefined);
      return;
    }
    parseJson(request, text, done);
  });
  installErrorHandler(app);
  app.withTypeProvider<ZodTypeProvider>().get(
    '/metrics',
    {
      schema: {
        tags: ['operations'],
        summary: 'Prometheus metrics',
        response: { 200: { description: 'Text exposition format', content: { 'text/plain': { schema: z.string() } } } },
      },
    },
    async (_request, reply) => reply.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics()),
  );
  healthRoutes(app, deps);
  knowledgeBaseRoutes(app, deps);
  chatRoutes(app, deps);
  chatResumeRoutes(app, deps);
  conversationRoutes(app, deps);
  importRoutes(app, deps);
  apiDocsRoutes(app);
  await webRoutes(app, deps.config.WEB_DIST_DIR);
  return app;
}
