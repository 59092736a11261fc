import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * A fake OpenAI-compatible `POST /v1/chat/completions` over real HTTP, for tests and benchmarks:
 * the real streaming chunk format (SSE `data:` chunks, a final usage chunk, `data: [DONE]`) and
 * non-streaming completions, each reply scripted.
 */

/** How the fake answers one request. Every field is optional. */
export interface FakeReply {
  /** Answer with this HTTP status (and `body`) instead of a completion. */
  status?: number;
  body?: string;
  /** The answer; split into word-sized tokens unless `tokens` is given. */
  text?: string;
  tokens?: string[];
  /** Before the first token (after the headers, for a stream). */
  firstTokenDelayMs?: number;
  /** Between tokens; without it, all tokens are written at once. */
  tokenIntervalMs?: number;
  /** Send this many tokens, then nothing more, holding the connection open (0: not even headers' first token). */
  stallAfterTokens?: number;
  /** Send this many tokens, then destroy the socket mid-stream. */
  dropAfterTokens?: number;
  /**
   * Destroy the socket once the request is read, before any response byte: what a client sees
   * when it sends on a kept-alive connection the server is closing.
   */
  resetBeforeResponse?: boolean;
  /** After the tokens, this raw text (e.g. an SSE error event, bad JSON) instead of the finish and usage chunks; then the body ends. */
  after?: string;
  finishReason?: 'stop' | 'length';
  /** Reported usage; by default prompt words and tokens sent. null: no usage chunk. */
  usage?: { prompt_tokens: number; completion_tokens: number } | null;
}

export interface FakeMessage {
  role: string;
  content: string;
}

/** One request the fake received, and what became of it. */
export interface FakeRequest {
  index: number;
  model: string;
  messages: FakeMessage[];
  stream: boolean;
  body: Record<string, unknown>;
  authorization: string | undefined;
  /** Framing of the request body, as sent. */
  contentLength: string | undefined;
  transferEncoding: string | undefined;
  receivedAt: number;
  /** When the exchange ended (performance.now() of this process), null while open. */
  endedAt: number | null;
  /** The client closed the connection before the response was complete. */
  aborted: boolean;
  /** Resolves when the exchange ends, whichever way. */
  ended: Promise<void>;
}

export type FakeScript = FakeReply | ((request: FakeRequest) => FakeReply);

export interface FakeLlmOptions {
  /** The reply when the queue is empty (default: a short fixed answer). */
  reply?: FakeScript;
}

export interface FakeLlm {
  /** For the SDK's baseURL, e.g. http://127.0.0.1:43123/v1 */
  baseUrl: string;
  requests: FakeRequest[];
  /** Replies for the next requests, in order; then the default reply. */
  enqueue(...replies: FakeScript[]): void;
  /** Replaces the default reply and empties the queue. */
  reset(reply?: FakeScript): void;
  close(): Promise<void>;
}

export const DEFAULT_TEXT = 'This is the fake model answering.';

export function wordTokens(text: string): string[] {
  return text.match(/\S+\s*|\s+/g) ?? [];
}

const countWords = (messages: FakeMessage[]) => messages.reduce((n, m) => n + (m.content.match(/\S+/g)?.length ?? 0), 0);

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const parts: Buffer[] = [];
  for await (const part of req) parts.push(part as Buffer);
  const value: unknown = JSON.parse(Buffer.concat(parts).toString('utf8') || '{}');
  return value && typeof value === 'object' ? (value as Record<string, unknown>) : {};
}

function toMessages(value: unknown): FakeMessage[] {
  if (!Array.isArray(value)) return [];
  return value.map((m: { role?: unknown; content?: unknown }) => ({
    role: String(m.role),
    content: typeof m.content === 'string' ? m.content : JSON.stringify(m.content),
  }));
}

