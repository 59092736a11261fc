import { captureAnswer } from '../lib/capture-answer.js';
import type { BenchContext } from '../lib/context.js';
import { startChild, type BenchChild } from '../lib/child-process.js';
import { fmt, table, verdict } from '../lib/markdown.js';
import { answerTokens, chatBody } from '../lib/questions.js';
import { closedLoop, connectionPool, failureSummary } from '../lib/sse-client.js';
import { cpuSpent, readCpu, type CpuParts, type CpuSpent } from '../lib/machine-cpu.js';
import { median } from '../lib/stats.js';
import type { Section, SectionResult, TargetCheck } from './section.js';

const TARGET_RATIO = 0.4;
/** Server CPU per chat against the bare route's per request, in the same run (issue 18). */
const CPU_RATIO_TARGET = { postgres: 8, pglite: 20 } as const;
const PG_CPU_RATIO_TARGET = 9;

interface Contender {
  label: string;
  key: string;
  child: BenchChild;
  /** Runs before each of its rounds (the two bare modes share a process). */
  before?: () => Promise<unknown>;
  perSecond: number[];
  cpuMsPerRequest: number[];
  /** Each round's machine CPU by part (see machine-cpu.ts), per request. */
  machine: CpuSpent[];
  failures: string[];
}

/** The parts of the machine a request's CPU time is split into, in table order. */
const PARTS = ['server', 'PostgreSQL', 'Redis', 'fake LLM', 'load generator'] as const;

/**
 * Chat requests per second with an instant LLM (no delay, 50 tokens at once), against a bare
 * Fastify route in the same run that streams the same bytes without any of the service's work.
 * Contenders take turns round by round so a busy neighbour skews no one alone; each one's CPU time
 * per request (read in its own process) is a figure that a busy machine distorts much less.
 */
