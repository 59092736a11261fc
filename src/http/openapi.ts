import { z } from 'zod';

type Method = 'get' | 'post' | 'delete';

export interface RouteDoc {
  method: Method;
  /** OpenAPI path, e.g. /api/v1/creators/{slug} */
  path: string;
  summary: string;
  description?: string;
  tag: string;
  auth?: 'none' | 'optional' | 'required' | 'admin';
  body?: z.ZodType;
  query?: z.ZodObject;
  params?: z.ZodObject;
  responses: Record<string, { description: string; schema?: z.ZodType; contentType?: string }>;
}

export const errorBodySchema = z
  .object({
    error: z.string().describe('A message for people'),
    code: z.string().describe('Stable, snake_case, for programs'),
    request_id: z.string(),
    details: z.array(z.object({ field: z.string().optional(), path: z.string().optional(), message: z.string() })).optional(),
  })
  .catchall(z.unknown());

const json = (schema: z.ZodType) => z.toJSONSchema(schema, { io: 'output', unrepresentable: 'any', target: 'draft-2020-12' });
const jsonInput = (schema: z.ZodType) => z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' });

function parameters(where: 'query' | 'path', schema: z.ZodObject | undefined): unknown[] {
  if (!schema) return [];
  const s = jsonInput(schema) as { properties?: Record<string, unknown>; required?: string[] };
  return Object.entries(s.properties ?? {}).map(([name, prop]) => ({
    name,
    in: where,
    required: where === 'path' || (s.required ?? []).includes(name),
    schema: prop,
  }));
}

/** The OpenAPI 3.1 document of every route, built from the zod schemas the routes validate with. */
export function openApiDocument(routes: RouteDoc[], version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const responses: Record<string, unknown> = {};
    for (const [status, res] of Object.entries(r.responses)) {
      responses[status] = {
        description: res.description,
        ...(res.schema || res.contentType
          ? { content: { [res.contentType ?? 'application/json']: res.schema ? { schema: json(res.schema) } : {} } }
          : {}),
      };
    }
    paths[r.path] ??= {};
    paths[r.path]![r.method] = {
      summary: r.summary,
      ...(r.description ? { description: r.description } : {}),
      tags: [r.tag],
      operationId: `${r.method}${r.path.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
      ...(r.auth === 'required' || r.auth === 'admin' ? { security: [{ bearer: [] }] } : {}),
      ...(r.auth === 'optional' ? { security: [{}, { bearer: [] }] } : {}),
      parameters: [...parameters('path', r.params), ...parameters('query', r.query)],
      ...(r.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonInput(r.body) } } } } : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Chrysopedia Chat',
      version,
      description: 'Cited answers from creators\' music-production teaching, streamed over Server-Sent Events.',
    },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'API token or JWT' } } },
    paths,
  };
}
