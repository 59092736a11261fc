import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgliteDb } from '../../src/store/pg/pglite-db.js';
import { ROOT } from '../helpers/spawn-server.js';

const run = promisify(execFile);
let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'chrysopedia-lock-'));
});
afterAll(async () => rm(dataDir, { recursive: true, force: true }));

const pgliteDir = () => path.join(dataDir, 'pglite');

/** `chrysopedia users create` on the data dir, as a second process: its exit code and stderr. */
async function createUser(name: string): Promise<{ code: number; stderr: string }> {
  const child = spawn(process.execPath, ['bin/chrysopedia.js', 'users', 'create', '--name', name], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', DATA_DIR: dataDir, LOAD_DEMO_KB: 'false' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const [code] = (await once(child, 'exit')) as [number];
  return { code, stderr };
}

describe('one process at a time on an embedded data directory', () => {
  it('a second process is refused in one line, and nothing it meant to write is lost: it is written once the first has gone', async () => {
    const server = await PgliteDb.open(pgliteDir());
    let refused: { code: number; stderr: string };
    try {
      refused = await createUser('while-open');
    } finally {
      await server.close();
    }
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(new RegExp(`in use by process ${process.pid}`));
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);

    const accepted = await createUser('after-close');
    expect(accepted).toMatchObject({ code: 0 });
    const db = await PgliteDb.open(pgliteDir());
    try {
      expect((await db.query<{ name: string }>('SELECT name FROM users ORDER BY name')).map((r) => r.name)).toEqual(['after-close']);
    } finally {
      await db.close();
    }
  }, 120_000);

  it('within one process too; and the directory is free again once closed', async () => {
    const first = await PgliteDb.open(pgliteDir());
    await expect(PgliteDb.open(pgliteDir())).rejects.toThrow(/in use by process/);
    await first.close();
    const second = await PgliteDb.open(pgliteDir());
    await second.close();
  }, 60_000);

  it("takes over the lock of a process that has gone (a crash, or a restarted container's reused pid)", async () => {
    const { stdout } = await run(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
    for (const pid of [stdout, String(process.pid), 'not a pid']) {
      await writeFile(`${pgliteDir()}.lock`, `${pid}\n`);
      const db = await PgliteDb.open(pgliteDir());
      await db.close();
    }
  }, 60_000);
});
