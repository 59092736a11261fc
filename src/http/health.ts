import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Deps } from '../deps.js';
import type { RouteDoc } from './openapi.js';

type PartState = 'ok' | 'degraded' | 'down';

const readySchema = z.object({
  status: z.enum(['ok', 'degraded', 'down']),
  parts: z.record(z.string(), z.object({ status: z.enum(['ok', 'degraded', 'down']), detail: z.string().optional() })),
});

export const healthDocs: RouteDoc[] = [
  { method: 'get', path: '/healthz', tag: 'operations', summary: 'The process is alive', responses: { '200': { description: 'Alive', schema: z.object({ status: z.literal('ok') }) } } },
  {
    method: 'get',
    path: '/readyz',
    tag: 'operations',
    summary: 'State of each dependency (database, Redis, the event log of resumable streams, LLM configuration)',
    responses: {
      '200': { description: 'ok or degraded', schema: readySchema },
      '503': { description: 'A part is down', schema: readySchema },
    },
  },
  { method: 'get', path: '/metrics', tag: 'operations', summary: 'Prometheus metrics', responses: { '200': { description: 'Text exposition format', contentType: 'text/plain' } } },
];

/** /healthz: the process answers. /readyz: each part it depends on, by name. */
export function healthRoutes(app: FastifyInstance, deps: Deps): void {
  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (_request, reply) => {
    const parts: Record<string, { status: PartState; detail?: string }> = {};
    try {
      await deps.db.ping();
      parts.database = { status: 'ok', detail: deps.db.kind };
    } catch {
      parts.database = { status: 'down', detail: deps.db.kind };
    }
    parts.redis = await deps.limiter.health();
    parts.event_log = await deps.eventLog.health();
    parts.llm = { status: 'ok', detail: deps.answerer.kind === 'llm' ? 'configured' : 'extractive (no LLM configured)' };
    const states = Object.values(parts).map((p) => p.status);
    const status: PartState = states.includes('down') ? 'down' : states.includes('degraded') ? 'degraded' : 'ok';
    return reply.status(status === 'down' ? 503 : 200).send({ status, parts });
  });
}
