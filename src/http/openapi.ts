import fastifySwagger, { type SwaggerTransform } from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';

/** get /api/v1/creators/:slug → getApiV1CreatorsSlug: stable names for generated clients. */
const operationId = (method: string, url: string) =>
  `${method.toLowerCase()}${url.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`;

const transform: SwaggerTransform = (document) => {
  const out = jsonSchemaTransform(document as Parameters<typeof jsonSchemaTransform>[0]);
  const method = [document.route.method].flat()[0] ?? 'get';
  return { ...out, schema: { operationId: operationId(method, document.url), ...out.schema } };
};

/**
 * @fastify/swagger, reading every route's zod schemas (fastify-type-provider-zod): the OpenAPI
 * document is what the routes validate and serialize with, and nothing else. Register before
 * the routes: it collects them as they are added.
 */
export async function registerOpenApi(app: FastifyInstance, version: string): Promise<void> {
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Chrysopedia Chat',
        version,
        description: "Cited answers from creators' music-production teaching, streamed over Server-Sent Events.",
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'API token or JWT' } } },
    },
    transform,
  });
}
