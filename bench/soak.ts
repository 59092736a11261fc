// npm run soak: SOAK_SECONDS (default 600) of CONCURRENCY (default 100) chat streams against the
// real server process and the fake LLM; samples the server's RSS and heap from its own /metrics and
// writes the "## Soak" section of BENCHMARKS.md. Exits 1 on any error or memory growth over 10 %.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { createParser } from 'eventsource-parser';
import { startFakeLlm } from './fake-llm.js';
import { spawnServer } from '../test/helpers/spawn-server.js';

const SECONDS = Number(process.env.SOAK_SECONDS ?? 600);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 100);
const SAMPLE_MS = Math.max(1000, Math.min(10_000, (SECONDS * 1000) / 30));
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
  const parser = createParser({ onEvent: (e) => (last = e.event ?? '') });
  const decoder = new TextDecoder();
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) parser.feed(decoder.decode(chunk, { stream: true }));
  return last === 'done' ? 'done' : `ended with ${last || 'nothing'}`;
}

const llm = await startFakeLlm({ reply: { text: 'Duck the bass with a sidechain compressor keyed from the kick [1], release about a quarter note [2].', firstTokenDelayMs: 50, tokenIntervalMs: 10 } });
const dataDir = await mkdtemp(path.join(tmpdir(), 'chrysopedia-soak-'));
const server = await spawnServer({
  DATA_DIR: dataDir,
  LLM_BASE_URL: llm.baseUrl,
  LLM_API_KEY: 'soak',
  RATE_LIMIT_IP_PER_HOUR: '100000000',
  RATE_LIMIT_CREATOR_PER_HOUR: '100000000',
});
const base = server.url;
const samples: { t: number; rss: number; heap: number; done: number }[] = [];
let done = 0;
const errors = new Map<string, number>();
const until = Date.now() + SECONDS * 1000;
const started = Date.now();

const sampler = setInterval(() => {
  void Promise.all([metric(base, 'chrysopedia_process_resident_memory_bytes'), metric(base, 'chrysopedia_nodejs_heap_size_used_bytes')]).then(
    ([rss, heap]) => samples.push({ t: (Date.now() - started) / 1000, rss, heap, done }),
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

// Compare the last minute with the second (or the last and second tenths of a short run).
const window = Math.max(SECONDS / 10, Math.min(60, SECONDS / 3));
const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(xs.length, 1);
const second = samples.filter((s) => s.t >= window && s.t < 2 * window);
const last = samples.filter((s) => s.t >= SECONDS - window);
const growth = (k: 'rss' | 'heap') => avg(last.map((s) => s[k])) / avg(second.map((s) => s[k])) - 1;
const errorCount = [...errors.values()].reduce((a, b) => a + b, 0);
const mb = (b: number) => (b / 1024 / 1024).toFixed(1);
const flat = Math.abs(growth('rss')) <= 0.1 && Math.abs(growth('heap')) <= 0.1;

const section = [
  '## Soak',
  '',
  `Command: \`SOAK_SECONDS=${SECONDS} CONCURRENCY=${CONCURRENCY} npm run soak\` · ${new Date().toISOString().slice(0, 10)} · Node ${process.version} · ${cpus().length} cores`,
  '',
  `The real server process (embedded PGlite) with the fake LLM (50 ms to first token, 10 ms per token); ${CONCURRENCY} clients each asking one question after another for ${SECONDS} s.`,
  '',
  `| completed streams | errors | turns stored (stop) | RSS, ${window.toFixed(0)} s window 2 → last | heap used, window 2 → last | verdict |`,
  '|---|---|---|---|---|---|',
  `| ${done} | ${errorCount}${errorCount ? ` (${[...errors].map(([k, v]) => `${k}: ${v}`).join(', ')})` : ''} | ${turns} | ${mb(avg(second.map((s) => s.rss)))} → ${mb(avg(last.map((s) => s.rss)))} MiB (${(growth('rss') * 100).toFixed(1)} %) | ${mb(avg(second.map((s) => s.heap)))} → ${mb(avg(last.map((s) => s.heap)))} MiB (${(growth('heap') * 100).toFixed(1)} %) | ${flat && errorCount === 0 ? 'flat, no errors' : 'NOT flat or errors'} |`,
  '',
  'Samples (s, RSS MiB, heap MiB, streams completed):',
  '',
  '```',
  ...samples.map((s) => `${s.t.toFixed(0).padStart(4)}  ${mb(s.rss).padStart(7)}  ${mb(s.heap).padStart(7)}  ${s.done}`),
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
