import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshPostgresUrl, postgresAvailable } from '../helpers/databases.js';
import { freePort, OwnRedisServer, redisServerAvailable } from '../helpers/redis.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** A real server process: `node --import tsx src/server.ts`, configured by env alone. */
class ServerProcess {
  private output = '';
  private constructor(
    readonly url: string,
    private readonly child: ChildProcess,
  ) {
    child.stdout?.on('data', (d: Buffer) => (this.output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (this.output += d.toString()));
  }

  static async start(env: Record<string, string>): Promise<ServerProcess> {
    const port = await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', HOST: '127.0.0.1', PORT: String(port), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const server = new ServerProcess(`http://127.0.0.1:${port}`, child);
    await server.waitHealthy();
    return server;
  }

  private async waitHealthy(): Promise<void> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (this.child.exitCode !== null) throw new Error(`server exited early:\n${this.output}`);
      const ok = await fetch(`${this.url}/healthz`).then((r) => r.ok, () => false);
      if (ok) return;
      if (Date.now() > deadline) throw new Error(`server did not become healthy:\n${this.output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    this.child.kill('SIGTERM');
    await once(this.child, 'exit');
  }
}

describe.runIf(redisServerAvailable)('two replicas sharing one Redis', () => {
  let redis: OwnRedisServer;
  const servers: ServerProcess[] = [];
  const dirs: string[] = [];

  beforeAll(async () => {
    redis = await OwnRedisServer.start();
    const started = await Promise.all(
      [0, 1].map(async () => {
        // PostgreSQL when it answers (an embedded PGlite data dir takes many seconds to create).
        const database: Record<string, string> = postgresAvailable
          ? { DATABASE_URL: await freshPostgresUrl() }
          : { DATA_DIR: await mkdtemp(path.join(tmpdir(), 'chrysopedia-replica-')) };
        if (database.DATA_DIR) dirs.push(database.DATA_DIR);
        return ServerProcess.start({
          ...database,
          REDIS_URL: redis.url,
          RATE_LIMIT_IP_PER_HOUR: '5',
          // X-Forwarded-For gives the warm-up its own client address.
          TRUST_PROXY: '1',
          LOAD_DEMO_KB: 'false',
          EXTRACTIVE_CHUNK_DELAY_MS: '0',
          LOG_LEVEL: 'warn',
        });
      }),
    );
    servers.push(...started);
  }, 60_000);

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    await redis?.stop();
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });

  const ask = (server: ServerProcess, ip: string) =>
    fetch(`${server.url}/api/v1/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': ip },
      body: JSON.stringify({ query: 'sidechain compression' }),
    });

  it('admits exactly 5 of 10 requests spread over both, with a limit of 5', async () => {
    // One request from another address first, so that each replica's Redis connection and script
    // are ready: a first check that outlasts the command timeout on a loaded machine would be
    // counted in process (RATE_LIMIT_FAIL=open), which is the outage behaviour, not this test's.
    for (const server of servers) {
      const warm = await ask(server, '10.0.0.1');
      await warm.text();
      expect(warm.status).toBe(200);
    }
    const responses = await Promise.all(
      Array.from({ length: 10 }, async (_, i) => {
        const res = await ask(servers[i % 2]!, '10.0.0.2');
        await res.text();
        return res;
      }),
    );
    const statuses = responses.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429, 429, 429, 429]);
  });
});
