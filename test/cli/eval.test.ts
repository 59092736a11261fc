import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

// Every run opens an embedded database on disk: slow on a busy machine, whatever the code does.
const CLI_TIMEOUT = 120_000;

describe('chrysopedia eval', () => {
  let dir: string;
  const questions = (file: string, list: unknown[]) => writeFile(path.join(dir, file), JSON.stringify(list));
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'chrysopedia-eval-'));
    await questions('small.json', [
      { id: 'sidechain', query: 'what release should the sidechain have at 128 bpm', creator: 'mira-vox', expected: ['mira-vox:sidechain-compression-properly#182'], expected_tier: 'creator' },
      { id: 'bread', query: 'how do I bake sourdough bread', creator: null, expected: [], expected_tier: 'none' },
      { id: 'wrong-tier', query: 'what is a reese bass', creator: null, expected: ['kaito-brooks:reese-bass-from-scratch#42'], expected_tier: 'creator' },
    ]);
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('prints the figures, writes the report, and exits 1 under a threshold', async () => {
    const out = path.join(dir, 'EVAL.md');
    const dataDir = path.join(dir, 'data');
    // The embedded database is empty: like `serve`, eval loads the demo knowledge base first.
    const passing = await runCli(dataDir, ['eval', path.join(dir, 'small.json'), '--out', out, '--min-recall6', '0.9', '--min-mrr', '0.75'], { LOAD_DEMO_KB: 'true' });
    expect(passing.code).toBe(0);
    expect(passing.stdout).toMatch(/overall\s+3\s+1\.000\s+1\.000\s+1\.000\s+1\.000\s+0\.667/);
    const report = await readFile(out, 'utf8');
    expect(report).toContain('| overall | 3 | 1.000 | 1.000 | 1.000 | 1.000 | 0.667 |');
    expect(report).toContain('`wrong-tier` "what is a reese bass": tier global, expected creator');

    const failing = await runCli(dataDir, ['eval', path.join(dir, 'small.json'), '--out', out, '--min-tier', '0.95']);
    expect(failing.code).toBe(1);
    expect(failing.stderr).toContain('below threshold: tier accuracy 0.667 < 0.95');
  }, CLI_TIMEOUT);

  it('rejects a question set naming a passage that does not exist, by its JSON path', async () => {
    await questions('bad.json', [{ id: 'x', query: 'reese', creator: null, expected: ['no-such-passage'], expected_tier: 'global' }]);
    const result = await runCli(path.join(dir, 'data'), ['eval', path.join(dir, 'bad.json'), '--out', path.join(dir, 'bad.md')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("$[0].expected: no passage 'no-such-passage' in the knowledge base");
  }, CLI_TIMEOUT);

  it('rejects a threshold that is not a ratio', async () => {
    const result = await runCli(path.join(dir, 'data'), ['eval', path.join(dir, 'small.json'), '--min-mrr', '7']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('expected a number from 0 to 1');
  }, CLI_TIMEOUT);
});
