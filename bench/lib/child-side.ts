import { setImmediate as tick } from 'node:timers/promises';
import { writeHeapSnapshot } from 'node:v8';
import type { CapturedAnswer } from './capture-answer.js';

type Handler = (payload: unknown) => unknown;

interface Request {
  id: number;
  type: string;
  payload?: unknown;
}

/**
 * The child's half of BenchChild: announces `url`, answers the parent's calls, and on `stop`
 * runs `onStop` then exits (so --cpu-prof writes its profile).
 */
export function serveParent(url: string, handlers: Record<string, Handler>, onStop: () => Promise<void>): void {
  const send = (m: unknown) => process.send?.(m);
  process.on('message', (m: Request) => {
    if (m.type === 'stop') {
      void onStop().finally(() => process.exit(0));
      return;
    }
    const handler = handlers[m.type];
    Promise.resolve()
      .then(() => {
        if (!handler) throw new Error(`no handler for ${m.type}`);
        return handler(m.payload);
      })
      .then(
        (result) => send({ type: 'reply', id: m.id, result: result ?? null }),
        (err: unknown) => send({ type: 'reply', id: m.id, error: err instanceof Error ? err.message : String(err) }),
      );
  });
  // The parent gone (killed, crashed): do not linger.
  process.on('disconnect', () => process.exit(0));
  send({ type: 'ready', url });
}

/** The process's memory after full GCs (node --expose-gc). */
export async function memoryAfterGc(): Promise<NodeJS.MemoryUsage> {
  if (!globalThis.gc) throw new Error('run with --expose-gc');
  // Several passes, with a turn of the event loop between them, so that weak refs and finalizers settle.
  for (let i = 0; i < 4; i++) {
    globalThis.gc();
    await tick();
  }
  return process.memoryUsage();
}

/** The calls every measured process answers: its CPU time, its memory after GC, a heap snapshot. */
export const measureHandlers: Record<string, Handler> = {
  cpu: () => process.cpuUsage(),
  memory: memoryAfterGc,
  heapSnapshot: (file) => writeHeapSnapshot(String(file)),
};

/** The captured chat answer a bench route replays (captureAnswer), set by the parent's `answer` call. */
export class ReplayedAnswer {
  current: CapturedAnswer = { idPrefix: '', events: [], bytes: '' };

  /** The `answer` call's handler: keeps the answer, answers how many events it has. */
  readonly set: Handler = (payload) => {
    this.current = payload as CapturedAnswer;
    return this.current.events.length;
  };
}
