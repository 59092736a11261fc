/**
 * `npx tsx bench/probes/paced-read-cost.ts`: the client's CPU per token of a paced stream (each
 * chunk its own network read, as a hosted model sends them), read four ways: node:http 'data'
 * events (the floor), CompletionStreams (undici + eventsource-parser), the OpenAiAnswerer on top
 * of it (deadlines, chunk schema, generators), and the openai SDK. 20 streams of 300 chunks, 3 ms apart.
 */
import { fork } from 'node:child_process';
import http from 'node:http';
import OpenAI from 'openai';
import pino from 'pino';
import { CompletionStreams } from '../../src/llm/completion-streams.js';
import { OpenAiAnswerer } from '../../src/llm/openai-answerer.js';
import { openAiChunk } from './openai-chunk.js';

const CHUNKS = 300;
if (process.argv[2] === 'server') {
  const chunk = openAiChunk;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      let i = 0;
      const timer = setInterval(() => {
        res.write(chunk(`w${i} `, i === CHUNKS - 1 ? 'stop' : null));
        if (++i === CHUNKS) {
          clearInterval(timer);
          res.end('data: [DONE]\n\n');
        }
      }, 3);
    });
  });
  server.listen(0, '127.0.0.1', () => process.send!((server.address() as { port: number }).port));
} else {
  const child = fork(new URL(import.meta.url).pathname, ['server'], { execArgv: ['--import', 'tsx'] });
  const port = await new Promise<number>((resolve) => child.once('message', (m) => resolve(m as number)));
  const baseURL = `http://127.0.0.1:${port}/v1`;
  const messages = [{ role: 'user' as const, content: 'q' }];
  const agent = new http.Agent({ keepAlive: true });
  const viaHttp = () =>
    new Promise<number>((resolve) => {
      const body = JSON.stringify({ model: 'm', messages, stream: true });
      const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/v1/chat/completions', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
        let n = 0;
        res.on('data', () => n++);
        res.on('end', () => resolve(CHUNKS));
      });
      req.end(body);
    });
  const completions = new CompletionStreams({ baseURL, apiKey: 'k' });
  const viaStreams = async () => {
    const chunks = await completions.open({ model: 'm', messages }, new AbortController().signal);
    let n = 0;
    for await (const batch of chunks) n += batch.length;
    return n;
  };
  const answerer = new OpenAiAnswerer({ primary: { completions, model: 'm' }, fallback: null, firstTokenTimeoutMs: 5000, idleTimeoutMs: 5000, log: pino({ level: 'silent' }) });
  const viaAnswerer = async () => {
    let n = 0;
    const gen = answerer.answer({ question: 'q', sources: [], scope: { tier: 'none', askedCreator: null }, messages, signal: new AbortController().signal });
    for (;;) {
      const step = await gen.next();
      if (step.done) return n;
      n++;
    }
  };
  const client = new OpenAI({ baseURL, apiKey: 'k', maxRetries: 0 });
  const viaSdk = async () => {
    let n = 0;
    for await (const _ of await client.chat.completions.create({ model: 'm', messages, stream: true })) n++;
    return n;
  };
  async function measure(name: string, one: () => Promise<number>) {
    await Promise.all(Array.from({ length: 5 }, one));
    const cpu = process.cpuUsage();
    await Promise.all(Array.from({ length: 20 }, one));
    const used = process.cpuUsage(cpu);
    const perToken = (used.user + used.system) / (20 * CHUNKS);
    console.log(`${name.padEnd(40)} ${perToken.toFixed(1)} µs CPU per token (kernel ${(used.system / (20 * CHUNKS)).toFixed(1)})`);
  }
  for (let i = 0; i < 2; i++) {
    await measure('node:http data events (floor)', viaHttp);
    await measure('CompletionStreams', viaStreams);
    await measure('OpenAiAnswerer', viaAnswerer);
    await measure('openai SDK', viaSdk);
  }
  child.kill();
}
