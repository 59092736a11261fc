/**
 * The service as `npm start` runs it (startServer: config from the environment, deps, app, listen),
 * in a process of its own so that the load generator does not share its event loop; it also
 * reports its memory after a full GC (node --expose-gc) when asked.
 */
import { setImmediate as tick } from 'node:timers/promises';
import { loadConfig } from '../../src/config.js';
import { startServer } from '../../src/server.js';
import { serveParent } from '../lib/child-side.js';

const { url, stop } = await startServer(loadConfig(process.env));

async function memoryAfterGc(): Promise<NodeJS.MemoryUsage> {
  if (!globalThis.gc) throw new Error('run with --expose-gc');
  // Several passes, with a turn of the event loop between them, so that weak refs and finalizers settle.
  for (let i = 0; i < 4; i++) {
    globalThis.gc();
    await tick();
  }
  return process.memoryUsage();
}

serveParent(url, { memory: memoryAfterGc }, stop);
