/**
 * npm run bench:limits — our limiter against rate-limiter-flexible's RateLimiterRedis, on the same
 * Redis, side by side: checks per second and latency percentiles at a fixed concurrency. Writes the
 * figures under "## Rate limiter" in BENCHMARKS.md (other sections are kept).
 *
 * BENCH_REDIS_URL (default redis://127.0.0.1:6379/0), BENCH_CHECKS (default 20000),
 * BENCH_CONCURRENCY (default 50), BENCH_ROUNDS (default 5). Contenders take turns round by round and
 * each figure is the median of its rounds, so a busy neighbour on the machine skews no row alone.
 * Keys live under a prefix of their own and are deleted after.
 */
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { MemoryRateLimiter } from '../src/limits/memory.js';
import { RedisRateLimiter } from '../src/limits/redis.js';
import { createRedisClient } from '../src/limits/redis-client.js';

const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/0';
const CHECKS = Number(process.env.BENCH_CHECKS ?? 20_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 50);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const IDENTITIES = 1000;
const CREATORS = 500;
const CREATOR_LIMIT = 300; // RATE_LIMIT_CREATOR_PER_HOUR's default; 40 checks per creator and round
const LIMIT = 60; // RATE_LIMIT_USER_PER_HOUR's default; 20 checks per identity stay under it
const LOAD_AT_START = os.loadavg()[0]!;
const PREFIX = `bench:limits:${randomBytes(4).toString('hex')}:`;
const BENCHMARKS = new URL('../BENCHMARKS.md', import.meta.url);

interface Contender {
  name: string;
  /** One check for the i-th request; resolves whether it was admitted. */
  check(i: number): Promise<boolean>;
}

interface Result {
  name: string;
  perSecond: number;
  p50: number;
  p99: number;
  admitted: number;
}

/** The i-th request's identity; each round (i / CHECKS) has identities of its own, so none runs out. */
const ip = (i: number) => `ratelimit:ip:r${Math.floor(i / CHECKS)}:10.0.${(i % IDENTITIES) >> 8}.${(i % IDENTITIES) & 255}`;
const creator = (i: number) => `ratelimit:creator:r${Math.floor(i / CHECKS)}:creator-${i % CREATORS}`;

async function run(contender: Contender, offset: number): Promise<Result> {
  const latencies = new Float64Array(CHECKS);
  let next = 0;
  let admitted = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < CHECKS) {
        const i = next++;
        const t = performance.now();
        if (await contender.check(offset + i)) admitted++;
        latencies[i] = performance.now() - t;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort();
  const at = (q: number) => latencies[Math.min(CHECKS - 1, Math.floor(q * CHECKS))]!;
  return { name: contender.name, perSecond: CHECKS / seconds, p50: at(0.5), p99: at(0.99), admitted };
}

/** rate-limiter-flexible rejects with a RateLimiterRes when the key is spent. */
const consumed = (p: Promise<unknown>) => p.then(() => true, (e: unknown) => (e instanceof RateLimiterRes ? false : Promise.reject(e)));

