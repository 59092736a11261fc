import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** A benchmark process (the service, the fake LLM, the bare route) and the calls it answers over IPC. */
export interface BenchChild {
  url: string;
  pid: number;
  call<T = unknown>(type: string, payload?: unknown): Promise<T>;
  /** Asks the process to stop cleanly (a CPU profile is written then), kills it if it does not. */
  stop(): Promise<void>;
}

export interface ChildOptions {
  env?: Record<string, string>;
  /** Extra node flags, e.g. --expose-gc, --cpu-prof. */
  nodeFlags?: string[];
  startTimeoutMs?: number;
}

interface Reply {
  type: 'ready' | 'reply';
  id?: number;
  url?: string;
  result?: unknown;
  error?: string;
}

/**
 * Forks bench/processes/<name>.ts under tsx with a clean environment (nothing of the caller's
 * shell leaks in, e.g. a DATABASE_URL). Its output goes to a log file, not through this process,
 * so a chatty server costs the load generator nothing; the tail is shown if it fails to start.
 */
export async function startChild(name: string, options: ChildOptions = {}): Promise<BenchChild> {
  const logDir = await mkdtemp(path.join(os.tmpdir(), `bench-${name}-`));
  const logFile = path.join(logDir, 'output.log');
  const fd = openSync(logFile, 'w');
  const child: ChildProcess = fork(path.join(ROOT, 'bench', 'processes', `${name}.ts`), [], {
    cwd: ROOT,
    execArgv: ['--import', 'tsx', ...(options.nodeFlags ?? [])],
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...options.env },
    stdio: ['ignore', fd, fd, 'ipc'],
  });
  closeSync(fd);
  const tail = () => readFileSync(logFile, 'utf8').slice(-4000);
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 0;
  let exited = false;
  child.on('message', (m: Reply) => {
    if (m.type !== 'reply' || m.id === undefined) return;
    const p = pending.get(m.id);
    pending.delete(m.id);
    if (m.error) p?.reject(new Error(`${name}: ${m.error}`));
    else p?.resolve(m.result);
  });
  child.once('exit', (code, signal) => {
    exited = true;
    for (const p of pending.values()) p.reject(new Error(`${name} exited (${code ?? signal}):\n${tail()}`));
    pending.clear();
  });

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name} did not start within ${options.startTimeoutMs ?? 120_000} ms:\n${tail()}`));
    }, options.startTimeoutMs ?? 120_000);
    child.on('message', (m: Reply) => {
      if (m.type === 'ready' && m.url) {
        clearTimeout(timer);
        resolve(m.url);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code} before it was ready:\n${tail()}`));
    });
  });

  return {
    url,
    pid: child.pid ?? -1,
    call: <T>(type: string, payload?: unknown) =>
      new Promise<T>((resolve, reject) => {
        if (exited) return reject(new Error(`${name} is not running:\n${tail()}`));
        const id = nextId++;
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        child.send({ id, type, payload });
      }),
    stop: async () => {
      if (!exited) {
        const gone = once(child, 'exit');
        child.send({ id: -1, type: 'stop' });
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        await gone;
        clearTimeout(timer);
      }
      await rm(logDir, { recursive: true, force: true });
    },
  };
}
