import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';

// A small page of our own (no CDN, nothing fetched but /openapi.json from this server).
const DOCS_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Chrysopedia Chat API</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1d2330}
h1{font-size:1.6rem}h2{font-size:1.1rem;margin-top:2rem;text-transform:capitalize}
details{border:1px solid #d9dde6;border-radius:8px;margin:.5rem 0;padding:.5rem .8rem}
summary{cursor:pointer}code,pre{font-family:ui-monospace,monospace;font-size:.85rem}
pre{background:#f5f6f9;padding:.6rem;overflow:auto;white-space:pre-wrap}
.m{display:inline-block;min-width:4rem;font-weight:600}.get{color:#11703b}.post{color:#0b5cad}.delete{color:#b42318}
</style></head><body><h1>Chrysopedia Chat API</h1><p>OpenAPI 3.1 document: <a href="/openapi.json">/openapi.json</a></p><main id="api"></main>
<script>
fetch('/openapi.json').then(r=>r.json()).then(doc=>{
  const main=document.getElementById('api'); const byTag={};
  for(const [path,ops] of Object.entries(doc.paths)) for(const [m,op] of Object.entries(ops)) (byTag[op.tags[0]]??=[]).push([m,path,op]);
  for(const [tag,ops] of Object.entries(byTag)){
    const h=document.createElement('h2'); h.textContent=tag; main.append(h);
    for(const [m,path,op] of ops){
      const d=document.createElement('details'); const s=document.createElement('summary');
      const mm=document.createElement('span'); mm.className='m '+m; mm.textContent=m.toUpperCase();
      const c=document.createElement('code'); c.textContent=path;
      s.append(mm,c,document.createTextNode(' · '+op.summary)); d.append(s);
      const pre=document.createElement('pre');
      pre.textContent=JSON.stringify({description:op.description,parameters:op.parameters,requestBody:op.requestBody,responses:op.responses},null,2);
      d.append(pre); main.append(d);
    }
  }
});
</script></body></html>`;

const openApiSchema = z.looseObject({
  openapi: z.string(),
  info: z.looseObject({ title: z.string(), version: z.string() }),
  paths: z.record(z.string(), z.record(z.string(), z.unknown())),
});

/** GET /openapi.json (what @fastify/swagger made of the routes' schemas) and GET /docs, a page that reads it. */
export function apiDocsRoutes(app: FastifyInstance): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    '/openapi.json',
    {
      schema: {
        tags: ['operations'],
        summary: 'This document',
        response: { 200: openApiSchema.describe('OpenAPI 3.1, generated from the zod schemas of the routes') },
      },
    },
    async () => app.swagger() as z.output<typeof openApiSchema>,
  );
  r.get(
    '/docs',
    {
      schema: {
        tags: ['operations'],
        summary: 'The API reference page',
        response: { 200: { description: 'HTML', content: { 'text/html': { schema: z.string() } } } },
      },
    },
    async (_request, reply) => reply.type('text/html; charset=utf-8').send(DOCS_PAGE),
  );
}
