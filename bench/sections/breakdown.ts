import path from 'node:path';
import pino from 'pino';
import { buildApp } from '../../src/app.js';
import { TermMergingRewriter } from '../../src/chat/standalone-query.js';
import { configFrom } from '../../src/config.js';
import { buildDeps } from '../../src/deps.js';
import { createRateLimiter } from '../../src/limits/create-limiter.js';
import { buildLlm } from '../../src/llm/build-llm.js';
import type { Db } from '../../src/store/db.js';
import { PgliteDb } from '../../src/store/pg/pglite-db.js';
import { PostgresDb } from '../../src/store/pg/postgres-db.js';
import { startFakeLlm } from '../fake-llm.js';
import type { Backend, BenchContext } from '../lib/context.js';
import { fmt, table } from '../lib/markdown.js';
import { answerTokens, chatBody } from '../lib/questions.js';
import { chatStream, connectionPool } from '../lib/sse-client.js';
import { median } from '../lib/stats.js';
import { StepClock, timedAnswerer, timedDb, timedLimiter } from '../lib/timed.js';
import type { Section, SectionResult } from './section.js';

const NO_LIMIT = '1000000000';

async function openDb(ctx: BenchContext, backend: Backend): Promise<Db> {
  if (backend.name === 'pglite') return PgliteDb.open(path.join(await ctx.tempDir('bench-breakdown-'), 'pglite'));
  return new PostgresDb({ connectionString: (await ctx.throwawayDatabase()).url });
}

/** One chat after another against the app in this process, each step of the chat clocked. */
async function breakdown(ctx: BenchContext, backend: Backend, chats: number) {
  const fake = await startFakeLlm({ reply: { tokens: answerTokens(ctx.profile.llm.tokens) } });
  const clock = new StepClock();
  const config = configFrom({
    LLM_BASE_URL: fake.baseUrl,
    LLM_API_KEY: 'bench',
    RATE_LIMIT_IP_PER_HOUR: NO_LIMIT,
    RATE_LIMIT_USER_PER_HOUR: NO_LIMIT,
    RATE_LIMIT_CREATOR_PER_HOUR: NO_LIMIT,
    ...(backend.name === 'postgres' && ctx.env.redis ? { REDIS_URL: ctx.env.redisUrl } : {}),
  });
  // Request logs are written as in production (info), to nowhere.
  const log = pino({ level: 'info' }, pino.destination('/dev/null'));
  const llm = buildLlm(config, log, new TermMergingRewriter())!;
  const deps = await buildDeps(config, log, {
    db: timedDb(await openDb(ctx, backend), clock),
    limiter: timedLimiter(await createRateLimiter(config, log), clock),
    answerer: timedAnswerer(llm.answerer, clock),
  });
  const app = await buildApp(deps);
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  const pool = connectionPool(url, 1);
  try {
    for (let i = 0; i < 20; i++) await chatStream(pool, chatBody(i));
    clock.enabled = true;
    const firstTokens: number[] = [];
    for (let i = 0; i < chats; i++) {
      const r = await chatStream(pool, chatBody(i));
      if (r.firstTokenMs !== null) firstTokens.push(r.firstTokenMs);
    }
    clock.enabled = false;
    return { clock, firstTokens };
  } finally {
    await pool.close();
    await app.close();
    await deps.close();
    await fake.close();
  }
}

/**
 * Where the time before the first token goes, one chat at a time (no contention): every database
 * statement, the rate-limit check and the LLM request clocked inside the app, which runs in this
 * process for the purpose, against an in-process fake LLM that answers at once.
 */
export const breakdownSection: Section = {
  title: "Where one chat's time goes",
  async run(ctx): Promise<SectionResult> {
    const chats = ctx.profile.name === 'full' ? 100 : 10;
    const figures: Record<string, number> = {};
    const rows: (string | number)[][] = [];
    for (const backend of ctx.backends) {
      const { clock, firstTokens } = await breakdown(ctx, backend, chats);
      const total = firstTokens.reduce((a, b) => a + b, 0) / firstTokens.length;
      let clocked = 0;
      const steps = [...clock.totals].sort((a, b) => b[1].ms - a[1].ms);
      for (const [step, t] of steps) {
        const perChat = t.ms / chats;
        // The answer's storage comes after the first token; the turn's INSERT overlaps the LLM request.
        if (!step.startsWith('store the answer') && !step.startsWith('store the turn')) clocked += perChat;
        rows.push([backend.label, step, fmt(t.calls / chats, 2), fmt(perChat, 2)]);
      }
      rows.push([backend.label, '**everything else**: HTTP, validation, Fastify, prompt, SSE frames, logs, metrics, both clients, any part of the turn\'s INSERT that outlasts the LLM request', '', fmt(total - clocked, 2)]);
      rows.push([backend.label, '**request sent → first token received** (mean; median ' + fmt(median(firstTokens), 2) + ')', '', `**${fmt(total, 2)}**`]);
      figures[`${backend.name}.first_token_mean_ms`] = total;
      figures[`${backend.name}.clocked_ms`] = clocked;
      ctx.log(`breakdown, ${backend.label}: ${fmt(total, 2)} ms to the first token, ${fmt(clocked, 2)} ms of it clocked`);
    }
    const markdown = [
      `${chats} chats one after another (after 20 of warm-up) over the demo knowledge base, against the app running in the benchmark's`,
      'own process with its database, rate limiter and LLM answerer wrapped in clocks; the fake LLM (same process) answers at once.',
      'Times are means per chat; *per chat* counts how often a step runs (a creator lookup only for questions naming a creator).',
      'The rows above the last two run before the first token, except the answer\'s storage; the turn\'s INSERT and the LLM request',
      'overlap (docs/decisions/0004), so those two rows add up to more than they cost together.',
      '',
      table(['backend', 'step', 'per chat', 'ms per chat'], rows, [false, false, true, true]),
    ].join('\n');
    return { markdown, figures };
  },
};
