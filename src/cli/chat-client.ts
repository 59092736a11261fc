import pino from 'pino';
import type { ChatEvent } from '../contract/chat-events.js';
import { loadConfig } from '../config.js';
import { buildDeps, type Deps } from '../deps.js';
import { resumableEvents } from './resumable-stream.js';

export interface ChatAsk {
  query: string;
  creator: string | null;
  conversationId: string | null;
  personalityWeight: number;
  signal: AbortSignal;
  /** Told when a dropped connection is being resumed (attempt from 1). */
  onReconnecting?: (attempt: number) => void;
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

const UNREACHABLE: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host lookup failed',
  ETIMEDOUT: 'timed out',
  UND_ERR_CONNECT_TIMEOUT: 'timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
};

/** Why fetch() failed, from its cause ("fetch failed" alone says nothing): "connection refused", or the cause's own code or message. */
function unreachableReason(err: unknown): string {
  let cause: unknown = err instanceof Error && err.cause !== undefined ? err.cause : err;
  // Every address of the host failed (IPv6 and IPv4): the first one says why.
  if (cause instanceof AggregateError && cause.errors.length > 0) cause = cause.errors[0];
  const code = cause instanceof Error && 'code' in cause && typeof cause.code === 'string' ? cause.code : null;
  if (code) return UNREACHABLE[code] ?? code;
  return cause instanceof Error ? cause.message : String(cause);
}

/** Talks to a running server over HTTP and reads its event stream, resuming it when the connection drops. */
export class RemoteChatClient implements ChatClient {
  constructor(
    private readonly server: string,
    private readonly token: string | undefined,
  ) {}

  async *ask(a: ChatAsk): AsyncGenerator<ChatEvent, void, void> {
    let res: Response;
    try {
      res = await fetch(new URL('/api/v1/chat', this.server), {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...this.authHeaders() },
        body: JSON.stringify({
          query: a.query,
          creator: a.creator,
          conversation_id: a.conversationId,
          personality_weight: a.personalityWeight,
        }),
        signal: a.signal,
      });
    } catch (err) {
      if (a.signal.aborted) return;
      throw new ChatClientError(`cannot reach ${new URL(this.server).origin} (${unreachableReason(err)})`, 0);
    }
    if (!res.ok || !res.body) {
      const body = (await res.json().catch(() => ({}))) as { error?: string; retry_after?: number; details?: { field: string; message: string }[] };
      const details = body.details?.map((d) => `${d.field}: ${d.message}`).join('; ');
      throw new ChatClientError(`${body.error ?? res.statusText}${details ? ` (${details})` : ''}`, res.status, body.retry_after ?? null);
    }
    try {
      yield* resumableEvents(res, { server: this.server, headers: this.authHeaders(), signal: a.signal, onReconnecting: a.onReconnecting });
    } catch (err) {
      if (a.signal.aborted) return;
      throw new ChatClientError(err instanceof Error ? err.message : String(err), 0);
    }
  }

  private authHeaders(): Record<string, string> {
    return this.token ? { authorization: `Bearer ${this.token}` } : {};
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
