import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PgliteDb } from '../../src/store/pg/pglite-db.js';
import { REQUIRE_SERVICES } from '../helpers/databases.js';
import { ROOT } from '../helpers/spawn-server.js';

const hasTmux = (() => {
  try {
    execFileSync('tmux', ['-V']);
    return true;
  } catch {
    return false;
  }
})();
if (!hasTmux && REQUIRE_SERVICES) throw new Error('REQUIRE_SERVICES=1 but tmux is not installed');
if (!hasTmux) console.warn('[skip] interactive CLI test skipped: tmux is not installed');

const session = `chrysopedia-test-${process.pid}`;
const tmux = (...args: string[]) => execFileSync('tmux', args, { encoding: 'utf8' });
const screen = () => tmux('capture-pane', '-t', session, '-p', '-S', '-200');
async function waitFor(pattern: RegExp, ms = 30_000): Promise<string> {
  const until = Date.now() + ms;
  for (;;) {
    const text = screen();
    if (pattern.test(text)) return text;
    if (Date.now() > until) throw new Error(`timed out waiting for ${pattern}:\n${text}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.runIf(hasTmux)('chrysopedia chat, interactive, in a terminal', () => {
  let dataDir = '';
  afterAll(async () => {
    try {
      tmux('kill-session', '-t', session);
    } catch {
      // already gone
    }
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('keeps the conversation across two questions', async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'chrysopedia-tty-'));
    const cmd = `cd ${ROOT} && DATA_DIR=${dataDir} EXTRACTIVE_CHUNK_DELAY_MS=0 NO_COLOR=1 node bin/chrysopedia.js chat --creator mira-vox`;
    tmux('new-session', '-d', '-s', session, '-x', '120', '-y', '50', cmd);
    await waitFor(/^>\s*$/m, 60_000);
    tmux('send-keys', '-t', session, 'how do I set the sidechain release on my bass?', 'Enter');
    await waitFor(/\(creator · extractive/);
    tmux('send-keys', '-t', session, 'and what about with reverb?', 'Enter');
    const text = await waitFor(/(\(creator · extractive[^]*){2}/);
    expect(text).toMatch(/reverb/i);
    tmux('send-keys', '-t', session, 'C-d');
    await new Promise((r) => setTimeout(r, 1500));
    const db = await PgliteDb.open(path.join(dataDir, 'pglite'));
    const turns = await db.query<{ conversation_id: string; search_query: string }>('SELECT conversation_id, search_query FROM turns ORDER BY seq');
    await db.close();
    expect(turns).toHaveLength(2);
    expect(turns[1]?.conversation_id).toBe(turns[0]?.conversation_id);
    expect(turns[1]?.search_query).toMatch(/sidechain.*reverb/);
  }, 90_000);
});