export async function startFakeLlm(options: FakeLlmOptions = {}): Promise<FakeLlm> {
  let fallbackReply: FakeScript = options.reply ?? {};
  const queue: FakeScript[] = [];
  const requests: FakeRequest[] = [];

  const server = createServer((req, res) => {
    void handle(req, res).catch(() => res.destroy());
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let markEnded!: () => void;
    const record: FakeRequest = {
      index: requests.length,
      model: '',
      messages: [],
      stream: false,
      body: {},
      authorization: req.headers.authorization,
      contentLength: req.headers['content-length'],
      transferEncoding: req.headers['transfer-encoding'],
      receivedAt: performance.now(),
      endedAt: null,
      aborted: false,
      ended: new Promise<void>((resolve) => (markEnded = resolve)),
    };
    requests.push(record);
    // Set when the fake itself cuts the connection, which is not the client aborting.
    let dropped = false;
    res.on('close', () => {
      record.endedAt = performance.now();
      record.aborted = !res.writableFinished && !dropped;
      markEnded();
    });
    const gone = new AbortController();
    res.on('close', () => gone.abort());

    if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"message":"not found"}}');
      return;
    }
    const body = await readJson(req);
    record.body = body;
    record.model = String(body.model ?? '');
    record.messages = toMessages(body.messages);
    record.stream = body.stream === true;
    const script = queue.shift() ?? fallbackReply;
    const reply = typeof script === 'function' ? script(record) : script;

    if (reply.resetBeforeResponse) {
      dropped = true;
      return void res.socket?.destroy();
    }
    const wait = (ms: number | undefined) => (ms ? sleep(ms, undefined, { signal: gone.signal }) : Promise.resolve());
    const hold = () => once(gone.signal, 'abort');
    if (reply.status && reply.status >= 400) {
      await wait(reply.firstTokenDelayMs);
      res.writeHead(reply.status, { 'content-type': 'application/json' }).end(reply.body ?? '{"error":{"message":"fake failure"}}');
      return;
    }
    const tokens = reply.tokens ?? wordTokens(reply.text ?? DEFAULT_TEXT);
    const usage =
      reply.usage === null ? null : (reply.usage ?? { prompt_tokens: countWords(record.messages), completion_tokens: tokens.length });
    const id = `chatcmpl-fake-${record.index}`;
    const created = Math.floor(Date.now() / 1000);
    const finishReason = reply.finishReason ?? 'stop';

    if (!record.stream) {
      await wait(reply.firstTokenDelayMs);
      if (reply.stallAfterTokens !== undefined) return void (await hold());
      if (reply.dropAfterTokens !== undefined) {
        dropped = true;
        return void res.socket?.destroy();
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          id,
          object: 'chat.completion',
          created,
          model: record.model,
          choices: [{ index: 0, message: { role: 'assistant', content: tokens.join('') }, finish_reason: finishReason }],
          ...(usage ? { usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens } } : {}),
        }),
      );
      return;
    }

    const chunk = (delta: Record<string, unknown>, finish: string | null) =>
      `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: record.model, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    res.write(chunk({ role: 'assistant', content: '' }, null));
    await wait(reply.firstTokenDelayMs);
    for (const [i, token] of tokens.entries()) {
      if (reply.stallAfterTokens === i) return void (await hold());
      if (reply.dropAfterTokens === i) {
        // Let what was sent reach the client first: a drop mid-stream, not before the stream.
        await sleep(20);
        dropped = true;
        return void res.socket?.destroy();
      }
      if (i > 0) await wait(reply.tokenIntervalMs);
      // Paced tokens leave one by one; without a pace the answer is ready at once, as a cached or
      // very fast model's is, and goes out as fast as the socket takes it (many chunks a packet).
      if (reply.tokenIntervalMs) await new Promise<void>((resolve) => res.write(chunk({ content: token }, null), () => resolve()));
      else if (!res.write(chunk({ content: token }, null))) await once(res, 'drain', { signal: gone.signal });
    }
    if (reply.stallAfterTokens !== undefined && reply.stallAfterTokens >= tokens.length) return void (await hold());
    if (reply.after !== undefined) return void res.end(reply.after);
    res.write(chunk({}, finishReason));
    const includeUsage = (body.stream_options as { include_usage?: unknown } | undefined)?.include_usage === true;
    if (usage && includeUsage) {
      res.write(
        `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: record.model, choices: [], usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens } })}\n\n`,
      );
    }
    res.end('data: [DONE]\n\n');
  }

  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    enqueue: (...replies) => void queue.push(...replies),
    reset: (reply = {}) => {
      queue.length = 0;
      fallbackReply = reply;
    },
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close').catch(() => undefined);
    },
  };
}
