import { createServer, type RequestListener } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestApp, type TestApp } from '../helpers/app.js';
import { pgliteFactory } from '../helpers/databases.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';
import { cli, STACK_FRAME } from './cli-process.js';

let t: TestApp;
let server: string;
beforeAll(async () => {
  t = await makeTestApp(await pgliteFactory.open(), { EXTRACTIVE_CHUNK_DELAY_MS: '25' });
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  server = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
});
afterAll(async () => t.close());

/** A server of our own making on a free port, closed after `use`. */
async function withServer(handler: RequestListener, use: (url: string) => Promise<void>): Promise<void> {
  const srv = createServer(handler);
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  try {
    await use(`http://127.0.0.1:${(srv.address() as AddressInfo).port}`);
  } finally {
    srv.closeAllConnections();
    srv.close();
  }
}

/** The last turn's finish_reason once it is no longer streaming (or 'streaming' after 2.5 s). */
async function lastFinishReason(): Promise<string> {
  let reason = 'streaming';
  for (let i = 0; i < 50 && reason === 'streaming'; i++) {
    await new Promise((r) => setTimeout(r, 50));
    const [row] = await t.deps.db.query<{ finish_reason: string }>('SELECT finish_reason FROM turns ORDER BY seq DESC LIMIT 1');
    reason = row?.finish_reason ?? 'streaming';
  }
  return reason;
}

