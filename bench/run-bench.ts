import { readFile } from 'node:fs/promises';
import os from 'node:os';
import { BenchContext, detectEnvironment, type BenchEnvironment } from './lib/context.js';
import { table, verdict } from './lib/markdown.js';
import type { Profile } from './profile.js';
import { SECTIONS } from './sections/index.js';
import type { Section, SectionResult } from './sections/section.js';

export interface BenchReport {
  markdown: string;
  sections: { title: string; result: SectionResult }[];
}

export interface RunOptions {
  /** The command line that produced the report, written at its top. */
  command: string;
  log?: (line: string) => void;
  sections?: Section[];
  /** Defaults to what this machine offers (PostgreSQL, Redis), found from BENCH_* / TEST_PG_URL. */
  environment?: BenchEnvironment;
}

const FINDINGS = new URL('./findings.md', import.meta.url);

/** Runs every section in turn and assembles BENCHMARKS.md; a section that throws is reported, not fatal. */
export async function runBench(profile: Profile, options: RunOptions): Promise<BenchReport> {
  const log = options.log ?? (() => undefined);
  const environment = options.environment ?? (await detectEnvironment(process.env));
  const ctx = new BenchContext(profile, environment, log);
  const started = performance.now();
  const loadBefore = os.loadavg()[0]!;
  const sections: BenchReport['sections'] = [];
  // Interrupted: still stop the processes and drop the databases this run made.
  const onSignal = () => void ctx.close().finally(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    for (const section of options.sections ?? SECTIONS) {
      log(`== ${section.title}`);
      const t = performance.now();
      let result: SectionResult;
      try {
        result = await section.run(ctx);
      } catch (err) {
        const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
        log(`${section.title} failed: ${message}`);
        result = { markdown: `This section failed:\n\n\`\`\`\n${message}\n\`\`\``, figures: {}, pending: 'failed' };
      }
      log(`   (${((performance.now() - t) / 1000).toFixed(0)} s)`);
      sections.push({ title: section.title, result });
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await ctx.close();
  }
  const seconds = (performance.now() - started) / 1000;
  const markdown = await render(profile, options.command, environment, sections, { seconds, loadBefore, loadAfter: os.loadavg()[0]! });
  return { markdown, sections };
}

async function render(
  profile: Profile,
  command: string,
  env: BenchEnvironment,
  sections: BenchReport['sections'],
  run: { seconds: number; loadBefore: number; loadAfter: number },
): Promise<string> {
  const cpus = os.cpus();
  const cores = cpus.length;
  // The load at the end is the benchmark's own: only the start says whether other work was running.
  const busy = run.loadBefore > cores * 0.5;
  const targets = sections.flatMap((s) => s.result.targets ?? []);
  const findings = profile.name === 'full' ? await readFile(FINDINGS, 'utf8').catch(() => '') : '';
  return [
    '# Benchmarks',
    '',
    `Written by \`${command}\` on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC (${profile.name} profile), in ${Math.round(run.seconds)} s.`,
    `Node ${process.version}, ${cores} × ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, ${os.type()} ${os.release()}.`,
    `PostgreSQL ${env.postgres ? 'at the admin URL given by BENCH_PG_URL (a throwaway database per run)' : '**not reachable**: its rows are missing'};`,
    `Redis ${env.redis ? `at ${env.redisUrl}` : '**not reachable**'}. Load average ${run.loadBefore.toFixed(1)} at the start, ${run.loadAfter.toFixed(1)} at the end.`,
    '',
    busy
      ? `> **These figures come from a shared ${cores}-core machine that was busy with other work** (load average above half the cores when it started). Treat them as upper bounds for latency and lower bounds for throughput; \`npm run bench\` on a quiet machine gives the real ones.`
      : `> The machine was quiet when the run started (load average under half of its ${cores} cores; the load at the end is the benchmark's own).`,
    '',
    'Every service figure below comes from the service running as `npm start` runs it (its own process, `LOG_LEVEL=info`, logs to a file),',
    'driven over real HTTP by a load generator in another process (undici, one connection per stream, events parsed with',
    'eventsource-parser), against the fake OpenAI-compatible LLM of `bench/fake-llm.ts` in a third process. Rate limits are set so high',
    'that nothing is refused. `npm run bench:quick` runs every section at toy sizes (CI runs it through `test/bench/bench-quick.test.ts`).',
    `Each service answers ${profile.jitWarmupChats} chats (50 clients, an instant 50-token answer) when it starts, before any section`,
    'measures it: what is measured is a server that has run a while, not V8 still compiling it (bench/findings.md).',
    '',
    '## Targets',
    '',
    targets.length > 0 ? table(['target', 'measured', ''], targets.map((t) => [t.target, t.measured, verdict(t.met)]), [false, true, false]) : 'No target was measured in this run.',
    '',
    ...sections.flatMap((s) => [`## ${s.title}`, '', s.result.markdown.trim(), '']),
    ...(findings ? [findings.trim(), ''] : []),
  ].join('\n');
}
