import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { buildApp } from '../../src/app.js';
import { configFrom, type Config } from '../../src/config.js';
import { buildDeps, type Deps, type DepsOverrides } from '../../src/deps.js';
import type { Db } from '../../src/store/db.js';

export interface TestApp {
  app: FastifyInstance;
  deps: Deps;
  close(): Promise<void>;
}

/** The real app on the given database (demo knowledge base loaded unless skipDemo). */
export async function makeTestApp(
  db: Db,
  env: Partial<Record<keyof Config, string>> = {},
  overrides: Omit<DepsOverrides, 'db'> & { onRoute?: Parameters<typeof buildApp>[1] } = {},
): Promise<TestApp> {
  const { onRoute, ...depsOverrides } = overrides;
  const config = configFrom({ EXTRACTIVE_CHUNK_DELAY_MS: '0', LOG_LEVEL: 'silent', STRICT_RESPONSES: 'true', ...env });
  const deps = await buildDeps(config, pino({ level: 'silent' }), { db, ...depsOverrides });
  const app = await buildApp(deps, onRoute);
  await app.ready();
  return {
    app,
    deps,
    close: async () => {
      await app.close();
      await deps.close();
    },
  };
}

export const jsonHeaders = { 'content-type': 'application/json' };
