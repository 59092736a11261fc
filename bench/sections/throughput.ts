import { request } from 'undici';
import { startChild, type BenchChild } from '../lib/child-process.js';
import { fmt, table, verdict } from '../lib/markdown.js';
import { answerTokens, chatBody } from '../lib/questions.js';
import { closedLoop, connectionPool, failureSummary } from '../lib/sse-client.js';
import { median } from '../lib/stats.js';
import type { Section, SectionResult, TargetCheck } from './section.js';

const TARGET_RATIO = 0.4;

/** The frames of one real chat answer, split where the service wrote them (one event per frame). */
async function captureFrames(url: string): Promise<string[]> {
  const res = await request(`${url}/api/v1/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: chatBody(0) });
  const body = await res.body.text();
  if (res.statusCode !== 200) throw new Error(`capturing a chat answer: HTTP ${res.statusCode}: ${body.slice(0, 200)}`);
  return body.split(/(?<=\n\n)/);
}

interface Contender {
  label: string;
  key: string;
  child: BenchChild;
  perSecond: number[];
  failures: string[];
}

/**
 * Chat requests per second with an instant LLM (no delay, 50 tokens at once), against a bare
 * Fastify route in the same run that streams the same bytes without any of the service's work.
 * Contenders take turns round by round so a busy neighbour skews no one alone.
 */
export const throughputSection: Section = {
  title: 'Chat requests per second',
  async run(ctx): Promise<SectionResult> {
    const p = ctx.profile.throughput;
    const fake = await ctx.fakeLlm();
    await fake.call('reply', { tokens: answerTokens(p.answerTokens) });
    const contenders: Contender[] = [];
    for (const backend of ctx.backends) {
      contenders.push({ label: `chat, ${backend.label}`, key: backend.name, child: await ctx.service(backend.name), perSecond: [], failures: [] });
    }
    const frames = await captureFrames(contenders[0]!.child.url);
    const bare = await startChild('bare');
    try {
      await bare.call('frames', frames);
      contenders.unshift({ label: 'bare Fastify route, same bytes', key: 'bare', child: bare, perSecond: [], failures: [] });
      const pools = contenders.map((c) => connectionPool(c.child.url, p.connections));
      // Warm-up: connections, JIT.
      for (const pool of pools) await closedLoop(pool, { concurrency: p.connections, perClient: 5, body: chatBody });
      for (let round = 0; round < p.rounds; round++) {
        for (const [i, c] of contenders.entries()) {
          const { results, seconds } = await closedLoop(pools[i]!, { concurrency: p.connections, durationMs: p.seconds * 1000, body: chatBody });
          const ok = results.filter((r) => r.done).length;
          c.perSecond.push(ok / seconds);
          const failures = failureSummary(results);
          if (failures) c.failures.push(failures);
          ctx.log(`throughput round ${round + 1}, ${c.label}: ${Math.round(ok / seconds)} req/s${failures ? ` (${failures})` : ''}`);
        }
      }
      await Promise.all(pools.map((pool) => pool.close()));
    } finally {
      await bare.stop();
    }

    const bareRate = median(contenders[0]!.perSecond);
    const figures: Record<string, number> = { 'bare.req_per_s': bareRate };
    const targets: TargetCheck[] = [];
    const rows = contenders.map((c) => {
      const rate = median(c.perSecond);
      if (c.key !== 'bare') {
        figures[`${c.key}.req_per_s`] = rate;
        figures[`${c.key}.ratio`] = rate / bareRate;
        targets.push({ target: `chat ≥ ${TARGET_RATIO * 100} % of the bare route's requests/s, ${c.label.slice(6)}`, measured: `${fmt((rate / bareRate) * 100, 1)} %`, met: rate / bareRate >= TARGET_RATIO });
      }
      return [c.label, Math.round(rate), c.perSecond.map((x) => Math.round(x)).join(', '), c.key === 'bare' ? '100 %' : `${fmt((rate / bareRate) * 100, 1)} %`, c.failures.join('; ') || 'none'];
    });
    const bytes = frames.join('').length;
    const markdown = [
      `${p.connections} clients in a closed loop, ${p.seconds} s per round, ${p.rounds} round(s) taking turns; the fake LLM answers at once with`,
      `${p.answerTokens} tokens. The bare route is Fastify with no logger answering POST /api/v1/chat with the ${frames.length} frames (${bytes} bytes)`,
      'of a real answer captured from the service in this run, written one frame per write as the service writes them. Only streams',
      'that ended with `done` are counted.',
      '',
      table(['server', 'requests/s (median)', 'rounds', 'of bare', 'failures'], rows, [false, true, true, true, false]),
      '',
      ...targets.map((t) => `- ${t.target}: ${t.measured} — ${verdict(t.met)}`),
    ].join('\n');
    return { markdown, figures, targets };
  },
};
