import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

const STOP = new Set('a an and are at be but by do does for from how i if in is it its my of on or so the this to what when where which with you your'.split(' '));

export interface FakeEmbeddingsOptions {
  dimensions: number;
  /**
   * What the fake "model" understands: words mapped to a shared meaning, e.g. { restarts: 'loop-back',
   * jumps: 'loop-back' }. Any other word means itself. A text's vector is its meanings, counted.
   */
  meanings?: Record<string, string>;
}

export interface FakeEmbeddings {
  /** For EMBEDDINGS_BASE_URL, e.g. http://127.0.0.1:43123/v1 */
  baseUrl: string;
  /** Every input text embedded so far, in order. */
  inputs: string[];
  /** Answer 500 to every request while true. */
  failing: boolean;
  /** Answer vectors of this size instead (a misconfigured model). */
  wrongDimensions: number | null;
  /** Wait this long before answering. */
  delayMs: number;
  /** The fake's own embedding of a text (what a request for it returns). */
  embed(text: string): number[];
  close(): Promise<void>;
}

async function readJson(req: IncomingMessage): Promise<{ input?: unknown; model?: unknown }> {
  const parts: Buffer[] = [];
  for await (const part of req) parts.push(part as Buffer);
  return JSON.parse(Buffer.concat(parts).toString('utf8') || '{}') as { input?: unknown };
}

/** An OpenAI-compatible /embeddings endpoint over real HTTP, deterministic: a bag of meanings, hashed. */
export async function startFakeEmbeddings(options: FakeEmbeddingsOptions): Promise<FakeEmbeddings> {
  const embedWith = (dimensions: number) => (text: string) => {
    const v = new Array<number>(dimensions).fill(0);
    for (const raw of text.toLowerCase().match(/[a-z0-9]+/g) ?? []) {
      if (STOP.has(raw)) continue;
      const meaning = options.meanings?.[raw] ?? raw;
      const slot = createHash('sha256').update(meaning).digest().readUInt32BE(0) % dimensions;
      v[slot]! += 1;
    }
    const norm = Math.hypot(...v) || 1;
    return v.map((x) => x / norm);
  };
  const fake: FakeEmbeddings = {
    baseUrl: '',
    inputs: [],
    failing: false,
    wrongDimensions: null,
    delayMs: 0,
    embed: embedWith(options.dimensions),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const server = createServer((req, res) => {
    void (async () => {
      const body = await readJson(req);
      if (fake.delayMs) await new Promise((r) => setTimeout(r, fake.delayMs));
      if (req.method !== 'POST' || !req.url?.endsWith('/embeddings')) {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"message":"not found"}}');
        return;
      }
      if (fake.failing) {
        res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":{"message":"fake failure sk-secret-body"}}');
        return;
      }
      const inputs = Array.isArray(body.input) ? body.input.map(String) : [String(body.input)];
      fake.inputs.push(...inputs);
      const embed = fake.wrongDimensions ? embedWith(fake.wrongDimensions) : fake.embed;
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          object: 'list',
          model: String(body.model),
          data: inputs.map((text, index) => ({ object: 'embedding', index, embedding: embed(text) })),
          usage: { prompt_tokens: 0, total_tokens: 0 },
        }),
      );
    })().catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  // Kept-alive sockets would hold close() open.
  const close = fake.close;
  fake.close = () => {
    server.closeAllConnections();
    return close();
  };
  return fake;
}