export const throughputSection: Section = {
  title: 'Chat requests per second',
  async run(ctx): Promise<SectionResult> {
    const p = ctx.profile.throughput;
    const fake = await ctx.fakeLlm();
    await fake.call('reply', { tokens: answerTokens(p.answerTokens) });
    const contender = (label: string, key: string, child: BenchChild, before?: () => Promise<unknown>): Contender => ({
      label,
      key,
      child,
      before,
      perSecond: [],
      cpuMsPerRequest: [],
      machine: [],
      failures: [],
    });
    const services: Contender[] = [];
    for (const backend of ctx.backends) services.push(contender(`chat, ${backend.label}`, backend.name, await ctx.service(backend.name)));
    const answer = await captureAnswer(services[0]!.child.url);
    const bare = await startChild('bare');
    // The round trips a chat on PostgreSQL + Redis cannot do without, and nothing else (bench/processes/floor.ts).
    const floor = ctx.env.postgres && ctx.env.redis ? await startFloor(ctx, fake.url) : null;
    const contenders = [
      contender('bare route, same events through the SSE writer', 'bare', bare, () => bare.call('mode', 'stream')),
      ...services,
      ...(floor ? [contender("floor: a chat's round trips only (PostgreSQL + Redis)", 'floor', floor)] : []),
      contender('bare route, same bytes in one write (for scale)', 'blob', bare, () => bare.call('mode', 'blob')),
    ];
    try {
      await bare.call('answer', answer);
      await floor?.call('answer', answer);
      const pools = contenders.map((c) => connectionPool(c.child.url, p.connections));
      // Warm-up: connections, JIT.
      for (const [i, c] of contenders.entries()) {
        await c.before?.();
        await closedLoop(pools[i]!, { concurrency: p.connections, perClient: 5, body: chatBody });
      }
      for (let round = 0; round < p.rounds; round++) {
        for (const [i, c] of contenders.entries()) {
          await c.before?.();
          const measure = () => closedLoop(pools[i]!, { concurrency: p.connections, durationMs: p.seconds * 1000, body: chatBody });
          const parts: CpuParts = {
            server: { pid: c.child.pid },
            PostgreSQL: { command: 'postgres' },
            Redis: { command: 'redis-server' },
            'fake LLM': { pid: fake.pid },
            'load generator': { pid: process.pid },
          };
          const cpuBefore = await c.child.call<NodeJS.CpuUsage>('cpu');
          const machineBefore = readCpu(parts);
          const isService = services.includes(c);
          const { results, seconds } = isService ? await ctx.profiled(c.child, `throughput-${c.key}-round${round + 1}`, measure) : await measure();
          const machineAfter = readCpu(parts);
          const cpuAfter = await c.child.call<NodeJS.CpuUsage>('cpu');
          const spent = cpuSpent(machineBefore, machineAfter, ctx.cores);
          if (spent) c.machine.push(perRequest(spent, Math.max(1, results.length)));
          const ok = results.filter((r) => r.done).length;
          const cpuMs = (cpuAfter.user + cpuAfter.system - cpuBefore.user - cpuBefore.system) / 1000;
          c.perSecond.push(ok / seconds);
          c.cpuMsPerRequest.push(cpuMs / Math.max(1, results.length));
          const failures = failureSummary(results);
          if (failures) c.failures.push(failures);
          ctx.log(`throughput round ${round + 1}, ${c.label}: ${Math.round(ok / seconds)} req/s, ${fmt(cpuMs / Math.max(1, results.length), 2)} ms CPU each${failures ? ` (${failures})` : ''}`);
        }
      }
      await Promise.all(pools.map((pool) => pool.close()));
    } finally {
      await bare.stop();
      await floor?.stop();
    }

    const bareRate = median(contenders[0]!.perSecond);
    const bareCpu = median(contenders[0]!.cpuMsPerRequest);
    const figures: Record<string, number> = {};
    const targets: TargetCheck[] = [];
    const rows = contenders.map((c) => {
      const rate = median(c.perSecond);
      const cpu = median(c.cpuMsPerRequest);
      figures[`${c.key}.req_per_s`] = rate;
      figures[`${c.key}.cpu_ms_per_request`] = cpu;
      if (services.includes(c)) {
        figures[`${c.key}.ratio`] = rate / bareRate;
        targets.push({
          target: `chat ≥ ${TARGET_RATIO * 100} % of the bare route's requests/s, ${c.label.replace('chat, ', '')}`,
          measured: `${fmt((rate / bareRate) * 100, 1)} % (CPU: ${fmt((bareCpu / cpu) * 100, 1)} %)`,
          met: rate / bareRate >= TARGET_RATIO,
        });
      }
      figures[`${c.key}.cpu_ratio_to_bare`] = cpu / bareCpu;
      if (services.includes(c)) {
        const limit = CPU_RATIO_TARGET[c.key as keyof typeof CPU_RATIO_TARGET];
        targets.push({
          target: `server CPU per chat ≤ ${limit}× the bare route's, ${c.label.replace('chat, ', '')}`,
          measured: `${fmt(cpu / bareCpu, 1)}× (${fmt(cpu, 2)} ms against ${fmt(bareCpu, 2)} ms)`,
          met: cpu / bareCpu <= limit,
        });
        const pgCpu = c.machine.length > 0 ? median(c.machine.map((m) => m.parts.PostgreSQL ?? 0)) : Number.NaN;
        if (c.key === 'postgres' && Number.isFinite(pgCpu)) {
          figures[`${c.key}.postgres_cpu_ratio_to_bare`] = pgCpu / bareCpu;
          targets.push({
            target: `PostgreSQL's CPU per chat ≤ ${PG_CPU_RATIO_TARGET}× the bare route's server CPU`,
            measured: `${fmt(pgCpu / bareCpu, 1)}× (${fmt(pgCpu, 2)} ms)`,
            met: pgCpu / bareCpu <= PG_CPU_RATIO_TARGET,
          });
        }
      }
      return [
        c.label,
        Math.round(rate),
        c.perSecond.map((x) => Math.round(x)).join(', '),
        `${fmt((rate / bareRate) * 100, 1)} %`,
        fmt(cpu, 2),
        `${fmt(cpu / bareCpu, 1)}×`,
        c.failures.join('; ') || 'none',
      ];
    });
    const machine = machineTable(contenders, services, bareRate);
    const markdown = [
      `${p.connections} clients in a closed loop, ${p.seconds} s per round, ${p.rounds} round(s), contenders taking turns; the fake LLM answers`,
      `at once with ${p.answerTokens} tokens. The bare route is Fastify without a logger answering POST /api/v1/chat: it replays the ${answer.events.length}`,
      `events (${answer.bytes.length} bytes) of a real answer captured from the service in this run through the service's own SSE writer`,
      '(`writeSse`), so the bytes on the wire and the writes are the same and only the service\'s work is missing. The last row writes',
      'the same bytes in one write, to show what per-event writes cost. The *floor* row (PostgreSQL + Redis only) is a route that makes',
      'the round trips a chat cannot do without and nothing else (bench/processes/floor.ts): 3 Redis commands, 4 trivial named',
      'statements, one streamed completion from the fake LLM read by the service\'s own reader, the events through the same SSE writer',
      'and one log line. What it costs is the wire\'s and the drivers\' share of a chat, whatever the service\'s own code does.',
      'Only streams that ended with `done` count. *CPU ms / request*',
      'is the process\'s user + system CPU time over the round divided by the requests it served: the cost of one request, which',
      'other work on the machine distorts much less than requests/s (the target\'s ratio in CPU terms is given beside it);',
      '*CPU × bare* is that cost over the bare route\'s in the same round set, the figure that holds from run to run.',
      '',
      table(['server', 'requests/s (median)', 'rounds', 'of bare', 'CPU ms / request', 'CPU × bare', 'failures'], rows, [false, true, true, true, true, true, false]),
      '',
      ...targets.map((t) => `- ${t.target}: ${t.measured} — ${verdict(t.met)}`),
      ...(machine ? ['', machine.markdown] : []),
    ].join('\n');
    if (machine) Object.assign(figures, machine.figures);
    return { markdown, figures, targets };
  },
};

