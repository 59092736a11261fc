/**
 * `npx tsx bench/probes/llm-first-chunk.ts`: time to the first streamed chunk from a local
 * OpenAI-compatible server, and CPU per request (both sides, one process), through the openai SDK
 * (Node's fetch; the service's streaming-body fetch) against a bare `http.request`: what the SDK
 * and fetch cost, cited by BENCHMARKS.md's first-token findings. 500 requests after 200 of warm-up.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { streamingBodyFetch } from '../../src/llm/openai-client.js';
import { openAiChunk } from './openai-chunk.js';

const chunk = openAiChunk;
const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write(chunk('Hello', null));
    setTimeout(() => res.end(`${chunk(' world', 'stop')}data: [DONE]\n\n`), 1);
  });
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const port = (server.address() as AddressInfo).port;
// About the size of a prompt with six sources.
const prompt = [
  { role: 'system' as const, content: 'x'.repeat(6000) },
  { role: 'user' as const, content: 'How do I make a kick punchy?' },
];

async function measure(name: string, firstChunk: () => Promise<number>): Promise<void> {
  for (let i = 0; i < 200; i++) await firstChunk();
  const cpu = process.cpuUsage();
  const samples: number[] = [];
  for (let i = 0; i < 500; i++) samples.push(await firstChunk());
  const used = process.cpuUsage(cpu);
  samples.sort((a, b) => a - b);
  console.log(`${name.padEnd(34)} first chunk p50 ${samples[250]!.toFixed(2)} ms   CPU/request ${((used.user + used.system) / 500 / 1000).toFixed(2)} ms`);
}

const viaSdk = (fetchImpl?: typeof fetch) => {
  const client = new OpenAI({ baseURL: `http://127.0.0.1:${port}/v1`, apiKey: 'k', maxRetries: 0, ...(fetchImpl ? { fetch: fetchImpl } : {}) });
  return async () => {
    const started = performance.now();
    const stream = await client.chat.completions.create({ model: 'm', messages: prompt, stream: true });
    let first = 0;
    for await (const _ of stream) first ||= performance.now() - started;
    return first;
  };
};

const agent = new http.Agent({ keepAlive: true });
const viaHttp = () =>
  new Promise<number>((resolve) => {
    const started = performance.now();
    const body = JSON.stringify({ model: 'm', messages: prompt, stream: true });
    const headers = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
    const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/v1/chat/completions', agent, headers }, (res) => {
      let first = 0;
      res.on('data', () => (first ||= performance.now() - started));
      res.on('end', () => resolve(first));
    });
    req.end(body);
  });

await measure('openai SDK, Node fetch', viaSdk());
await measure('openai SDK, streamingBodyFetch', viaSdk(streamingBodyFetch));
await measure('bare http.request', viaHttp);
server.close();
agent.destroy();
