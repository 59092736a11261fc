import { Writable } from 'node:stream';
import { buildApp } from '../../src/app.js';
import { configFrom, type Config } from '../../src/config.js';
import { buildDeps } from '../../src/deps.js';
import { createLogger } from '../../src/logger.js';
import { dbFactories } from '../helpers/databases.js';
import type { TestApp } from '../helpers/app.js';

export interface LoggedTestApp extends TestApp {
  /** Every log line written so far, as the production logger (with its redaction) wrote it. */
  logs: string[];
}

/**
 * The real app with the demo knowledge base and the real logger at `info`, its output captured.
 * On PostgreSQL where it answers (a fresh database loads the demo in under a second), else PGlite.
 */
export async function makeLoggedApp(env: Partial<Record<keyof Config, string>>): Promise<LoggedTestApp> {
  const factory = dbFactories[dbFactories.length - 1]!;
  const db = await factory.open();
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      logs.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  const config = configFrom({ EXTRACTIVE_CHUNK_DELAY_MS: '0', ...env });
  const deps = await buildDeps(config, createLogger('info', sink), { db });
  const app = await buildApp(deps);
  await app.ready();
  return {
    app,
    deps,
    logs,
    close: async () => {
      await app.close();
      await deps.close();
    },
  };
}
