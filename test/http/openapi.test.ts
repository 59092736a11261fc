import { validate } from '@readme/openapi-parser';
import type { FastifySchema } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { makeTestApp, type TestApp } from '../helpers/app.js';
import { pgliteFactory } from '../helpers/databases.js';

interface Operation {
  operationId: string;
  tags: string[];
  parameters?: { name: string; in: string; required?: boolean; schema: unknown }[];
  requestBody?: { content: Record<string, { schema: unknown }> };
  responses: Record<string, { description: string; content?: Record<string, { schema: unknown }> }>;
}
type Doc = { openapi: string; paths: Record<string, Record<string, Operation>> };

let t: TestApp;
let doc: Doc;
const routes: { method: string; url: string; schema?: FastifySchema }[] = [];
beforeAll(async () => {
  t = await makeTestApp(await pgliteFactory.open(), {}, { onRoute: (r) => routes.push(r) });
  doc = (await t.app.inject('/openapi.json')).json<Doc>();
});
afterAll(async () => t.close());

const served = () => routes.filter((r) => r.method !== 'HEAD' && !r.url.includes('*'));
const openApiPath = (url: string) => url.replace(/:(\w+)/g, '{$1}');
const operation = (r: { method: string; url: string }) => doc.paths[openApiPath(r.url)]?.[r.method.toLowerCase()];

/** @fastify/swagger writes `const: v` as `enum: [v]` (the same constraint, as OpenAPI 3.0 also reads it). */
function constAsEnum(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(constAsEnum);
  if (!v || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    if (k === 'const') out.enum = [x];
    else out[k] = constAsEnum(x);
  }
  return out;
}

// What zod itself says a schema is, as the document's JSON Schema dialect (OpenAPI 3.1 = 2020-12).
const jsonSchema = (schema: unknown, io: 'input' | 'output') => {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema as z.ZodType, { io, target: 'draft-2020-12', unrepresentable: 'any' });
  return constAsEnum(rest) as Record<string, unknown>;
};
const withoutDescription = (s: unknown) => {
  const { description: _d, ...rest } = s as Record<string, unknown>;
  return rest;
};

describe('the OpenAPI document', () => {
  it('validates as OpenAPI 3.1', async () => {
    expect(doc.openapi).toBe('3.1.0');
    const result = await validate(structuredClone(doc) as never);
    expect('errors' in result ? result.errors : []).toEqual([]);
    expect(result.valid).toBe(true);
    // The validator does reject a broken document.
    expect((await validate({ openapi: '3.1.0', paths: { x: 1 } } as never)).valid).toBe(false);
  });

  it('covers every route the app serves, and documents none it does not', () => {
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
    const routesServed = served().map((r) => `${r.method} ${openApiPath(r.url)}`);
    expect(routesServed.length).toBeGreaterThan(10);
    expect(routesServed.filter((r) => !documented.includes(r))).toEqual([]);
    expect(documented.filter((d) => !routesServed.includes(d))).toEqual([]);
    for (const r of served()) expect(operation(r)?.tags.length, `${r.method} ${r.url} has a tag`).toBeGreaterThan(0);
  });

  it("is what the routes' own zod schemas say: bodies, parameters and every response", () => {
    let compared = 0;
    for (const r of served()) {
      const op = operation(r)!;
      const schema = r.schema as (FastifySchema & { response?: Record<string, unknown> }) | undefined;
      expect(schema?.response, `${r.method} ${r.url} declares its responses`).toBeDefined();
      if (schema?.body) {
        expect(op.requestBody?.content['application/json']?.schema).toEqual(jsonSchema(schema.body, 'input'));
        compared += 1;
      }
      for (const [where, part] of [['path', schema?.params], ['query', schema?.querystring]] as const) {
        if (!part) continue;
        const props = (jsonSchema(part, 'input') as { properties: Record<string, unknown> }).properties;
        const params = op.parameters?.filter((p) => p.in === where) ?? [];
        expect(params.map((p) => p.name).sort()).toEqual(Object.keys(props).sort());
        for (const p of params) expect(p.schema).toEqual(withoutDescription(props[p.name]));
        compared += 1;
      }
      for (const [status, declared] of Object.entries(schema?.response ?? {})) {
        const documented = op.responses[status];
        expect(documented, `${r.method} ${r.url} documents ${status}`).toBeDefined();
        const contents =
          declared instanceof z.ZodType
            ? { 'application/json': declared }
            : (declared as { content: Record<string, { schema: unknown }> }).content;
        for (const [type, s] of Object.entries(contents)) {
          const zodSchema = s instanceof z.ZodType ? s : (s as { schema: unknown }).schema;
          if (zodSchema instanceof z.ZodUndefined) {
            expect(documented?.content).toBeUndefined();
            continue;
          }
          expect(documented?.content?.[type]?.schema, `${r.method} ${r.url} ${status} ${type}`).toEqual(jsonSchema(zodSchema, 'output'));
          compared += 1;
        }
      }
    }
    expect(compared).toBeGreaterThan(50);
  });

  it('declares the error body on every route, and the fields a stored message really has', () => {
    for (const r of served().filter((x) => x.url.startsWith('/api/'))) {
      const statuses = Object.keys(operation(r)!.responses);
      expect(statuses, `${r.method} ${r.url}`).toContain('500');
      expect(statuses.filter((s) => s >= '400').length).toBeGreaterThan(1);
    }
    const conversation = doc.paths['/api/v1/conversations/{id}']!.get!.responses['200']!.content!['application/json']!.schema as {
      properties: { messages: { items: { oneOf: { properties: Record<string, unknown> }[] } } };
    };
    const assistant = conversation.properties.messages.items.oneOf.map((o) => Object.keys(o.properties)).find((k) => k.includes('sources'));
    expect(assistant).toEqual(expect.arrayContaining(['fallback_used', 'usage', 'latency_ms', 'personality_weight']));
  });

  it('serves a docs page', async () => {
    const res = await t.app.inject('/docs');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.body).toContain('/openapi.json');
  });
});
