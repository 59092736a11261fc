import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import type { Profile } from '../profile.js';
import { startChild, type BenchChild } from './child-process.js';
import { answerTokens, chatBody } from './questions.js';
import { closedLoop, connectionPool } from './sse-client.js';
import { createThrowawayDatabase, postgresReachable, type ThrowawayDatabase } from './throwaway-postgres.js';

export type BackendName = 'pglite' | 'postgres';

export interface Backend {
  name: BackendName;
  label: string;
}

export const BACKENDS: Record<BackendName, Backend> = {
  pglite: { name: 'pglite', label: 'embedded (PGlite)' },
  postgres: { name: 'postgres', label: 'PostgreSQL + Redis' },
};

// High enough that no benchmark request is ever rate limited: the limiter's cost is measured, not its refusals.
const NO_LIMIT = String(1_000_000_000);

export interface BenchEnvironment {
  pgAdminUrl: string;
  redisUrl: string;
  postgres: boolean;
  redis: boolean;
  /** BENCH_CPU_PROF: a directory for CPU profiles of the service during the measured windows. */
  cpuProfileDir: string | null;
}

/**
 * What the sections share: the profile, the machine's services, one fake LLM process (each
 * section sets its reply) and one service process per backend, started on first use and kept
 * for the whole run (startup, migrations and the demo knowledge base load are not measured).
 */
export class BenchContext {
  /** The cores the benchmark's processes share. */
  readonly cores = os.availableParallelism();
  private fake: Promise<BenchChild> | null = null;
  private readonly services = new Map<string, Promise<BenchChild>>();
  private readonly cleanups: (() => Promise<void>)[] = [];

  constructor(
    readonly profile: Profile,
    readonly env: BenchEnvironment,
    readonly log: (line: string) => void,
  ) {}

  /** The backends this machine can run: PGlite always, PostgreSQL when it answers. */
  get backends(): Backend[] {
    if (!this.env.postgres) return [BACKENDS.pglite];
    return [BACKENDS.pglite, this.env.redis ? BACKENDS.postgres : { name: 'postgres', label: 'PostgreSQL (Redis not reachable)' }];
  }

  fakeLlm(): Promise<BenchChild> {
    this.fake ??= startChild('fake-llm').then((child) => {
      this.cleanups.push(() => child.stop());
      return child;
    });
    return this.fake;
  }

  service(backend: BackendName): Promise<BenchChild> {
    return this.once(backend, () => this.startService(backend));
  }

  /** The embedded service without an LLM: the extractive answerer, a chunk every 5 s (its slowest). */
  extractiveService(): Promise<BenchChild> {
    return this.once('extractive', () => this.startService('pglite', { llm: false }));
  }

  private once(key: string, start: () => Promise<BenchChild>): Promise<BenchChild> {
    let started = this.services.get(key);
    if (!started) {
      started = start();
      this.services.set(key, started);
    }
    return started;
  }

  /** A temporary directory removed at the end of the run. */
  async tempDir(prefix: string): Promise<string> {
    const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
    this.cleanups.push(() => rm(dir, { recursive: true, force: true }));
    return dir;
  }

  /** A fresh PostgreSQL database dropped at the end of the run. */
  async throwawayDatabase(): Promise<ThrowawayDatabase> {
    const db = await createThrowawayDatabase(this.env.pgAdminUrl);
    this.cleanups.push(() => db.drop());
    return db;
  }