/** The floor process (bench/processes/floor.ts) on a database of its own, the run's Redis and the fake LLM. */
async function startFloor(ctx: BenchContext, llmUrl: string): Promise<BenchChild> {
  const db = await ctx.throwawayDatabase();
  return startChild('floor', { env: { DATABASE_URL: db.url, REDIS_URL: ctx.env.redisUrl, LLM_BASE_URL: llmUrl, LLM_API_KEY: 'bench' } });
}

function perRequest(spent: CpuSpent, requests: number): CpuSpent {
  const parts = Object.fromEntries(Object.entries(spent.parts).map(([k, v]) => [k, v / requests]));
  return { ...spent, parts, other: spent.other / requests, machineBusy: spent.machineBusy / requests };
}

/**
 * The whole machine's CPU per request, by process: what bounds requests/s on a machine whose
 * cores the server shares with its database, the LLM and the client. The last column is the
 * ceiling the other parts alone set: the rate the cores would allow if the server cost nothing.
 */
function machineTable(contenders: Contender[], services: Contender[], bareRate: number): { markdown: string; figures: Record<string, number> } | null {
  if (contenders.some((c) => c.machine.length === 0)) return null;
  const figures: Record<string, number> = {};
  const bare = contenders[0]!;
  const bareMachine = median(bare.machine.map((m) => m.machineBusy));
  const rows = contenders.map((c) => {
    const part = (name: string) => median(c.machine.map((m) => m.parts[name] ?? 0));
    const total = median(c.machine.map((m) => m.machineBusy));
    const other = median(c.machine.map((m) => m.other));
    const withoutServer = Math.max(0.001, total - part('server'));
    // Requests/s scale inversely with machine CPU per request when the cores are what is full.
    const ceiling = bareMachine / withoutServer;
    figures[`${c.key}.machine_cpu_ms_per_request`] = total;
    if (services.includes(c)) figures[`${c.key}.ceiling_ratio_without_server`] = ceiling;
    return [
      c.label,
      ...PARTS.map((name) => fmt(part(name), 2)),
      fmt(other, 2),
      fmt(total, 2),
      fmt(median(c.machine.map((m) => m.machineShare)) * 100, 0) + ' %',
      services.includes(c) ? `${fmt(ceiling * 100, 0)} %` : '',
    ];
  });
  const markdown = [
    'Where the machine\'s CPU goes, per request (ms, medians of the rounds; read from /proc: every process of the benchmark,',
    'all of PostgreSQL\'s and Redis\'s server processes, and the machine\'s total; *kernel and other* is the rest of the busy',
    'time: mostly the kernel\'s loopback network work, which Linux books outside the processes). *Ceiling* is the share of the',
    'bare route\'s requests/s that a chat could reach on these cores if the server itself cost nothing: the bare route\'s machine',
    'CPU per request over the chat\'s without the server\'s part.',
    '',
    table(
      ['contender', ...PARTS, 'kernel and other', 'machine', 'cores busy', 'ceiling with a free server'],
      rows,
      [false, ...PARTS.map(() => true), true, true, true, true],
    ),
    '',
    `The bare route's rate, ${Math.round(bareRate)} requests/s, is what ${fmt(bareMachine, 2)} ms of machine CPU per request allows.`,
  ].join('\n');
  return { markdown, figures };
}
