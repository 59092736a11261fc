import type { FastifyInstance } from 'fastify';
import type { Deps } from '../deps.js';

type PartState = 'ok' | 'degraded' | 'down';

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
    parts.llm = { status: 'ok', detail: deps.answerer.kind === 'llm' ? 'configured' : 'extractive (no LLM configured)' };
    const states = Object.values(parts).map((p) => p.status);
    const status: PartState = states.includes('down') ? 'down' : states.includes('degraded') ? 'degraded' : 'ok';
    return reply.status(status === 'down' ? 503 : 200).send({ status, parts });
  });
}
