import { readFileSync, unlinkSync } from 'node:fs';
import { open, readFile, unlink } from 'node:fs/promises';
import path from 'node:path';

/** The lock files this process holds, so that its own pid in a lock file is told from a stale one. */
const held = new Set<string>();
process.once('exit', () => {
  for (const file of held) removeIfOurs(file);
});

function removeIfOurs(file: string): void {
  try {
    if (readFileSync(file, 'utf8').trim() === String(process.pid)) unlinkSync(file);
  } catch {
    // Gone already.
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: a process of another user holds the pid; it is alive.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * One process at a time on an embedded data directory. PGlite holds the database in its process's
 * memory and writes it back on its own schedule: a second process (`chrysopedia import` while the
 * server runs) saw its writes vanish, and the server's were at risk too. The lock is a file holding
 * the owner's pid, created exclusively; a lock whose process is gone (a crash, a container restart
 * that reuses the pid) is taken over. Returns the release.
 */
export async function lockDataDir(dir: string): Promise<() => Promise<void>> {
  // Beside the directory, not in it: the directory is PGlite's own (Postgres's data directory).
  const file = `${path.resolve(dir)}.lock`;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const handle = await open(file, 'wx');
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      held.add(file);
      return async () => {
        held.delete(file);
        removeIfOurs(file);
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const pid = Number((await readFile(file, 'utf8').catch(() => '')).trim());
    const stale = !Number.isInteger(pid) || pid <= 0 || (pid === process.pid ? !held.has(file) : !alive(pid));
    if (!stale) {
      throw new Error(
        `the data directory ${dir} is in use by process ${pid}: stop it first, or send documents to its POST /api/v1/import ` +
          `(if no such process uses it, delete ${file})`,
      );
    }
    await unlink(file).catch(() => undefined);
  }
  throw new Error(`could not lock the data directory ${dir} (${file})`);
}
