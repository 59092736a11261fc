/**
 * The service as `npm start` runs it (startServer: config from the environment, deps, app, listen),
 * in a process of its own so that the load generator does not share its event loop. When asked,
 * it reports its memory after a full GC (node --expose-gc), and records a CPU profile of a window
 * of the benchmark (BENCH_CPU_PROF).
 */
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { setImmediate as tick } from 'node:timers/promises';
import { loadConfig } from '../../src/config.js';
import { startServer } from '../../src/server.js';
import { serveParent } from '../lib/child-side.js';

const { url, stop } = await startServer(loadConfig(process.env));
const inspector = new Session();

async function memoryAfterGc(): Promise<NodeJS.MemoryUsage> {
  if (!globalThis.gc) throw new Error('run with --expose-gc');
  // Several passes, with a turn of the event loop between them, so that weak refs and finalizers settle.
  for (let i = 0; i < 4; i++) {
    globalThis.gc();
    await tick();
  }
  return process.memoryUsage();
}

serveParent(
  url,
  {
    memory: memoryAfterGc,
    cpu: () => process.cpuUsage(),
    profileStart: async () => {
      inspector.connect();
      await inspector.post('Profiler.enable');
      await inspector.post('Profiler.start');
      return null;
    },
    profileStop: async (file) => {
      const { profile } = await inspector.post('Profiler.stop');
      await writeFile(String(file), JSON.stringify(profile));
      inspector.disconnect();
      return file;
    },
  },
  stop,
);
