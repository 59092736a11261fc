import { setMaxListeners } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import { captureAnswer } from '../lib/capture-answer.js';
import { startChild, type BenchChild } from '../lib/child-process.js';
import { fmt, kib, table, verdict } from '../lib/markdown.js';
import { answerTokens, chatBody } from '../lib/questions.js';
import { chatStream, connectionPool, type StreamResult } from '../lib/sse-client.js';
import { quantile } from '../lib/stats.js';
import { DEFAULT_RETENTION } from '../../src/store/event-log.js';
import type { Section, SectionResult, TargetCheck } from './section.js';

const TARGET_BYTES = 64 * 1024;
const TARGET_STREAMS = 1000;

async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs: number): Promise<boolean> {
  const until = performance.now() + timeoutMs;
  while (performance.now() < until) {
    if (await check()) return true;
    await sleep(100);
  }
  return false;
}

/** The service's open streams (0 for the bare route, which has no /metrics). */
async function openStreamCount(url: string): Promise<number> {
  const res = await request(`${url}/metrics`);
  const text = await res.body.text();
  if (res.statusCode !== 200) return 0;
  return Number(/^chrysopedia_open_streams (\d+)/m.exec(text)?.[1] ?? 0);
}

/** /healthz round trips while the streams are held (a 404 on the bare route): how responsive the process still is. */
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
  heapPerStream: number;
  rssPerStream: number;
  externalPerStream: number;
  heapReturned: number;
  healthMs: number;
  failures: number;
}

/**
 * Opens `streams` chats at `child` that stay open after their first token, and reads its memory
 * (after full GCs) before and while they are held, and after the clients have gone.
 */
