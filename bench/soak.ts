// npm run soak: SOAK_SECONDS (default 600) of CONCURRENCY (default 100) chat streams against the
// real server process and the fake LLM; samples the server's RSS and heap from its own /metrics and
// writes the "## Soak" section of BENCHMARKS.md. Exits 1 on any error or memory growth over 10 %.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { createParser } from 'eventsource-parser';
import { startFakeLlm } from './fake-llm.js';
import { createServer, type AddressInfo } from 'node:net';
import { spawnServer } from '../test/helpers/spawn-server.js';

const SECONDS = Number(process.env.SOAK_SECONDS ?? 600);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 100);
const SAMPLE_MS = Math.max(500, Math.min(2_000, (SECONDS * 1000) / 60));
const QUESTIONS = [
  'how do I make my kick cut through the mix?',
  'sidechain compression release time',
  'how many cents should I detune a reese bass?',
  'what grain size for granular pads?',
  'de-essing a bright vocal',
  'CC1 and CC11 in string libraries',
  'how do I chop a disco string stab?',
  'how do I bake sourdough bread?',
];

async function metric(base: string, name: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
  return Number(line?.split(' ').at(-1) ?? NaN);
}

async function oneChat(base: string, i: number): Promise<'done' | string> {
  const res = await fetch(`${base}/api/v1/chat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: QUESTIONS[i % QUESTIONS.length], creator: i % 3 === 0 ? 'mira-vox' : null }),
  });
  if (res.status !== 200) return `http ${res.status}`;
  let last = '';
  const parser = createParser({
    onEvent: (e) => {
      last = e.event ?? '';
      if (last === 'error') last = `error ${(JSON.parse(e.data) as { code?: string }).code ?? ''}`;
    },
  });
  const decoder = new TextDecoder();
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) parser.feed(decoder.decode(chunk, { stream: true }));
  return last === 'done' ? 'done' : `ended with ${last || 'nothing'}`;
}

async function freePort(): Promise<number> {
  const probe = createServer().listen(0, '127.0.0.1');
  await new Promise((r) => probe.once('listening', r));
  const { port } = probe.address() as AddressInfo;
  await new Promise((r) => probe.close(r));
  return port;
}

const llm = await startFakeLlm({ reply: { text: 'Duck the bass with a sidechain compressor keyed from the kick [1], release about a quarter note [2].', firstTokenDelayMs: 50, tokenIntervalMs: 10 } });
const dataDir = await mkdtemp(path.join(tmpdir(), 'chrysopedia-soak-'));
const server = await spawnServer({
  DATA_DIR: dataDir,
  PORT: String(await freePort()),
  LOG_LEVEL: process.env.SOAK_LOG_LEVEL ?? 'warn',
  LLM_BASE_URL: llm.baseUrl,
  LLM_API_KEY: 'soak',
  RATE_LIMIT_IP_PER_HOUR: '100000000',
  RATE_LIMIT_CREATOR_PER_HOUR: '100000000',
});
const base = server.url;
const samples: { t: number; rss: number; heap: number; live: number; done: number }[] = [];
let done = 0;
const errors = new Map<string, number>();
const until = Date.now() + SECONDS * 1000;
const started = Date.now();

const sampler = setInterval(() => {
  void Promise.all([
    metric(base, 'chrysopedia_process_resident_memory_bytes'),
    metric(base, 'chrysopedia_nodejs_heap_size_used_bytes'),
    metric(base, 'chrysopedia_nodejs_heap_live_after_gc_bytes'),
  ]).then(([rss, heap, live]) => samples.push({ t: (Date.now() - started) / 1000, rss, heap, live, done }),
  );
}, SAMPLE_MS);

await Promise.all(
  Array.from({ length: CONCURRENCY }, async (_, worker) => {
    for (let i = worker; Date.now() < until; i += CONCURRENCY) {
      const outcome = await oneChat(base, i).catch((err: unknown) => `exception ${err instanceof Error ? err.message : String(err)}`);
      if (outcome === 'done') done += 1;
      else errors.set(outcome, (errors.get(outcome) ?? 0) + 1);
    }
  }),
);
clearInterval(sampler);
if (process.env.SOAK_SERVER_LOG) await writeFile(process.env.SOAK_SERVER_LOG, server.output());
// What the server itself said went wrong (warn and above), for the report.
const serverProblems = server
  .output()
  .split('\n')
  .filter((l) => /"level":(40|50|60)/.test(l))
  .map((l) => {
    const { msg, code, upstream, err } = JSON.parse(l) as { msg?: string; code?: string; upstream?: { reason?: string; status?: number }; err?: { message?: string } };
    return [msg, code, upstream?.reason, upstream?.status, err?.message].filter(Boolean).join(' · ');
  });
const [turns] = await (async () => {
  await server.stop();
  const { PgliteDb } = await import('../src/store/pg/pglite-db.js');
  const db = await PgliteDb.open(path.join(dataDir, 'pglite'));
  const rows = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM turns WHERE finish_reason = 'stop'");
  await db.close();
  return [rows[0]?.n ?? 0];
})();
await llm.close();
await rm(dataDir, { recursive: true, force: true });

// Compare the last minute with the second (or the last and second tenths of a short run), each by
// its mean. The heap by what full GCs leave alive (the server's own gauge): heap used is a
// sawtooth of tens of MiB between full GCs, so its mean mostly says when the last GC ran.
const window = Math.max(SECONDS / 10, Math.min(60, SECONDS / 3));
const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(xs.length, 1);
const second = samples.filter((s) => s.t >= window && s.t < 2 * window);
const last = samples.filter((s) => s.t >= SECONDS - window);
type Measure = 'rss' | 'live' | 'heap';
const value = (k: Measure, xs: typeof samples) => avg(xs.map((s) => s[k]).filter((v) => v > 0));
const growth = (k: Measure) => value(k, last) / value(k, second) - 1;
const errorCount = [...errors.values()].reduce((a, b) => a + b, 0);
const mb = (b: number) => (b / 1024 / 1024).toFixed(1);
const flat = Math.abs(growth('rss')) <= 0.1 && Math.abs(growth('live')) <= 0.1;
const cell = (k: Measure) => `${mb(value(k, second))} → ${mb(value(k, last))} MiB (${(growth(k) * 100).toFixed(1)} %)`;
const BUCKET = Math.max(5, Math.round(SECONDS / 20));
const buckets = new Map<number, typeof samples>();
for (const s of samples) buckets.set(Math.floor(s.t / BUCKET), [...(buckets.get(Math.floor(s.t / BUCKET)) ?? []), s]);

const section = [
  '## Soak',
  '',
  `Command: \`SOAK_SECONDS=${SECONDS} CONCURRENCY=${CONCURRENCY} npm run soak\` · ${new Date().toISOString().slice(0, 10)} · Node ${process.version} · ${cpus().length} cores`,
  '',
  `The real server process (embedded PGlite) with the fake LLM (50 ms to first token, 10 ms per token); ${CONCURRENCY} clients each asking one question after another for ${SECONDS} s.`,
  `Memory is read from the server's own /metrics every ${SAMPLE_MS / 1000} s; a ${window.toFixed(0)} s window at the start (the second) is compared with the last.`,
  'Each by its mean over the window. *Live heap* is the heap a full (mark-compact) GC leaves, the server\'s',
  '`chrysopedia_nodejs_heap_live_after_gc_bytes`: heap used rises and falls by tens of MiB between full GCs, so its mean',
  'mostly says when the last GC ran, while what survives a GC is what a leak grows.',
  '',
  `| completed streams | errors | turns stored (stop) | RSS | live heap (after full GC) | heap used (for scale) | verdict |`,
  '|---|---|---|---|---|---|---|',
  `| ${done} | ${errorCount}${errorCount ? ` (${[...errors].map(([k, v]) => `${k}: ${v}`).join(', ')})` : ''} | ${turns} | ${cell('rss')} | ${cell('live')} | ${cell('heap')} | ${flat && errorCount === 0 && turns === done ? 'flat, no errors' : 'NOT flat or errors'} |`,
  '',
  ...(serverProblems.length > 0
    ? ['Warnings and errors the server logged:', '', ...[...new Set(serverProblems)].slice(0, 10).map((p) => `- ${p}`), '']
    : []),
  `Every ${BUCKET} s (from, s · RSS MiB · live heap MiB · heap used MiB · streams completed; means):`,
  '',
  '```',
  ...[...buckets].map(([b, xs]) =>
    [String(b * BUCKET).padStart(5), mb(avg(xs.map((x) => x.rss))).padStart(7), mb(value('live', xs)).padStart(7), mb(avg(xs.map((x) => x.heap))).padStart(7), String(xs.at(-1)?.done ?? 0).padStart(7)].join('  '),
  ),
  '```',
  '',
].join('\n');

const file = new URL('../BENCHMARKS.md', import.meta.url);
const existing = await readFile(file, 'utf8').catch(() => '# Benchmarks\n\n');
const replaced = /^## Soak\n[\s\S]*?(?=^## |(?![\s\S]))/m.test(existing)
  ? existing.replace(/^## Soak\n[\s\S]*?(?=^## |(?![\s\S]))/m, `${section}\n`)
  : `${existing.trimEnd()}\n\n${section}`;
await writeFile(file, replaced);
console.log(section);
process.exit(flat && errorCount === 0 && turns === done ? 0 : 1);