describe('chrysopedia chat against a server', () => {
  it('streams the answer, then prints the numbered sources with links', async () => {
    const run = cli(['chat', 'ghost kick for sidechain', '--creator', 'mira-vox', '--server', server]);
    expect(await run.exit).toBe(0);
    const out = run.out();
    const answerAt = out.indexOf('Here is what Mira Vox says:');
    const sourcesAt = out.indexOf('\nSources\n');
    expect(answerAt).toBeGreaterThanOrEqual(0);
    expect(sourcesAt).toBeGreaterThan(answerAt);
    expect(out.slice(sourcesAt)).toMatch(/\[1\] Mira Vox, ".+" \d+:\d\d–\d+:\d\d/);
    expect(out.slice(sourcesAt)).toMatch(/https:\/\/\S+#t=\d+/);
    expect(out).not.toMatch(/\x1b\[/);
  });

  it('--json prints every event as one JSON line, in stream order', async () => {
    const run = cli(['chat', 'reese bass detune', '--server', server, '--json']);
    expect(await run.exit).toBe(0);
    const events = run
      .out()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { event: string });
    expect(events[0]?.event).toBe('sources');
    expect(events.at(-1)?.event).toBe('done');
    expect(events.slice(1, -1).every((e) => e.event === 'token')).toBe(true);
  });

  it('SIGINT mid-answer exits 130 without a stack trace, and the server stores client_closed', async () => {
    const run = cli(['chat', 'how do I make my kick cut through the mix?', '--server', server]);
    while (!run.out().includes('knowledge base')) await new Promise((r) => setTimeout(r, 20));
    run.child.kill('SIGINT');
    expect(await run.exit).toBe(130);
    expect(run.err()).not.toMatch(STACK_FRAME);
    expect(await lastFinishReason()).toBe('client_closed');
  });

  it('reconnects by itself when the connection drops mid-answer, says it is reconnecting, and prints each token once', async () => {
    const port = (t.app.server.address() as AddressInfo).port;
    const proxy = new TcpProxy('127.0.0.1', port);
    await proxy.start();
    try {
      const run = cli(['chat', 'how do I make my kick cut through the mix?', '--server', `http://127.0.0.1:${proxy.port}`]);
      while (!run.out().includes('knowledge base')) await new Promise((r) => setTimeout(r, 20));
      await proxy.cut();
      await new Promise((r) => setTimeout(r, 400));
      await proxy.restore();
      expect(await run.exit).toBe(0);
      expect(run.err()).toMatch(/reconnecting…/);
      const [row] = await t.deps.db.query<{ answer: string; finish_reason: string }>('SELECT answer, finish_reason FROM turns ORDER BY seq DESC LIMIT 1');
      expect(row?.finish_reason).toBe('stop');
      const out = run.out();
      const sourcesAt = out.indexOf('\nSources\n');
      expect(out.slice(0, sourcesAt).trim()).toBe(row?.answer.trim());
    } finally {
      await proxy.close();
    }
  }, 30_000);

  it('says why a request was refused, with exit 1', async () => {
    const run = cli(['chat', 'kick', '--creator', 'nobody', '--server', server]);
    expect(await run.exit).toBe(1);
    expect(run.err()).toMatch(/Unknown creator/);
  });

  it('refuses a weight outside 0..1 before asking', async () => {
    const run = cli(['chat', 'kick', '--weight', '2', '--server', server]);
    expect(await run.exit).not.toBe(0);
    expect(run.err()).toMatch(/weight/);
  });

  it('a stream with a malformed event ends with a clear error and exit 1, not a stack trace', async () => {
    // A server whose done event lacks its fields: the CLI reads every event with the shared schemas.
    const broken = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end('event: sources\ndata: []\n\nevent: token\ndata: {"text":"partial "}\n\nevent: done\ndata: {"message_id":7}\n\n');
    });
    broken.listen(0, '127.0.0.1');
    await once(broken, 'listening');
    try {
      const run = cli(['chat', 'kick', '--server', `http://127.0.0.1:${(broken.address() as AddressInfo).port}`]);
      expect(await run.exit).toBe(1);
      expect(run.out()).toContain('partial');
      expect(run.err()).toMatch(/cannot read \(the done event is malformed at /);
      expect(run.err()).not.toMatch(STACK_FRAME);
    } finally {
      broken.close();
    }
  });

  it('asks every piped question, in order, in one conversation, and exits 0 at the end of the input', async () => {
    const questions = ['how do I tune a kick', 'what about the snare', 'and the hats?'];
    const run = cli(['chat', '--server', server], { input: questions.map((q) => `${q}\n`).join('') });
    expect(await run.exit).toBe(0);
    expect(run.err()).toBe('');
    expect(run.out().match(/\((?:creator|domain|global|none) · extractive · \d+ ms\)/g)).toHaveLength(3);
    const turns = await t.deps.db.query<{ query: string; conversation_id: string }>(
      'SELECT query, conversation_id FROM turns WHERE conversation_id = (SELECT conversation_id FROM turns ORDER BY seq DESC LIMIT 1) ORDER BY seq',
    );
    expect(turns.map((r) => r.query)).toEqual(questions);
  }, 30_000);

  it.each([
    { how: 'chat --json', flags: ['--json'] },
    { how: 'chat', flags: [] },
  ])('a reader that leaves early ($how | head) ends the answer quietly: exit 0, no stack trace', async ({ flags }) => {
    const run = cli(['chat', 'how do I make my kick cut through the mix?', '--server', server, ...flags]);
    // `head -1`: read the first output, then close the pipe while the answer is still streaming.
    await once(run.child.stdout, 'data');
    run.child.stdout.destroy();
    expect(await run.exit).toBe(0);
    expect(run.err()).toBe('');
    expect(await lastFinishReason()).toBe('client_closed');
  });

  it('says which server it cannot reach and why, with exit 1', async () => {
    let port = 0;
    await withServer(() => undefined, async (url) => void (port = Number(new URL(url).port)));
    const run = cli(['chat', 'kick', '--server', `http://127.0.0.1:${port}/`]);
    expect(await run.exit).toBe(1);
    expect(run.err()).toBe(`error: cannot reach http://127.0.0.1:${port} (connection refused)\n`);
  });

  it('shows a moment past the first hour as h:mm:ss, as the web page does', async () => {
    const source = (number: number, start: number, end: number) => ({
      number,
      passage_id: `p${number}`,
      creator: { slug: 'mira-vox', name: 'Mira Vox' },
      video: { id: 'v', title: 'A Long Stream', url: 'https://videos.example/v' },
      start_seconds: start,
      end_seconds: end,
      url: `https://videos.example/v#t=${start}`,
      technique: null,
      snippet: 'text',
      score: 0.5,
    });
    const done = {
      conversation_id: 'c',
      message_id: 'm',
      cascade_tier: 'creator',
      model: 'extractive',
      fallback_used: false,
      finish_reason: 'stop',
      usage: { prompt_tokens: 0, completion_tokens: 0 },
      latency_ms: { first_token: 1, total: 2 },
      citations: [1, 2],
      invalid_citations: [],
    };
    const frames = [
      `id: m:1\nevent: sources\ndata: ${JSON.stringify([source(1, 182, 229), source(2, 6759, 6812)])}\n\n`,
      `id: m:2\nevent: token\ndata: {"text":"answer [1][2]"}\n\n`,
      `id: m:3\nevent: done\ndata: ${JSON.stringify(done)}\n\n`,
    ];
    await withServer(
      (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.end(frames.join(''));
      },
      async (url) => {
        const run = cli(['chat', 'kick', '--server', url]);
        expect(await run.exit).toBe(0);
        expect(run.out()).toContain('[1] Mira Vox, "A Long Stream" 3:02–3:49');
        expect(run.out()).toContain('[2] Mira Vox, "A Long Stream" 1:52:39–1:53:32');
      },
    );
  });
});
