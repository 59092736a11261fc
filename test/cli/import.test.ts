import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { startFakeEmbeddings } from '../helpers/fake-embeddings.js';

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

  it('with EMBEDDINGS_BASE_URL, embeds what it imported before it ends; a model that is down leaves a warning, not a failed import', async () => {
    const fake = await startFakeEmbeddings({ dimensions: 64 });
    const env = { EMBEDDINGS_BASE_URL: fake.baseUrl, EMBEDDINGS_MODEL: 'fake-embed', EMBEDDINGS_DIMENSIONS: '64' };
    const vectorData = path.join(dir, 'vector-data');
    const talks = path.join(dir, 'clean-talks');
    await cp(FIXTURES, talks, { recursive: true });
    try {
      const first = await runCli(vectorData, ['import', talks], env);
      expect(first.code, first.stderr).toBe(0);
      const passages = Number(/passages \+(\d+)/.exec(first.stdout)?.[1]);
      expect(first.stdout).toContain(`embedded ${passages} passage(s) with fake-embed; ${passages} in the knowledge base\n`);
      expect(fake.inputs).toHaveLength(passages);
      fake.failing = true;
      const again = await runCli(vectorData, ['import', talks], { ...env, EMBEDDINGS_MODEL: 'another-model' });
      expect(again.code).toBe(0);
      expect(again.stderr).toMatch(/^warning: passages not embedded \(the embeddings model is unavailable\); full-text search finds them meanwhile\n$/);
      expect(again.stderr).not.toContain('sk-secret');
    } finally {
      await fake.close();
    }
  }, CLI_TIMEOUT);
});
