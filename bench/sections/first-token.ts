import { fmt, table, verdict } from '../lib/markdown.js';
import { answerTokens, chatBody } from '../lib/questions.js';
import { closedLoop, connectionPool, failureSummary } from '../lib/sse-client.js';
import { cpuSpent, readCpu } from '../lib/machine-cpu.js';
import { bestRound, medianRound, quantile } from '../lib/stats.js';
import type { Section, SectionResult, TargetCheck } from './section.js';

interface Round {
  p50: number;
  p99: number;
  n: number;
  failures: string;
  /** Share of all cores busy over the round, and the server's own share; NaN off Linux. */
  busy: number;
  server: number;
}

const TARGET = { concurrency: 50, p50: 10, p99: 40 };
/** Issue 18: 200 streams without queueing. */
const MANY = { concurrency: 200, p50: 100 };

/**
 * The service's own cost before the first token: request sent → first `token` event received,
 * minus the first-token delay the fake LLM was told to wait. Each concurrency level is a closed
 * loop of that many clients; the median of the rounds is reported.
 */
export const firstTokenSection: Section = {
  title: 'Overhead to first token',
  async run(ctx): Promise<SectionResult> {
    const { llm, firstToken: p } = ctx.profile;
    const fake = await ctx.fakeLlm();
    await fake.call('reply', { firstTokenDelayMs: llm.firstTokenDelayMs, tokenIntervalMs: llm.tokenIntervalMs, tokens: answerTokens(llm.tokens) });
    const streamMs = llm.firstTokenDelayMs + llm.tokens * llm.tokenIntervalMs;
    const figures: Record<string, number> = {};
    const rows: (string | number)[][] = [];
    const targets: TargetCheck[] = [];

    for (const backend of ctx.backends) {
      const service = await ctx.service(backend.name);
      for (const concurrency of p.concurrency) {
        const pool = connectionPool(service.url, concurrency);
        const perClient = Math.max(p.requestsPerStream, Math.ceil(p.minRequests / concurrency));
        const rounds: Round[] = [];
        for (let r = 0; r < p.rounds; r++) {
          const parts = { server: { pid: service.pid } };
          const before = readCpu(parts);
          const { results } = await ctx.profiled(service, `first-token-${backend.name}-c${concurrency}-round${r + 1}`, () =>
            closedLoop(pool, { concurrency, perClient, warmupPerClient: 1, staggerMs: concurrency > 1 ? streamMs : 0, body: chatBody }),
          );
          const spent = cpuSpent(before, readCpu(parts), ctx.cores);
          const overheads = results.filter((x) => x.firstTokenMs !== null).map((x) => x.firstTokenMs! - llm.firstTokenDelayMs);
          rounds.push({
            p50: quantile(overheads, 0.5),
            p99: quantile(overheads, 0.99),
            n: results.length,
            failures: failureSummary(results),
            busy: spent?.machineShare ?? Number.NaN,
            // Of one core: the server is one thread (PGlite's work included), so 100 % is all it can do.
            server: spent ? spent.parts.server! / spent.wallMs : Number.NaN,
          });
        }
        await pool.close();
        const mid = medianRound(rounds, (x) => x.p50);
        const best = bestRound(rounds, (x) => x.p50);
        const failures = rounds.map((x) => x.failures).filter(Boolean).join('; ');
        ctx.log(`first token, ${backend.label}, ${concurrency} streams: p50 ${fmt(mid.p50)} ms, p99 ${fmt(mid.p99)} ms${failures ? ` (${failures})` : ''}`);
        rows.push([
          backend.label,
          concurrency,
          mid.n,
          fmt(mid.p50),
          fmt(mid.p99),
          `${fmt(best.p50)} / ${fmt(best.p99)}`,
          `${fmt(mid.busy * 100, 0)} %`,
          `${fmt(mid.server * 100, 0)} %`,
          failures || 'none',
        ]);
        // Off Linux there is no /proc to read them from.
        if (Number.isFinite(mid.busy)) figures[`${backend.name}.c${concurrency}.cores_busy`] = mid.busy;
        if (Number.isFinite(mid.server)) figures[`${backend.name}.c${concurrency}.server_core`] = mid.server;
        figures[`${backend.name}.c${concurrency}.p50_ms`] = mid.p50;
        figures[`${backend.name}.c${concurrency}.p99_ms`] = mid.p99;
        if (concurrency === TARGET.concurrency) {
          targets.push(
            { target: `first-token overhead p50 ≤ ${TARGET.p50} ms at ${TARGET.concurrency} streams, ${backend.label}`, measured: `${fmt(mid.p50)} ms`, met: mid.p50 <= TARGET.p50 },
            { target: `first-token overhead p99 ≤ ${TARGET.p99} ms at ${TARGET.concurrency} streams, ${backend.label}`, measured: `${fmt(mid.p99)} ms`, met: mid.p99 <= TARGET.p99 },
          );
        }
        if (concurrency === MANY.concurrency) {
          targets.push({ target: `first-token overhead p50 ≤ ${MANY.p50} ms at ${MANY.concurrency} streams, ${backend.label}`, measured: `${fmt(mid.p50)} ms`, met: mid.p50 <= MANY.p50 });
        }
      }
    }

    const markdown = [
      `The fake LLM (a separate process) waits ${llm.firstTokenDelayMs} ms before its first token, then streams ${llm.tokens} tokens ${llm.tokenIntervalMs} ms apart;`,
      'the overhead is the time from the request being sent to the first `token` event being parsed by the client, minus those',
      `${llm.firstTokenDelayMs} ms. It holds everything the service does before the answer (validation, conversation, history,`,
      'retrieval over the demo knowledge base, the stored turn, the prompt, the request to the LLM and the first chunk back),',
      'both loopback hops and the client\'s own parsing. Each level is a closed loop of that many clients (one connection each,',
      `started at random moments over one stream's length so they do not run in lockstep; each client's first request is a`,
      `warm-up and is not counted), ${p.rounds} round(s) per level, the median round shown (best round beside it).`,
      '',
      `*Cores busy* is the share of the machine's ${ctx.cores} cores in use over the round (every process: the service, PostgreSQL,`,
      'Redis, the fake LLM, this load generator, the kernel\'s loopback work); *server* is the service process\'s CPU time over the',
      'round as a share of one core (it runs JavaScript on one thread; embedded, PGlite runs on that thread too). Off Linux both are n/a.',
      '',
      table(
        ['backend', 'concurrent streams', 'requests', 'p50 ms', 'p99 ms', 'best round p50 / p99', 'cores busy', 'server', 'failures'],
        rows,
        [false, true, true, true, true, true, true, true, false],
      ),
      '',
      ...targets.map((t) => `- ${t.target}: ${t.measured} — ${verdict(t.met)}`),
    ].join('\n');
    return { markdown, figures, targets };
  },
};
