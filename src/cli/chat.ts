import { createInterface } from 'node:readline/promises';
import { InvalidArgumentError, type Command } from 'commander';
import type { Source } from '../contract/chat-events.js';
import { ChatClientError, EmbeddedChatClient, RemoteChatClient, type ChatClient } from './chat-client.js';
import { painter, renderSources } from './chat-render.js';
import { stdoutGone } from './stdout.js';

interface ChatOptions {
  creator?: string;
  weight: number;
  server?: string;
  token?: string;
  json?: boolean;
}

const weight = (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0 || n > 1) throw new InvalidArgumentError('must be a number from 0 to 1');
  return n;
};

const serverUrl = (v: string) => {
  const url = URL.canParse(v) ? new URL(v) : null;
  if (url?.protocol !== 'http:' && url?.protocol !== 'https:') throw new InvalidArgumentError('must be an http(s) URL, like http://localhost:3000');
  return v;
};

/** Asks one question and prints the answer as it streams; returns the conversation id. */
async function askOnce(
  client: ChatClient,
  query: string,
  conversationId: string | null,
  opts: ChatOptions,
  signal: AbortSignal,
): Promise<{ conversationId: string | null; ok: boolean }> {
  const out = process.stdout;
  const paint = painter(out);
  let sources: Source[] = [];
  let next = conversationId;
  let ok = false;
  const onReconnecting = (attempt: number) => process.stderr.write(paint('dim', `\nreconnecting… (attempt ${attempt})\n`));
  for await (const e of client.ask({ query, creator: opts.creator ?? null, conversationId, personalityWeight: opts.weight, signal, onReconnecting })) {
    if (opts.json) {
      out.write(`${JSON.stringify(e)}\n`);
    } else if (e.event === 'sources') {
      sources = e.data;
    } else if (e.event === 'token') {
      out.write(e.data.text);
    } else if (e.event === 'done' && e.data.finish_reason === 'client_closed') {
      // Stopped: the caller says so.
    } else if (e.event === 'done') {
      out.write(`\n${renderSources(sources, paint)}`);
      out.write(paint('dim', `(${e.data.cascade_tier} · ${e.data.model} · ${e.data.latency_ms.total} ms)`) + '\n');
    } else {
      out.write('\n');
      process.stderr.write(`error: ${e.data.error}\n`);
    }
    if (e.event === 'done') {
      next = e.data.conversation_id;
      ok = e.data.finish_reason !== 'client_closed';
    }
  }
  return { conversationId: next, ok };
}

/**
 * The prompt loop. Lines are read as a stream, not one question() at a time: lines that arrive
 * while an answer streams (piped input, or typed ahead) wait their turn instead of being lost.
 */
async function interactive(client: ChatClient, opts: ChatOptions, outputGone: AbortSignal): Promise<void> {
  // Line editing only when both ends are a terminal; piped input is read as plain lines.
  const terminal = Boolean(process.stdin.isTTY && process.stdout.isTTY);
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal, prompt: '> ' });
  let conversationId: string | null = null;
  let current: AbortController | null = null;
  let quit = false;
  let inputClosed = false;
  rl.once('close', () => (inputClosed = true));
  const leave = () => {
    quit = true;
    current?.abort();
    rl.close();
  };
  // Ctrl-C stops the answer being streamed; at the prompt it leaves. A terminal gives it to
  // readline as a key; piped input gets the signal.
  const onInterrupt = () => {
    if (current) current.abort();
    else {
      leave();
      process.exitCode = 130;
    }
  };
  rl.on('SIGINT', onInterrupt);
  process.on('SIGINT', onInterrupt);
  outputGone.addEventListener('abort', leave);
  try {
    process.stdout.write('Ask about music production. Ctrl-C stops an answer; Ctrl-D or Ctrl-C at the prompt quits.\n');
    rl.prompt();
    // The lines read before the input closed (EOF) are still asked; quitting drops them.
    for await (const raw of rl) {
      if (quit) break;
      const line = raw.trim();
      if (line) {
        current = new AbortController();
        try {
          ({ conversationId } = await askOnce(client, line, conversationId, opts, current.signal));
        } catch (err) {
          if (!(err instanceof ChatClientError)) throw err;
          process.stderr.write(`error: ${err.message}\n`);
        } finally {
          current = null;
        }
      }
      // A prompt on a closed interface would resume stdin and keep the process waiting.
      if (!inputClosed) rl.prompt();
    }
  } finally {
    process.off('SIGINT', onInterrupt);
    outputGone.removeEventListener('abort', leave);
    rl.close();
  }
}

export function registerChat(program: Command): void {
  program
    .command('chat')
    .description('ask a question and stream the cited answer (interactive without a question)')
    .argument('[question...]', 'the question; omit it for an interactive prompt that keeps the conversation')
    .option('-c, --creator <slug>', 'ask a creator first (the cascade widens when they have nothing)')
    .option('-w, --weight <x>', "personality weight, 0 (neutral) to 1 (the creator's voice)", weight, 0)
    .option('-s, --server <url>', 'a running Chrysopedia server (default: embedded, in this process)', serverUrl)
    .option('-t, --token <token>', 'API token for --server (default: $CHRYSOPEDIA_TOKEN)')
    .option('--json', 'print each event as one JSON line')
    .action(async (words: string[], opts: ChatOptions) => {
      const token = opts.token ?? process.env.CHRYSOPEDIA_TOKEN;
      const client: ChatClient = opts.server ? new RemoteChatClient(opts.server, token) : await EmbeddedChatClient.open();
      // Nobody reads the answer any more (`chrysopedia chat … | head`): stop it and end quietly, exit 0.
      const output = stdoutGone();
      try {
        if (words.length === 0) return await interactive(client, opts, output.signal);
        const interrupt = new AbortController();
        const onSigint = () => interrupt.abort();
        process.once('SIGINT', onSigint);
        try {
          const signal = AbortSignal.any([interrupt.signal, output.signal]);
          const { ok } = await askOnce(client, words.join(' '), null, opts, signal);
          if (output.signal.aborted) return;
          if (interrupt.signal.aborted) {
            process.stdout.write('\n');
            process.stderr.write('stopped\n');
            process.exitCode = 130;
          } else if (!ok) process.exitCode = 1;
        } finally {
          process.off('SIGINT', onSigint);
        }
      } catch (err) {
        if (!(err instanceof ChatClientError)) throw err;
        const retry = err.retryAfter ? ` (retry in ${err.retryAfter} s)` : '';
        process.stderr.write(`error: ${err.message}${retry}\n`);
        process.exitCode = 1;
      } finally {
        output.release();
        await client.close();
      }
    });
}
