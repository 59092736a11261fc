import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Deps } from '../deps.js';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';

type PartState = 'ok' | 'degraded' | 'down';

const tags = ['operations'];

const readyBody = z.object({
  status: z.enum(['ok', 'degraded', 'down']),
  parts: z.record(z.string(), z.object({ status: z.enum(['ok', 'degraded', 'down']), detail: z.string().optional() })),
});

/** /healthz: the process answers. /readyz: each part it depends on, by name. */
export function healthRoutes(app: FastifyInstance, deps: Deps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    '/healthz',
    { schema: { tags, summary: 'The process is alive', response: { 200: z.object({ status: z.literal('ok') }).describe('Alive') } } },
    async () => ({ status: 'ok' as const }),
  );

  const readySchema = {
    tags,
    summary: 'State of each dependency (database, Redis, the event log of resumable streams, LLM configuration)',
    response: { 200: readyBody.describe('ok or degraded'), 503: readyBody.describe('A part is down') },
  };
  r.get('/readyz', { schema: readySchema }, async (_request, reply) => {
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
