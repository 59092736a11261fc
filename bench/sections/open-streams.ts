import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import type { BenchChild } from '../lib/child-process.js';
import { fmt, kib, table, verdict } from '../lib/markdown.js';
import { answerTokens, chatBody } from '../lib/questions.js';
import { chatStream, closedLoop, connectionPool, type StreamResult } from '../lib/sse-client.js';
import { quantile } from '../lib/stats.js';
import type { Section, SectionResult, TargetCheck } from './section.js';

const TARGET_BYTES = 64 * 1024;
const TARGET_STREAMS = 1000;

/** The open-streams gauge of the service's /metrics. */
async function openStreamsGauge(url: string): Promise<number> {
  const res = await request(`${url}/metrics`);
  const text = await res.body.text();
  return Number(/^chrysopedia_open_streams (\S+)$/m.exec(text)?.[1] ?? Number.NaN);
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const until = performance.now() + timeoutMs;
  while (performance.now() < until) {
    if (await check()) return true;
    await sleep(100);
  }
  return false;
}

/** /healthz round trips while the streams are held: how responsive the process still is. */
async function healthLatency(url: string, n: number): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await (await request(`${url}/healthz`)).body.text();
    samples.push(performance.now() - t);
  }
  return quantile(samples, 0.5);
}

interface Held {
  opened: number;
  openSeconds: number;
  gauge: number;
  heapPerStream: number;
  rssPerStream: number;
  externalPerStream: number;
  heapReturned: number;
  healthMs: number;
  failures: number;
}

async function holdStreams(service: BenchChild, fake: BenchChild, streams: number): Promise<Held> {
  // Warm up first (JIT, pools, prepared paths), so that what grows below is the streams' own cost.
  await fake.call('reply', { tokens: answerTokens(10) });
  const warm = connectionPool(service.url, 20);
  await closedLoop(warm, { concurrency: 20, perClient: 10, body: chatBody });
  await warm.close();
  await sleep(500);
  const before = await service.call<NodeJS.MemoryUsage>('memory');

  await fake.call('reply', { tokens: answerTokens(10), stallAfterTokens: 1 });
  const pool = connectionPool(service.url, streams);
  const abort = new AbortController();
  let firstTokens = 0;
  const t = performance.now();
  const running: Promise<StreamResult>[] = [];
  for (let i = 0; i < streams; i++) {
    running.push(chatStream(pool, chatBody(i), { signal: abort.signal, onFirstToken: () => void firstTokens++ }));
    // Open them at a steady pace rather than in one burst of SYNs.
    if (i % 50 === 49) await sleep(5);
  }
  await waitFor(async () => firstTokens >= streams, 240_000);
  const openSeconds = (performance.now() - t) / 1000;
  const gauge = await openStreamsGauge(service.url);
  const healthMs = await healthLatency(service.url, 20);
  const held = await service.call<NodeJS.MemoryUsage>('memory');

  abort.abort();
  const results = await Promise.all(running);
  await pool.destroy();
  await waitFor(async () => (await openStreamsGauge(service.url)) === 0, 30_000);
  await sleep(500);
  const after = await service.call<NodeJS.MemoryUsage>('memory');
  return {
    opened: firstTokens,
    openSeconds,
    gauge,
    heapPerStream: (held.heapUsed - before.heapUsed) / streams,
    rssPerStream: (held.rss - before.rss) / streams,
    externalPerStream: (held.external + held.arrayBuffers - before.external - before.arrayBuffers) / streams,
    heapReturned: (held.heapUsed - after.heapUsed) / Math.max(1, held.heapUsed - before.heapUsed),
    healthMs,
    // Every stream should have been cut by the client, nothing else.
    failures: results.filter((r) => r.failure !== 'aborted').length,
  };
}

/**
 * How many chat streams one service process holds open, and what each costs in memory: streams
 * whose LLM stalls after the first token (so each is a live SSE response, a live upstream request
 * and a pending turn), heap measured in the service after a full GC before and while they are held.
 */
export const openStreamsSection: Section = {
  title: 'Open streams per process',
  async run(ctx): Promise<SectionResult> {
    const streams = ctx.profile.openStreams.streams;
    const fake = await ctx.fakeLlm();
    const figures: Record<string, number> = {};
    const rows: (string | number)[][] = [];
    const targets: TargetCheck[] = [];
    for (const backend of ctx.backends) {
      const service = await ctx.service(backend.name);
      const h = await holdStreams(service, fake, streams);
      ctx.log(`open streams, ${backend.label}: ${h.opened}/${streams} held, ${kib(h.heapPerStream)} KiB heap each`);
      rows.push([
        backend.label,
        `${h.opened} / ${streams}`,
        h.gauge,
        fmt(h.openSeconds, 1),
        kib(h.heapPerStream),
        kib(h.externalPerStream),
        kib(h.rssPerStream),
        fmt(h.healthMs, 1),
        `${fmt(h.heapReturned * 100, 0)} %`,
        h.failures,
      ]);
      figures[`${backend.name}.held`] = h.opened;
      figures[`${backend.name}.heap_bytes_per_stream`] = h.heapPerStream;
      figures[`${backend.name}.rss_bytes_per_stream`] = h.rssPerStream;
      if (streams >= TARGET_STREAMS) {
        targets.push({
          target: `${TARGET_STREAMS} open streams at < 64 KiB heap each, ${backend.label}`,
          measured: `${h.opened} held, ${kib(h.heapPerStream)} KiB`,
          met: h.opened >= TARGET_STREAMS && h.heapPerStream < TARGET_BYTES,
        });
      }
    }
    const markdown = [
      `${streams} chats opened against the service, the fake LLM stalling after the first token, so each is held open mid-answer:`,
      'an SSE response, an upstream request to the LLM, a turn waiting to be stored. Memory is read in the service process after',
      'a full GC (`node --expose-gc`), after a warm-up, before opening them and while all are held; per stream = the difference',
      '/ streams. *external* is Buffers and ArrayBuffers (socket buffers live outside the JS heap), *RSS* the whole process.',
      '`/healthz` p50 is measured while they are held; *heap returned* is how much of the growth a GC gives back once the',
      'clients have gone (a leak would show as far below 100 %).',
      '',
      table(
        ['backend', 'held (first token received)', 'open_streams gauge', 'open all, s', 'heap KiB / stream', 'external KiB / stream', 'RSS KiB / stream', '/healthz p50 ms', 'heap returned', 'failures'],
        rows,
        [false, true, true, true, true, true, true, true, true, true],
      ),
      '',
      ...targets.map((t) => `- ${t.target}: ${t.measured} — ${verdict(t.met)}`),
    ].join('\n');
    return { markdown, figures, targets };
  },
};
