import { createParser } from 'eventsource-parser';
import pino from 'pino';
import { parseChatEvent, type ChatEvent } from '../contract/chat-events.js';
import { loadConfig } from '../config.js';
import { buildDeps, type Deps } from '../deps.js';

export interface ChatAsk {
  query: string;
  creator: string | null;
  conversationId: string | null;
  personalityWeight: number;
  signal: AbortSignal;
}

/** One answer's events, whichever way they arrive; throws ChatClientError for a refused request. */
export interface ChatClient {
  ask(ask: ChatAsk): AsyncGenerator<ChatEvent, void, void>;
  close(): Promise<void>;
}

export class ChatClientError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly retryAfter: number | null = null,
  ) {
    super(message);
  }
}

// The events this client reads; another name is a newer server's, skipped.
const KNOWN_EVENTS = new Set(['sources', 'token', 'done', 'error']);

/** Talks to a running server over HTTP and reads its event stream. */
export class RemoteChatClient implements ChatClient {
  constructor(
    private readonly server: string,
    private readonly token: string | undefined,
  ) {}

  async *ask(a: ChatAsk): AsyncGenerator<ChatEvent, void, void> {
    const res = await fetch(new URL('/api/v1/chat', this.server), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(this.token ? { authorization: `Bearer ${this.token}` } : {}) },
      body: JSON.stringify({
        query: a.query,
        creator: a.creator,
        conversation_id: a.conversationId,
        personality_weight: a.personalityWeight,
      }),
      signal: a.signal,
    });
    if (!res.ok || !res.body) {
      const body = (await res.json().catch(() => ({}))) as { error?: string; retry_after?: number; details?: { field: string; message: string }[] };
      const details = body.details?.map((d) => `${d.field}: ${d.message}`).join('; ');
      throw new ChatClientError(`${body.error ?? res.statusText}${details ? ` (${details})` : ''}`, res.status, body.retry_after ?? null);
    }
    const queue: ChatEvent[] = [];
    let malformed: string | null = null;
    const parser = createParser({
      onEvent: (e) => {
        if (malformed || !KNOWN_EVENTS.has(e.event ?? 'message')) return;
        // Read with the schemas the server writes with (contract/chat-events.ts); nothing is cast.
        const parsed = parseChatEvent(e.event, e.data);
        if (parsed.ok) queue.push(parsed.event);
        else malformed = parsed.reason;
      },
    });
    const decoder = new TextDecoder();
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        parser.feed(decoder.decode(chunk, { stream: true }));
        while (queue.length > 0) yield queue.shift() as ChatEvent;
        if (malformed) throw new ChatClientError(`the server sent a stream this client cannot read (${malformed})`, 502);
      }
    } catch (err) {
      if (a.signal.aborted && !(err instanceof ChatClientError)) return;
      throw err;
    }
  }

  async close(): Promise<void> {}
}

/** Runs the chat pipeline in this process, on the configured database (embedded by default). */
export class EmbeddedChatClient implements ChatClient {
  private constructor(private readonly deps: Deps) {}

  static async open(): Promise<EmbeddedChatClient> {
    const config = loadConfig();
    return new EmbeddedChatClient(await buildDeps(config, pino({ level: 'silent' })));
  }

  async *ask(a: ChatAsk): AsyncGenerator<ChatEvent, void, void> {
    const creator = a.creator ? await this.deps.chat.findCreator(a.creator) : null;
    if (a.creator && !creator) throw new ChatClientError(`Unknown creator '${a.creator}'`, 404);
    const prepared = await this.deps.chat.prepare({
      query: a.query,
      creator,
      conversationId: a.conversationId,
      personalityWeight: a.personalityWeight,
      userId: null,
    }, a.signal);
    yield* this.deps.chat.stream(prepared, a.signal);
  }

  close(): Promise<void> {
    return this.deps.close();
  }
}
