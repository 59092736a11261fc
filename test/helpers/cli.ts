import { vi } from 'vitest';
import { main } from '../../src/cli/main.js';

/**
 * Runs `chrysopedia …args` in-process on an embedded data dir (never DATABASE_URL); returns what
 * it printed and its exit code.
 */
export async function runCli(dataDir: string, args: string[], env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((s) => (out.push(String(s)), true));
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation((s) => (err.push(String(s)), true));
  const vars = { DATA_DIR: dataDir, LOAD_DEMO_KB: 'false', ...env };
  const saved = Object.fromEntries(['DATABASE_URL', ...Object.keys(vars)].map((k) => [k, process.env[k]]));
  Object.assign(process.env, vars);
  delete process.env.DATABASE_URL;
  process.exitCode = undefined;
  try {
    await main(['node', 'chrysopedia', ...args]);
    return { stdout: out.join(''), stderr: err.join(''), code: process.exitCode ?? 0 };
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    process.exitCode = undefined;
  }
}
