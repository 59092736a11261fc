import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createParser } from 'eventsource-parser';
import { ROOT, spawnServer } from '../helpers/spawn-server.js';

describe('process lifecycle', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'chrysopedia-life-'));
  });
  afterAll(async () => rm(dataDir, { recursive: true, force: true }));

  it('exits 1 with one line naming the variable when configuration is bad', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', PORT: 'abc', DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const [code] = (await once(child, 'exit')) as [number];
    expect(code).toBe(1);
    const lines = stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/PORT/);
  });

  it('on SIGTERM lets an open stream finish with done and refuses new connections', async () => {
    const server = await spawnServer({ DATA_DIR: dataDir, EXTRACTIVE_CHUNK_DELAY_MS: '40', SHUTDOWN_GRACE_MS: '20000' });
    const res = await fetch(`${server.url}/api/v1/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'how do I make my kick cut through the mix?' }),
    });
    const events: string[] = [];
    const parser = createParser({ onEvent: (e) => events.push(e.event ?? 'message') });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let signalled = false;
    let refused: unknown = null;
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      parser.feed(decoder.decode(value, { stream: true }));
      if (!signalled && events.includes('token')) {
        signalled = true;
        server.child.kill('SIGTERM');
        await new Promise((r) => setTimeout(r, 300));
        refused = await fetch(`${server.url}/healthz`).then(
          (r) => r.status,
          (err: unknown) => err,
        );
      }
    }
    expect(signalled).toBe(true);
    expect(events.at(-1)).toBe('done');
    expect(refused).toBeInstanceOf(Error);
    const [code] = (await once(server.child, 'exit')) as [number];
    expect(code).toBe(0);
  }, 60_000);
});
