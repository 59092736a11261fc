import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { build } from 'vite';
import type { Config } from '../../src/config.js';
import type { Deps } from '../../src/deps.js';
import { REQUIRE_SERVICES, pgliteFactory } from '../helpers/databases.js';
import { makeTestApp } from '../helpers/app.js';

/** Debian's Chromium: nothing is downloaded, the browser is the machine's. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const chromiumAvailable = existsSync(CHROMIUM);
if (!chromiumAvailable) {
  if (REQUIRE_SERVICES) throw new Error(`REQUIRE_SERVICES=1 but there is no browser at ${CHROMIUM} (apt-get install chromium)`);
  console.warn(`[skip] browser tests skipped: no Chromium at ${CHROMIUM} (apt-get install chromium; REQUIRE_SERVICES=1 fails instead)`);
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

const WEB_ROOT = fileURLToPath(new URL('../../web/', import.meta.url));

/** Builds the page from web/ as it is now (not a stale web/dist) into a directory of its own. */
export async function buildPage(): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'chrysopedia-web-'));
  await build({
    root: WEB_ROOT,
    configFile: path.join(WEB_ROOT, 'vite.config.ts'),
    logLevel: 'warn',
    build: { outDir: dir, emptyOutDir: true },
  });
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

export interface LiveApp {
  url: string;
  deps: Deps;
  close(): Promise<void>;
}

/** The real app on a random port, over an in-memory PGlite with the demo knowledge base. */
export async function startLiveApp(webDir: string, env: Partial<Record<keyof Config, string>> = {}): Promise<LiveApp> {
  const db = await pgliteFactory.open();
  const { app, deps, close } = await makeTestApp(db, {
    WEB_DIST_DIR: webDir,
    // Slow enough that a person (and a test) sees the answer grow.
    EXTRACTIVE_CHUNK_DELAY_MS: '30',
    RATE_LIMIT_IP_PER_HOUR: '10000',
    ...env,
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('the app is not listening on a TCP port');
  return { url: `http://127.0.0.1:${address.port}`, deps, close };
}
