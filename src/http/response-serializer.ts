import type { FastifySerializerCompiler } from 'fastify';
import { createSerializerCompiler } from 'fastify-type-provider-zod';
import type { $ZodType } from 'zod/v4/core';
import { droppedFields } from '../contract/dropped-fields.js';

type ZodSerializerCompiler = FastifySerializerCompiler<$ZodType | { properties: $ZodType }>;

/** A response body that has fields its schema does not declare (strict mode only). */
export class UndeclaredResponseFieldsError extends Error {
  constructor(
    readonly method: string,
    readonly url: string,
    readonly fields: string[],
  ) {
    super(`${method} ${url} sent fields its response schema lacks: ${fields.join(', ')}`);
    this.name = 'UndeclaredResponseFieldsError';
  }
}

/**
 * Every response body goes out through its route's zod schema (fastify-type-provider-zod), so a
 * body of the wrong shape is a 500, never sent. zod drops fields a schema lacks; in strict mode
 * (STRICT_RESPONSES, on in tests) such a field is an error instead, so the schema cannot drift
 * behind what the route really returns.
 */
export function responseSerializer(strict: boolean): ZodSerializerCompiler {
  const compile = createSerializerCompiler();
  if (!strict) return compile;
  return (route) => {
    const serialize = compile(route);
    return (data) => {
      const json = serialize(data);
      const dropped = droppedFields(JSON.parse(JSON.stringify(data)), JSON.parse(json));
      if (dropped.length > 0) throw new UndeclaredResponseFieldsError(route.method, route.url, dropped);
      return json;
    };
  };
}