  private async startService(backend: BackendName, options: { llm: boolean } = { llm: true }): Promise<BenchChild> {
    const llm: Record<string, string> = options.llm
      ? { LLM_BASE_URL: (await this.fakeLlm()).url, LLM_API_KEY: 'bench', LLM_MODEL: 'bench-model' }
      : { EXTRACTIVE_CHUNK_DELAY_MS: '5000' };
    const env: Record<string, string> = {
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'info',
      ...llm,
      // Held-open streams stall after their first token for as long as the benchmark needs.
      LLM_IDLE_TIMEOUT_MS: '600000',
      RATE_LIMIT_USER_PER_HOUR: NO_LIMIT,
      RATE_LIMIT_IP_PER_HOUR: NO_LIMIT,
      RATE_LIMIT_CREATOR_PER_HOUR: NO_LIMIT,
      SHUTDOWN_GRACE_MS: '1000',
    };
    if (backend === 'pglite') {
      env.DATA_DIR = await this.tempDir('bench-pglite-');
    } else {
      env.DATABASE_URL = (await this.throwawayDatabase()).url;
      if (this.env.redis) env.REDIS_URL = this.env.redisUrl;
    }
    this.log(`starting the service (${BACKENDS[backend].label}${options.llm ? '' : ', no LLM'})`);
    // Services stop before the databases they use are dropped: cleanups run last-in, first-out.
    const child = await startChild('service', { env, nodeFlags: ['--expose-gc'] });
    this.cleanups.push(() => child.stop());
    if (options.llm) await this.jitWarmup(child);
    return child;
  }

  /**
   * The profile's warm-up chats with an instant 50-token answer, the section's reply put back
   * after: what a section measures is a server that has run a while, not V8 compiling it.
   */
  private async jitWarmup(service: BenchChild): Promise<void> {
    const chats = this.profile.jitWarmupChats;
    if (chats <= 0) return;
    const fake = await this.fakeLlm();
    const previous = await fake.call('reply', { tokens: answerTokens(50) });
    const clients = Math.min(50, chats);
    const pool = connectionPool(service.url, clients);
    const started = performance.now();
    try {
      await closedLoop(pool, { concurrency: clients, perClient: Math.ceil(chats / clients), body: chatBody });
    } finally {
      await pool.close();
      await fake.call('reply', previous);
    }
    this.log(`JIT warm-up: ${chats} chats in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }

  /** Runs fn; with BENCH_CPU_PROF, the service's CPU profile of just that window goes to <dir>/<name>.cpuprofile. */
  async profiled<T>(service: BenchChild, name: string, fn: () => Promise<T>): Promise<T> {
    const dir = this.env.cpuProfileDir;
    if (!dir) return fn();
    await mkdir(dir, { recursive: true });
    await service.call('profileStart');
    try {
      return await fn();
    } finally {
      const file = await service.call<string>('profileStop', path.join(dir, `${name.replace(/[^\w.-]+/g, '-')}.cpuprofile`));
      this.log(`CPU profile: ${file}`);
    }
  }

  async close(): Promise<void> {
    for (const cleanup of this.cleanups.splice(0).reverse()) {
      await cleanup().catch((err: unknown) => this.log(`cleanup failed: ${err instanceof Error ? err.message : String(err)}`));
    }
    if (this.env.redis) await deleteRateLimitKeys(this.env.redisUrl);
  }
}

export async function redisReachable(url: string): Promise<boolean> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 1000, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/** The benchmark's Redis database holds only what its runs left there: the limiter's keys. */
async function deleteRateLimitKeys(url: string): Promise<void> {
  const client = new Redis(url, { maxRetriesPerRequest: 0, connectTimeout: 1000 });
  client.on('error', () => undefined);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', 'ratelimit:*', 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await client.del(...keys);
    } while (cursor !== '0');
  } finally {
    client.disconnect();
  }
}

export async function detectEnvironment(env: Record<string, string | undefined>): Promise<BenchEnvironment> {
  const pgAdminUrl = env.BENCH_PG_URL ?? env.TEST_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';
  // A database number of its own, so that the limiter's keys from a run never meet anyone else's.
  const redisUrl = env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/2';
  const [postgres, redis] = await Promise.all([postgresReachable(pgAdminUrl), redisReachable(redisUrl)]);
  return { pgAdminUrl, redisUrl, postgres, redis, cpuProfileDir: env.BENCH_CPU_PROF ? path.resolve(env.BENCH_CPU_PROF) : null };
}