async function holdStreams(child: BenchChild, streams: number, snapshots: string | undefined, name: string): Promise<Held> {
  await sleep(300);
  const before = await child.call<NodeJS.MemoryUsage>('memory');
  if (snapshots) await child.call('heapSnapshot', `${snapshots}/${name}-before.heapsnapshot`);

  const pool = connectionPool(child.url, streams);
  const abort = new AbortController();
  setMaxListeners(0, abort.signal);
  let firstTokens = 0;
  const t = performance.now();
  const running: Promise<StreamResult>[] = [];
  for (let i = 0; i < streams; i++) {
    running.push(chatStream(pool, chatBody(i), { signal: abort.signal, onFirstToken: () => void firstTokens++ }));
    // Open them at a steady pace rather than in one burst of SYNs.
    if (i % 50 === 49) await sleep(5);
  }
  await waitFor(() => firstTokens >= streams, 240_000);
  const openSeconds = (performance.now() - t) / 1000;
  const healthMs = await healthLatency(child.url, 20);
  const held = await child.call<NodeJS.MemoryUsage>('memory');
  if (snapshots) await child.call('heapSnapshot', `${snapshots}/${name}-held.heapsnapshot`);

  abort.abort();
  const results = await Promise.all(running);
  await pool.destroy();
  // A client gone leaves its answer running for CHAT_RESUME_GRACE_MS (a reader may come back):
  // "after" is read once the service has let them all go.
  await waitFor(async () => (await openStreamCount(child.url)) === 0, 60_000);
  await sleep(1000);
  const after = await child.call<NodeJS.MemoryUsage>('memory');
  return {
    opened: firstTokens,
    openSeconds,
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
 * Chats first, so that what grows later is the streams' own cost, not JIT or pools warming up;
 * each is cut at its first token (an extractive answer at its slowest takes minutes to finish).
 */
async function warmUp(url: string, chats: number, settle = true): Promise<void> {
  const pool = connectionPool(url, 20);
  let next = 0;
  await Promise.all(
    Array.from({ length: 20 }, async () => {
      while (next < chats) {
        const abort = new AbortController();
        await chatStream(pool, chatBody(next++), { signal: abort.signal, onFirstToken: () => abort.abort() });
      }
    }),
  );
  await pool.destroy();
  // The warm-up's finished streams stay in the event log for a while (a late resume reads them
  // there); measuring before they have left would count their leaving as the held streams' gain.
  // Cut answers run out their grace first (CHAT_RESUME_GRACE_MS, 15 s by default).
  if (settle) await sleep(15_000 + DEFAULT_RETENTION.finishedMs + 6000);
}

/**
 * How many chat streams one service process holds open, and what each costs in memory: streams
 * whose LLM stalls after the first token (so each is a live SSE response, a live upstream request
 * and a pending turn), heap measured in the service after a full GC before and while they are held.
 * Two rows split the cost: the service without an LLM, and a bare Fastify route holding a stream.
 */
export const openStreamsSection: Section = {
  title: 'Open streams per process',
  async run(ctx): Promise<SectionResult> {
    const { streams, warmup } = ctx.profile.openStreams;
    // Toy sizes judge nothing: only the full run waits for the warm-up to leave the event log.
    const settle = streams >= TARGET_STREAMS;
    const snapshots = process.env.BENCH_HEAP_SNAPSHOTS;
    const fake = await ctx.fakeLlm();
    const figures: Record<string, number> = {};
    const rows: (string | number)[][] = [];
    const targets: TargetCheck[] = [];
    const report = (label: string, key: string, h: Held) => {
      ctx.log(`open streams, ${label}: ${h.opened}/${streams} held, ${kib(h.heapPerStream)} KiB heap each`);
      rows.push([label, `${h.opened} / ${streams}`, fmt(h.openSeconds, 1), kib(h.heapPerStream), kib(h.externalPerStream), kib(h.rssPerStream), fmt(h.healthMs, 1), `${fmt(h.heapReturned * 100, 0)} %`, h.failures]);
      figures[`${key}.held`] = h.opened;
      figures[`${key}.heap_bytes_per_stream`] = h.heapPerStream;
      figures[`${key}.rss_bytes_per_stream`] = h.rssPerStream;
    };

    for (const backend of ctx.backends) {
      const service = await ctx.service(backend.name);
      await fake.call('reply', { tokens: answerTokens(10) });
      await warmUp(service.url, warmup, settle);
      await fake.call('reply', { tokens: answerTokens(10), stallAfterTokens: 1 });
      const h = await holdStreams(service, streams, snapshots, backend.name);
      report(`chat, ${backend.label}`, backend.name, h);
      if (streams >= TARGET_STREAMS) {
        targets.push({
          target: `${TARGET_STREAMS} open streams at < 64 KiB heap each, ${backend.label}`,
          measured: `${h.opened} held, ${kib(h.heapPerStream)} KiB`,
          met: h.opened >= TARGET_STREAMS && h.heapPerStream < TARGET_BYTES,
        });
      }
    }

    // The same without the LLM client: the extractive answerer sends its first piece, then one every 5 s.
    const extractive = await ctx.extractiveService();
    await warmUp(extractive.url, warmup, settle);
    report('chat without an LLM (extractive answerer), embedded', 'extractive', await holdStreams(extractive, streams, snapshots, 'extractive'));

    // The floor: Fastify and an SSE response held open, nothing else.
    await fake.call('reply', { tokens: answerTokens(10) });
    const answer = await captureAnswer((await ctx.service('pglite')).url);
    const bare = await startChild('bare', { nodeFlags: ['--expose-gc'] });
    try {
      await bare.call('answer', answer);
      await warmUp(bare.url, warmup, false);
      await bare.call('mode', 'hold');
      report('bare Fastify route holding an SSE response', 'bare', await holdStreams(bare, streams, snapshots, 'bare'));
    } finally {
      await bare.stop();
    }

    const markdown = [
      `${streams} chats opened against one service process, the fake LLM stalling after the first token, so each is held open`,
      'mid-answer: an SSE response, an upstream request to the LLM, a turn waiting to be stored, and its events in the event log',
      '(in process embedded, in Redis with PostgreSQL + Redis). Memory is read in the server',
      'process after full GCs (`node --expose-gc`), after a warm-up, before opening them and while all are held; per stream = the',
      'difference / streams. *external* is Buffers and ArrayBuffers (socket buffers live outside the JS heap), *RSS* the whole',
      'process. `/healthz` p50 is measured while they are held; *heap returned* is how much of the growth a GC gives back once the',
      'clients have gone and the service has let their answers go (each waits CHAT_RESUME_GRACE_MS for a reader; a leak would show as far below 100 %). The last two rows split the cost: the same service without an',
      'LLM (no upstream request), and a bare Fastify route that sends the first two events and holds the response open.',
      '',
      table(
        ['server', 'held (first token received)', 'open all, s', 'heap KiB / stream', 'external KiB / stream', 'RSS KiB / stream', '/healthz p50 ms', 'heap returned', 'failures'],
        rows,
        [false, true, true, true, true, true, true, true, true],
      ),
      '',
      ...targets.map((t) => `- ${t.target}: ${t.measured} — ${verdict(t.met)}`),
    ].join('\n');
    return { markdown, figures, targets };
  },
};