async function main(): Promise<void> {
  const ours = createRedisClient(REDIS_URL);
  const theirs = createRedisClient(REDIS_URL);
  await Promise.all([ours.connect(), theirs.connect()]);
  const ourRedis = new RedisRateLimiter(ours, { prefix: PREFIX });
  const ourMemory = new MemoryRateLimiter();
  const flexRedis = new RateLimiterRedis({ storeClient: theirs, keyPrefix: `${PREFIX}rlf`, points: LIMIT, duration: 3600 });
  const flexRedisCreator = new RateLimiterRedis({ storeClient: theirs, keyPrefix: `${PREFIX}rlf`, points: CREATOR_LIMIT, duration: 3600 });
  const flexMemory = new RateLimiterMemory({ points: LIMIT, duration: 3600 });

  const contenders: Contender[] = [
    { name: 'ours, Redis (sliding window, 1 key)', check: async (i) => (await ourRedis.check([{ key: ip(i), limit: LIMIT }])).rejectedBy === null },
    {
      name: 'ours, Redis (identity + creator, 1 script)',
      check: async (i) => (await ourRedis.check([{ key: `2:${ip(i)}`, limit: LIMIT }, { key: creator(i), limit: CREATOR_LIMIT }])).rejectedBy === null,
    },
    { name: 'rate-limiter-flexible RateLimiterRedis (fixed window, 1 key)', check: (i) => consumed(flexRedis.consume(ip(i))) },
    {
      // Two keys the way a caller must do it with two limiters: two round trips, not atomic.
      name: 'rate-limiter-flexible RateLimiterRedis (identity, then creator)',
      check: async (i) => (await consumed(flexRedis.consume(`2:${ip(i)}`))) && consumed(flexRedisCreator.consume(creator(i))),
    },
    { name: 'ours, in-process', check: async (i) => (await ourMemory.check([{ key: ip(i), limit: LIMIT }])).rejectedBy === null },
    { name: 'rate-limiter-flexible RateLimiterMemory', check: (i) => consumed(flexMemory.consume(ip(i))) },
  ];

  for (const [n, c] of contenders.entries()) {
    // A short warm-up on keys of its own: script loading, JIT.
    await Promise.all(Array.from({ length: 500 }, (_, i) => c.check(1_000_000_000 + n * 1000 + i)));
  }
  const rounds = new Map<string, Result[]>(contenders.map((c) => [c.name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const c of contenders) {
      const r = await run(c, round * CHECKS);
      rounds.get(c.name)!.push(r);
      process.stdout.write(`round ${round + 1}: ${c.name}: ${Math.round(r.perSecond)} checks/s, p99 ${r.p99.toFixed(2)} ms\n`);
    }
  }
  const results = contenders.map((c) => medianOf(rounds.get(c.name)!));

  const keys = await ours.keys(`${PREFIX}*`);
  for (let i = 0; i < keys.length; i += 500) await ours.del(...keys.slice(i, i + 500));
  await Promise.all([ours.quit(), theirs.quit()]);

  const redisVersion = await versionOf(REDIS_URL);
  const section = [
    '## Rate limiter',
    '',
    `\`npm run bench:limits\` — ${CHECKS} checks per row and round, ${CONCURRENCY} in flight, ${IDENTITIES} identities (limit ${LIMIT}/h),`,
    `${CREATORS} creators (limit ${CREATOR_LIMIT}/h), so every check is admitted and every row does the same work;`,
    `median of ${ROUNDS} interleaved rounds. One Redis (${redisVersion}) at 127.0.0.1 for every row; Node ${process.version},`,
    `${os.cpus().length} cores, load average ${LOAD_AT_START.toFixed(1)} when it started (within npm run bench, the earlier sections' own), ${new Date().toISOString().slice(0, 10)}.`,
    '',
    '| limiter | checks/s | p50 ms | p99 ms | admitted |',
    '|---|---:|---:|---:|---:|',
    ...results.map((r) => `| ${r.name} | ${Math.round(r.perSecond)} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${r.admitted}/${CHECKS} |`),
    '',
    'Ours keeps every accepted request of the hour (a sorted set per key, exact sliding window, no burst',
    'at a window edge) and checks identity and creator in one script; rate-limiter-flexible keeps one',
    'counter per fixed window, so it does less work per check but allows up to 2× the limit across an edge,',
    'and two limits take two round trips that are not atomic together.',
    '',
  ].join('\n');
  await writeSection(section);
  process.stdout.write(`\n${section}`);
}

function medianOf(results: Result[]): Result {
  const mid = (f: (r: Result) => number) => [...results].map(f).sort((a, b) => a - b)[Math.floor(results.length / 2)]!;
  return { name: results[0]!.name, perSecond: mid((r) => r.perSecond), p50: mid((r) => r.p50), p99: mid((r) => r.p99), admitted: mid((r) => r.admitted) };
}

async function versionOf(url: string): Promise<string> {
  const client = createRedisClient(url);
  await client.connect();
  const info = await client.info('server');
  await client.quit();
  return `Redis ${/redis_version:(\S+)/.exec(info)?.[1] ?? '?'}`;
}

/** Replaces "## Rate limiter" (up to the next "## ") or appends it; the rest of the file stays. */
async function writeSection(section: string): Promise<void> {
  const current = await readFile(BENCHMARKS, 'utf8').catch(() => '# Benchmarks\n');
  const lines = current.split('\n');
  const start = lines.findIndex((l) => l.trim() === '## Rate limiter');
  if (start === -1) {
    await writeFile(BENCHMARKS, `${current.trimEnd()}\n\n${section}`);
    return;
  }
  let end = lines.findIndex((l, i) => i > start && l.startsWith('## '));
  if (end === -1) end = lines.length;
  const before = lines.slice(0, start).join('\n').trimEnd();
  const after = lines.slice(end).join('\n').trim();
  await writeFile(BENCHMARKS, `${before}\n\n${section}${after ? `\n${after}\n` : ''}`);
}

await main();
