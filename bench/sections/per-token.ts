import { fmt, table, verdict } from '../lib/markdown.js';
import { answerTokens, chatBody } from '../lib/questions.js';
import { closedLoop, connectionPool, failureSummary } from '../lib/sse-client.js';
import type { Section, SectionResult, TargetCheck } from './section.js';

const TARGET_MS = 0.02;

/**
 * The server's CPU time per streamed token: chats whose answers stream `long` tokens against chats
 * of `short` tokens sent the same way, each in the server process's CPU time per chat; the
 * difference over the extra tokens is what one more token costs, the per-request work (HTTP,
 * retrieval, storage) cancelling out. Twice: tokens paced as a hosted model paces them (each its
 * own network read, so each wakes the server), and all at once (the per-token work alone).
 */
export const perTokenSection: Section = {
  title: 'Server time per streamed token',
  async run(ctx): Promise<SectionResult> {
    const { llm, perToken: p } = ctx.profile;
    const fake = await ctx.fakeLlm();
    const figures: Record<string, number> = {};
    const rows: (string | number)[][] = [];
    const targets: TargetCheck[] = [];
    const pacings = [
      { key: 'paced', label: `a token every ${llm.tokenIntervalMs} ms`, intervalMs: llm.tokenIntervalMs },
      { key: 'at_once', label: 'all at once', intervalMs: 0 },
    ];
    for (const backend of ctx.backends) {
      const service = await ctx.service(backend.name);
      const pool = connectionPool(service.url, p.streams);
      for (const pacing of pacings) {
        const cpu = { short: 0, long: 0 };
        // Of which in the kernel (system time): the socket reads and writes.
        const sys = { short: 0, long: 0 };
        const failures: string[] = [];
        for (const length of ['short', 'long'] as const) {
          const tokens = p[length];
          await fake.call('reply', { firstTokenDelayMs: llm.firstTokenDelayMs, tokenIntervalMs: pacing.intervalMs, tokens: answerTokens(tokens) });
          // Warm-up at this length (JIT, connections), then the measured chats.
          await closedLoop(pool, { concurrency: p.streams, perClient: 1, body: chatBody });
          const before = await service.call<NodeJS.CpuUsage>('cpu');
          const { results } = await ctx.profiled(service, `per-token-${backend.name}-${pacing.key}-${tokens}`, () =>
            closedLoop(pool, {
              concurrency: p.streams,
              perClient: p.chatsPerStream,
              staggerMs: llm.firstTokenDelayMs + tokens * pacing.intervalMs,
              body: chatBody,
            }),
          );
          const after = await service.call<NodeJS.CpuUsage>('cpu');
          const failed = failureSummary(results);
          if (failed) failures.push(`${tokens} tokens: ${failed}`);
          const n = Math.max(1, results.length);
          cpu[length] = (after.user + after.system - before.user - before.system) / 1000 / n;
          sys[length] = (after.system - before.system) / 1000 / n;
          ctx.log(`per token, ${backend.label}, ${pacing.label}, ${tokens} tokens: ${fmt(cpu[length], 2)} ms CPU per chat${failed ? ` (${failed})` : ''}`);
        }
        const perToken = (cpu.long - cpu.short) / (p.long - p.short);
        const sysPerToken = (sys.long - sys.short) / (p.long - p.short);
        const key = `${backend.name}.${pacing.key}`;
        figures[`${key}.cpu_ms_per_chat_${p.short}`] = cpu.short;
        figures[`${key}.cpu_ms_per_chat_${p.long}`] = cpu.long;
        figures[`${key}.cpu_ms_per_token`] = perToken;
        figures[`${key}.system_ms_per_token`] = sysPerToken;
        rows.push([backend.label, pacing.label, fmt(cpu.short, 2), fmt(cpu.long, 2), fmt(perToken, 4), fmt(sysPerToken, 4), failures.join('; ') || 'none']);
        targets.push({
          target: `server time per streamed token ≤ ${TARGET_MS} ms, ${backend.label}, ${pacing.label}`,
          measured: `${fmt(perToken, 4)} ms`,
          met: perToken <= TARGET_MS,
        });
      }
      await pool.close();
    }
    const markdown = [
      `${p.streams} streams at once, ${p.chatsPerStream} chat(s) each; the fake LLM waits ${llm.firstTokenDelayMs} ms, then sends the tokens ` +
        `either ${llm.tokenIntervalMs} ms apart (each its own network read, as a hosted model's) or all at once. *Per token* is the server's ` +
        `CPU per chat at ${p.long} tokens minus that at ${p.short}, over the ${p.long - p.short} tokens between: what a token costs once the ` +
        `request's own work is paid; *of which kernel* is the system-time part of it.`,
      '',
      table(
        ['server', 'tokens sent', `CPU ms / chat, ${p.short} tokens`, `CPU ms / chat, ${p.long} tokens`, 'CPU ms / token', 'of which kernel', 'failures'],
        rows,
        [false, false, true, true, true, true, false],
      ),
      '',
      ...targets.map((t) => `- ${t.target}: ${t.measured} — ${verdict(t.met)}`),
    ].join('\n');
    return { markdown, figures, targets };
  },
};
