import { fmt, table, verdict } from '../lib/markdown.js';
import { answerTokens, chatBody } from '../lib/questions.js';
import { closedLoop, connectionPool, failureSummary } from '../lib/sse-client.js';
import type { Section, SectionResult, TargetCheck } from './section.js';

const TARGET_MS = 0.02;

/**
 * The server's CPU time per streamed token: chats whose answers stream `long` tokens paced as a
 * hosted model paces them, against chats of `short` tokens paced the same way, each in its own
 * process's CPU time per chat; the difference over the extra tokens is what one more token costs,
 * the per-request work (HTTP, retrieval, storage) cancelling out.
 */
export const perTokenSection: Section = {
  title: 'Server time per streamed token',
  async run(ctx): Promise<SectionResult> {
    const { llm, perToken: p } = ctx.profile;
    const fake = await ctx.fakeLlm();
    const figures: Record<string, number> = {};
    const rows: (string | number)[][] = [];
    const targets: TargetCheck[] = [];
    for (const backend of ctx.backends) {
      const service = await ctx.service(backend.name);
      const pool = connectionPool(service.url, p.streams);
      const cpuPerChat: Record<'short' | 'long', number> = { short: 0, long: 0 };
      const failures: string[] = [];
      for (const length of ['short', 'long'] as const) {
        const tokens = p[length];
        await fake.call('reply', { firstTokenDelayMs: llm.firstTokenDelayMs, tokenIntervalMs: llm.tokenIntervalMs, tokens: answerTokens(tokens) });
        // Warm-up at this length (JIT, connections), then the measured chats.
        await closedLoop(pool, { concurrency: p.streams, perClient: 1, body: chatBody });
        const before = await service.call<NodeJS.CpuUsage>('cpu');
        const { results } = await ctx.profiled(service, `per-token-${backend.name}-${tokens}`, () =>
          closedLoop(pool, { concurrency: p.streams, perClient: p.chatsPerStream, staggerMs: llm.firstTokenDelayMs + tokens * llm.tokenIntervalMs, body: chatBody }),
        );
        const after = await service.call<NodeJS.CpuUsage>('cpu');
        const failed = failureSummary(results);
        if (failed) failures.push(`${tokens} tokens: ${failed}`);
        cpuPerChat[length] = (after.user + after.system - before.user - before.system) / 1000 / Math.max(1, results.length);
        ctx.log(`per token, ${backend.label}, ${tokens} tokens: ${fmt(cpuPerChat[length], 2)} ms CPU per chat${failed ? ` (${failed})` : ''}`);
      }
      await pool.close();
      const perToken = (cpuPerChat.long - cpuPerChat.short) / (p.long - p.short);
      figures[`${backend.name}.cpu_ms_per_chat_${p.short}`] = cpuPerChat.short;
      figures[`${backend.name}.cpu_ms_per_chat_${p.long}`] = cpuPerChat.long;
      figures[`${backend.name}.cpu_ms_per_token`] = perToken;
      rows.push([backend.label, fmt(cpuPerChat.short, 2), fmt(cpuPerChat.long, 2), fmt(perToken, 4), failures.join('; ') || 'none']);
      targets.push({ target: `server time per streamed token ≤ ${TARGET_MS} ms, ${backend.label}`, measured: `${fmt(perToken, 4)} ms`, met: perToken <= TARGET_MS });
    }
    const markdown = [
      `${p.streams} streams at once, ${p.chatsPerStream} chat(s) each; the fake LLM waits ${llm.firstTokenDelayMs} ms, then sends a token every ` +
        `${llm.tokenIntervalMs} ms (each its own network read, as a hosted model's). *Per token* is the server's CPU per chat at ${p.long} ` +
        `tokens minus that at ${p.short}, over the ${p.long - p.short} tokens between: what a token costs once the request's own work is paid.`,
      '',
      table(['server', `CPU ms / chat, ${p.short} tokens`, `CPU ms / chat, ${p.long} tokens`, 'CPU ms / token', 'failures'], rows, [false, true, true, true, false]),
      '',
      ...targets.map((t) => `- ${t.target}: ${t.measured} — ${verdict(t.met)}`),
    ].join('\n');
    return { markdown, figures, targets };
  },
};
