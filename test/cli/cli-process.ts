import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { ROOT } from '../helpers/spawn-server.js';

export interface CliOptions {
  /** Piped to stdin, then closed (EOF); without it stdin is empty. */
  input?: string;
  env?: Record<string, string>;
  /** The script run: the installed command by default. */
  entry?: string;
}

/** Runs the real CLI in its own process, as a user would; what it printed so far, and its exit code. */
export function cli(args: string[], o: CliOptions = {}) {
  const child = spawn(process.execPath, [o.entry ?? 'bin/chrysopedia.js', ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', ...o.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  // A CLI that exits before reading its input closes the pipe: not the test's failure.
  child.stdin.on('error', () => undefined);
  child.stdin.end(o.input ?? '');
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exit = once(child, 'exit').then(([code]) => code as number | null);
  return { child, exit, out: () => stdout, err: () => stderr };
}

/** The first stack frame line of a Node stack trace, if any was printed. */
export const STACK_FRAME = /\n\s+at /;
