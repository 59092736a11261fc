/**
 * The service as `npm start` runs it (startServer: config from the environment, deps, app, listen),
 * in a process of its own so that the load generator does not share its event loop. When asked,
 * it reports its memory after a full GC (node --expose-gc), and records a CPU profile of a window
 * of the benchmark (BENCH_CPU_PROF).
 */
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { loadConfig } from '../../src/config.js';
import { startServer } from '../../src/server.js';
import { measureHandlers, serveParent } from '../lib/child-side.js';

const { url, stop } = await startServer(loadConfig(process.env));
const inspector = new Session();

serveParent(
  url,
  {
    ...measureHandlers,
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
