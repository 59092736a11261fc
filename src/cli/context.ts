import pino from 'pino';
import { loadConfig, type Config } from '../config.js';
import { openDb } from '../deps.js';
import type { Db } from '../store/db.js';
import { migrate } from '../store/migrate.js';

/** What most commands need: the validated config and a migrated database of the configured mode. */
export async function openCliDb(): Promise<{ config: Config; db: Db }> {
  const config = loadConfig();
  const db = await openDb(config);
  await migrate(db);
  return { config, db };
}

export const cliLogger = (config: Config) => pino({ level: config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL }, pino.destination(2));
