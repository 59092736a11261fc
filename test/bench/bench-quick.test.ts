import { describe, expect, it } from 'vitest';
import { detectEnvironment } from '../../bench/lib/context.js';
import { QUICK } from '../../bench/profile.js';
import { runBench } from '../../bench/run-bench.js';
import { SECTIONS } from '../../bench/sections/index.js';
import { REQUIRE_SERVICES } from '../helpers/databases.js';

// `npm run bench:quick` in-process: every section runs at toy sizes and must produce its figures.
// Nothing here is about speed: the figures only have to exist and make sense.
describe('npm run bench:quick', () => {
  it('runs every section of BENCHMARKS.md and each one produces figures', { timeout: 240_000 }, async () => {
    const environment = await detectEnvironment(process.env);
    if (REQUIRE_SERVICES) expect({ postgres: environment.postgres, redis: environment.redis }).toEqual({ postgres: true, redis: true });
    const report = await runBench(QUICK, { command: 'npm run bench:quick', environment });
    const backends = environment.postgres ? ['pglite', 'postgres'] : ['pglite'];

    expect(report.sections.map((s) => s.title)).toEqual(SECTIONS.map((s) => s.title));
    for (const { title, result } of report.sections) {
      expect(result.pending, `${title}: ${result.markdown}`).not.toBe('failed');
      for (const [name, value] of Object.entries(result.figures)) {
        // The process's RSS can shrink while 100 toy streams are
        // open (the allocator hands pages back to the system), and a per-token cost is the
        // difference of two chats' CPU, which at toy sizes is within the noise: only finite.
        const mayShrink = name.endsWith('.rss_bytes_per_stream') || name.endsWith('_per_token');
        expect(Number.isFinite(value) && (mayShrink || value >= 0), `${title}: ${name} = ${value}`).toBe(true);
      }
      if (result.pending) expect(result.markdown).toContain('Pending');
      else expect(Object.keys(result.figures).length, title).toBeGreaterThan(0);
      expect(report.markdown).toContain(`## ${title}\n`);
    }

    const figures = (title: string) => report.sections.find((s) => s.title === title)!.result.figures;
    for (const b of backends) {
      for (const c of QUICK.firstToken.concurrency) expect(figures('Overhead to first token')).toHaveProperty([`${b}.c${c}.p99_ms`]);
      expect(figures("Where one chat's time goes")[`${b}.first_token_mean_ms`]).toBeGreaterThan(0);
      expect(figures('Open streams per process')[`${b}.held`]).toBe(QUICK.openStreams.streams);
      expect(figures('Chat requests per second')[`${b}.req_per_s`]).toBeGreaterThan(0);
      expect(figures('Retrieval')).toHaveProperty([`${b}.${QUICK.retrieval.sizes[0]}.global.p50_ms`]);
    }
    expect(figures('Open streams per process')['bare.held']).toBe(QUICK.openStreams.streams);
    expect(figures('Chat requests per second')['bare.req_per_s']).toBeGreaterThan(0);
    // The floor under a chat's CPU: its round trips only, on PostgreSQL + Redis.
    if (environment.postgres && environment.redis) expect(figures('Chat requests per second')['floor.req_per_s']).toBeGreaterThan(0);
    // The header names the command, the Node version and the cores.
    expect(report.markdown).toContain('`npm run bench:quick`');
    expect(report.markdown).toContain(process.version);
  });
});
