/**
 * `npx tsx bench/probes/idle-round-trips.ts`: how long one round trip to PostgreSQL (`SELECT 1`
 * through a pg pool) and Redis (`PING`) takes back to back and after a pause, p50/p90 of 400. On a
 * virtual machine a process woken on an idle core answers more slowly: what BENCHMARKS.md's
 * first-token findings cite. BENCH_PG_URL / BENCH_REDIS_URL as for `npm run bench`.
 */
import { Redis } from 'ioredis';
import pg from 'pg';

const pool = new pg.Pool({ connectionString: process.env.BENCH_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432/test', max: 10 });
const redis = new Redis(process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/2');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function measure(name: string, roundTrip: () => Promise<unknown>, pauseMs: number): Promise<void> {
  for (let i = 0; i < 100; i++) await roundTrip();
  const samples: number[] = [];
  for (let i = 0; i < 400; i++) {
    if (pauseMs) await sleep(pauseMs);
    const started = performance.now();
    await roundTrip();
    samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  const us = (q: number) => (samples[Math.floor(q * samples.length)]! * 1000).toFixed(0);
  console.log(`${name.padEnd(12)} pause ${String(pauseMs).padStart(2)} ms   p50 ${us(0.5).padStart(4)} µs   p90 ${us(0.9).padStart(4)} µs`);
}

for (const pause of [0, 1, 5, 20]) {
  await measure('pg SELECT 1', () => pool.query('SELECT 1'), pause);
  await measure('redis PING', () => redis.ping(), pause);
}
await pool.end();
redis.disconnect();
