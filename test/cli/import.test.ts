import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const FIXTURES = new URL('../kb/fixtures/transcripts/', import.meta.url);

const run = (dataDir: string, ...args: string[]) => runCli(dataDir, args);

// Every run opens an embedded database on disk: slow on a busy machine, whatever the code does.
const CLI_TIMEOUT = 120_000;

describe('chrysopedia import', () => {
  let dir: string;
  let dataDir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'chrysopedia-cli-'));
    dataDir = path.join(dir, 'data');
    await cp(FIXTURES, path.join(dir, 'talks'), { recursive: true });
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('imports a directory of transcripts and prints one summary line when stderr is not a terminal', async () => {
    const first = await run(dataDir, 'import', path.join(dir, 'talks'));
    expect(first.code).toBe(0);
    expect(first.stderr).toBe('');
    expect(first.stdout).toMatch(/^imported 1 document\(s\) and 2 transcript\(s\): creators \+1 ~0, videos \+2 ~0, passages \+\d+ ~0 -0 \(0 unchanged\)\n$/);
    const again = await run(dataDir, 'import', path.join(dir, 'talks'));
    expect(again.stdout).toMatch(/creators \+0 ~0, videos \+0 ~0, passages \+0 ~0 -0 \(\d+ unchanged\)/);
  }, CLI_TIMEOUT);

  it('rejects a bad transcript with file:line, writes nothing and exits 1', async () => {
    const bad = path.join(dir, 'talks', 'broken.srt');
    await writeFile(bad, '1\n00:00:01,000 --> 00:00:40,000\nfine\n\n2\n00:00:41,000 --> soon\nbroken\n');
    await writeFile(path.join(dir, 'talks', 'broken.meta.json'), JSON.stringify({ id: 'yt:broken', creator: 'tess-okoro', title: 'B', url: 'https://example.com/b' }));
    const result = await run(dataDir, 'import', path.join(dir, 'talks'));
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(`rejected, nothing written:\n  ${bad}:6: invalid end time "soon"\n`);
  }, CLI_TIMEOUT);
});
