/**
 * `npx tsx bench/probes/pipeline-token-cost.ts [tokens] [interval ms]`: the chat pipeline's CPU per
 * token without a network upstream: the real app (PGlite, demo knowledge base) with an answerer
 * whose tokens come by timer, `interval` ms apart (a wake-up each), and an HTTP client in the same
 * process; 20 chats at once, after 20 of warm-up. Run it with 50 and 500 tokens: the difference
 * over 450 is what a token costs from the answerer to the socket, against the bench's paced
 * figure, which adds reading each token from another process.
 */
import http from 'node:http';
import pino from 'pino';
import { buildApp } from '../../src/app.js';
import { configFrom } from '../../src/config.js';
import { buildDeps } from '../../src/deps.js';
import type { AnswerOutcome, Answerer } from '../../src/llm/answerer.js';
import { PgliteDb } from '../../src/store/pg/pglite-db.js';

const tokens = Number(process.argv[2] ?? 300);
const intervalMs = Number(process.argv[3] ?? 3);
const answerer: Answerer = {
  kind: 'llm',
  async *answer(): AsyncGenerator<string, AnswerOutcome, void> {
    for (let i = 0; i < tokens; i++) {
      if (intervalMs > 0) await new Promise((resolve) => setTimeout(resolve, intervalMs));
      yield `w${i} `;
    }
    return { model: 'probe', fallbackUsed: false, finishReason: 'stop', usage: { prompt_tokens: 1, completion_tokens: tokens } };
  },
};
const db = await PgliteDb.open();
// SSE_COALESCE_MS from the environment, to compare (default 50).
const config = configFrom({ LOG_LEVEL: 'silent', RATE_LIMIT_IP_PER_HOUR: '1000000', SSE_COALESCE_MS: process.env.SSE_COALESCE_MS ?? '50' });
const deps = await buildDeps(config, pino({ level: 'silent' }), { db, answerer });
const app = await buildApp(deps);
await app.listen({ port: 0, host: '127.0.0.1' });
const { port } = app.server.address() as { port: number };
const agent = new http.Agent({ keepAlive: true });
const chat = () =>
  new Promise<void>((resolve, reject) => {
    const body = JSON.stringify({ query: 'How do I make a techno kick punchy?' });
    const headers = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
    const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/api/v1/chat', agent, headers }, (res) => {
      res.on('data', () => undefined);
      res.on('end', resolve);
    });
    req.on('error', reject);
    req.end(body);
  });
await Promise.all(Array.from({ length: 20 }, chat));
const cpu = process.cpuUsage();
await Promise.all(Array.from({ length: 20 }, chat));
const used = process.cpuUsage(cpu);
console.log(`${((used.user + used.system) / 20 / 1000).toFixed(2)} ms CPU per chat of ${tokens} tokens, ${intervalMs} ms apart (server and client in one process)`);
await app.close();
await deps.close();
