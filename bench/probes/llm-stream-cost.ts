/**
 * `npx tsx bench/probes/llm-stream-cost.ts`: the client's CPU to read one streamed answer of 50
 * chunks from a local OpenAI-compatible server, through the openai SDK (the service's
 * streaming-body fetch) and through undici's `request` with eventsource-parser. The server runs in
 * a child process so the figures are the client's alone. 300 answers, 20 at a time, after 100 of warm-up.
 */
import { fork } from 'node:child_process';
import { createParser } from 'eventsource-parser';
import OpenAI from 'openai';
import { Agent, request } from 'undici';
import { streamingBodyFetch } from '../../src/llm/openai-client.js';
import { openAiChunk } from './openai-chunk.js';

if (process.argv[2] === 'server') {
  const http = await import('node:http');
  const chunk = openAiChunk;
  const body = Array.from({ length: 50 }, (_, i) => chunk(`word${i} `, i === 49 ? 'stop' : null)).join('') + 'data: [DONE]\n\n';
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(body);
    });
  });
  server.listen(0, '127.0.0.1', () => process.send!((server.address() as { port: number }).port));
} else {
  const child = fork(new URL(import.meta.url).pathname, ['server'], { execArgv: ['--import', 'tsx'] });
  const port = await new Promise<number>((resolve) => child.once('message', (m) => resolve(m as number)));
  const prompt = [
    { role: 'system' as const, content: 'x'.repeat(6000) },
    { role: 'user' as const, content: 'How do I make a kick punchy?' },
  ];
  const url = `http://127.0.0.1:${port}/v1/chat/completions`;
  const client = new OpenAI({ baseURL: `http://127.0.0.1:${port}/v1`, apiKey: 'k', maxRetries: 0, fetch: streamingBodyFetch });
  const viaSdk = async () => {
    const stream = await client.chat.completions.create({ model: 'm', messages: prompt, stream: true });
    let n = 0;
    for await (const c of stream) n += c.choices[0]?.delta?.content ? 1 : 0;
    return n;
  };
  const dispatcher = new Agent({ keepAliveTimeout: 10_000 });
  const viaUndici = async () => {
    const res = await request(url, {
      method: 'POST',
      dispatcher,
      headers: { 'content-type': 'application/json', authorization: 'Bearer k', accept: 'text/event-stream' },
      body: JSON.stringify({ model: 'm', messages: prompt, stream: true }),
    });
    let n = 0;
    const parser = createParser({
      onEvent: (e) => {
        if (e.data === '[DONE]') return;
        const c = JSON.parse(e.data) as { choices: { delta?: { content?: string } }[] };
        n += c.choices[0]?.delta?.content ? 1 : 0;
      },
    });
    const decoder = new TextDecoder();
    for await (const bytes of res.body) parser.feed(decoder.decode(bytes as Buffer, { stream: true }));
    return n;
  };
  async function measure(name: string, one: () => Promise<number>) {
    const run = async (count: number) => {
      let next = 0;
      await Promise.all(Array.from({ length: 20 }, async () => {
        while (next++ < count) if ((await one()) !== 50) throw new Error('short answer');
      }));
    };
    await run(100);
    const cpu = process.cpuUsage();
    await run(300);
    const used = process.cpuUsage(cpu);
    console.log(`${name.padEnd(36)} CPU per answer ${((used.user + used.system) / 300 / 1000).toFixed(3)} ms`);
  }
  for (let i = 0; i < 2; i++) {
    await measure('openai SDK (streaming-body fetch)', viaSdk);
    await measure('undici request + eventsource-parser', viaUndici);
  }
  child.kill();
}
