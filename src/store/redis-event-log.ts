import type { Redis, Result } from 'ioredis';
import { APPEND_EVENTS_LUA } from './append-events-script.js';
import { DEFAULT_RETENTION, type EventLog, type EventLogHealth, type EventLogRetention, type LoggedEvent, type ReadEvent, type StreamSignal } from './event-log.js';

export interface RedisEventLogOptions {
  /** Prepended to every key and to the signal channel (tests give each file its own). */
  prefix?: string;
  retention?: Partial<EventLogRetention>;
  /** How long one XREAD waits before the reader checks that its stream still exists. */
  blockMs?: number;
  /** Appends wait at most this long to go with others in one MULTI (0: the next turn of the event loop). */
  flushMs?: number;
}

type Handler = (streamId: string, signal: StreamSignal) => void;
type Entry = [id: string, fields: string[]];

declare module 'ioredis' {
  interface RedisCommander<Context> {
    chrysopediaAppendEvents(numKeys: number, ...args: (string | number)[]): Result<string[], Context>;
  }
}

interface PendingAppend {
  streamId: string;
  event: LoggedEvent;
  resolve: () => void;
  reject: (err: unknown) => void;
}

const SIGNALS = new Set<string>(['stop', 'attach', 'detach']);

/** An entry's id is `0-<seq>`: the stream's own numbering, so "after event n" is exact on any replica. */
function toEvent([id, fields]: Entry): LoggedEvent {
  const f: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) f[fields[i]!] = fields[i + 1]!;
  return { seq: Number(id.split('-')[1]), event: f.e ?? '', data: f.d ?? 'null', terminal: f.t === '1' };
}

/**
 * The event log in Redis Streams, shared by every replica: XADD with an explicit id, MAXLEN ~ and a
 * TTL renewed at each append; XRANGE replays, XREAD BLOCK (on a connection of the reader's own)
 * follows; replicas signal each other over one pub/sub channel.
 */
export class RedisEventLog implements EventLog {
  readonly kind = 'redis';
  private readonly prefix: string;
  private readonly retention: EventLogRetention;
  private readonly blockMs: number;
  private readonly flushMs: number;
  private readonly handlers = new Set<Handler>();
  private readonly readers = new Set<Redis>();
  private subscriber: Redis | null = null;
  private subscribed: Promise<unknown> = Promise.resolve();
  private pending: PendingAppend[] = [];
  private flushSoon: NodeJS.Immediate | undefined;
  private flushLater: NodeJS.Timeout | undefined;

  constructor(
    private readonly client: Redis,
    options: RedisEventLogOptions = {},
  ) {
    this.prefix = options.prefix ?? '';
    this.retention = { ...DEFAULT_RETENTION, ...options.retention };
    this.blockMs = options.blockMs ?? 5000;
    this.flushMs = options.flushMs ?? 10;
    // defineCommand sends EVALSHA and falls back to EVAL when a restarted Redis lost the script.
    client.defineCommand('chrysopediaAppendEvents', { lua: APPEND_EVENTS_LUA });
  }

  private key(streamId: string): string {
    return `${this.prefix}chat-stream:${streamId}`;
  }

  private get channel(): string {
    return `${this.prefix}chat-stream-signals`;
  }

  /**
   * Queued, and sent with every other append of the next `flushMs` (all streams' tokens meanwhile)
   * in one script call (append-events-script.ts): a round trip per token was the largest cost of a streamed answer (CPU on both
   * sides, a syscall each). Order is kept: one connection, in order. A resumed reader is at most
   * `flushMs` behind; a client resuming from an event the log does not hold yet gets it once flushed.
   */
  append(streamId: string, e: LoggedEvent): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ streamId, event: e, resolve, reject });
      // A stream's first event goes at once: from then on a resume finds the stream in the log.
      if (e.seq === 1 || this.flushMs === 0) this.flushSoon ??= setImmediate(() => this.flush());
      else this.flushLater ??= setTimeout(() => this.flush(), this.flushMs);
    });
  }

  private flush(): Promise<void> {
    clearImmediate(this.flushSoon);
    clearTimeout(this.flushLater);
    this.flushSoon = undefined;
    this.flushLater = undefined;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return Promise.resolve();
    // One script call for the whole batch: a MULTI costs a command object, a promise and a reply per XADD.
    const keyIndex = new Map<string, number>();
    const ttls: number[] = [];
    const eventArgs: (string | number)[] = [];
    for (const { streamId, event: e } of batch) {
      const key = this.key(streamId);
      let index = keyIndex.get(key);
      if (index === undefined) {
        index = keyIndex.size + 1;
        keyIndex.set(key, index);
      }
      // A stream's TTL is its last event's of the batch (a terminal one shortens it).
      ttls[index - 1] = e.terminal ? this.retention.finishedMs : this.retention.liveMs;
      eventArgs.push(index, `0-${e.seq}`, e.event, e.data, e.terminal ? '1' : '0');
    }
    return this.client
      .chrysopediaAppendEvents(keyIndex.size, ...keyIndex.keys(), this.retention.maxEvents, batch.length, ...eventArgs, ...ttls)
      .then(
        (results) => {
          batch.forEach((p, i) => {
            const err = results[i];
            if (err) p.reject(new Error(`event log: ${err}`));
            else p.resolve();
          });
        },
        (err: unknown) => {
          for (const p of batch) p.reject(err);
        },
      );
  }

  async has(streamId: string): Promise<boolean> {
    return (await this.client.exists(this.key(streamId))) === 1;
  }

  async *read(streamId: string, afterSeq: number, signal: AbortSignal): AsyncGenerator<ReadEvent, void, void> {
    const key = this.key(streamId);
    let seen = afterSeq;
    const replay = (await this.client.xrange(key, `(0-${afterSeq}`, '+')) as Entry[];
    for (const entry of replay) {
      const e = toEvent(entry);
      seen = e.seq;
      yield { ...e, replayed: true };
      if (e.terminal) return;
    }
    if (replay.length === 0) {
      // The stream ended at or before the reader's place: nothing more will come.
      const [tail] = (await this.client.xrevrange(key, '+', '-', 'COUNT', 1)) as Entry[];
      if (tail && toEvent(tail).terminal) return;
    }
    // A blocked XREAD holds its connection: each live reader gets one of its own.
    const reader = this.client.duplicate({ lazyConnect: true, commandTimeout: this.blockMs + 2000, retryStrategy: () => null });
    reader.on('error', () => undefined);
    this.readers.add(reader);
    const stop = () => reader.disconnect();
    signal.addEventListener('abort', stop, { once: true });
    try {
      await reader.connect();
      while (!signal.aborted) {
        const reply = (await reader.xread('BLOCK', this.blockMs, 'STREAMS', key, `0-${seen}`)) as [string, Entry[]][] | null;
        if (!reply) {
          if (!(await this.has(streamId))) return;
          continue;
        }
        for (const [, entries] of reply) {
          for (const entry of entries) {
            const e = toEvent(entry);
            seen = e.seq;
            yield { ...e, replayed: false };
            if (e.terminal) return;
          }
        }
      }
    } catch (err) {
      if (!signal.aborted) throw err;
    } finally {
      signal.removeEventListener('abort', stop);
      this.readers.delete(reader);
      reader.disconnect();
    }
  }

  async publish(streamId: string, signal: StreamSignal): Promise<void> {
    await this.client.publish(this.channel, JSON.stringify({ id: streamId, signal }));
  }

  subscribe(handler: Handler): () => void {
    this.handlers.add(handler);
    if (!this.subscriber) {
      // Queues SUBSCRIBE until connected, and subscribes again after each reconnection.
      const sub = this.client.duplicate({ lazyConnect: false, enableOfflineQueue: true, commandTimeout: undefined, autoResubscribe: true });
      sub.on('error', () => undefined);
      sub.on('message', (_channel: string, message: string) => this.deliver(message));
      this.subscribed = sub.subscribe(this.channel).catch(() => undefined);
      this.subscriber = sub;
    }
    return () => this.handlers.delete(handler);
  }

  async ready(): Promise<void> {
    await this.subscribed;
  }

  async health(): Promise<EventLogHealth> {
    try {
      await this.client.ping();
      return { status: 'ok', detail: 'redis (any replica resumes any stream)' };
    } catch {
      return { status: 'degraded', detail: 'Redis unreachable: streams go on, but cannot be resumed' };
    }
  }

  async close(): Promise<void> {
    // What is queued is sent before the connection goes.
    await this.flush();
    this.subscriber?.disconnect();
    this.subscriber = null;
    for (const r of this.readers) r.disconnect();
    this.client.disconnect();
  }

  private deliver(message: string): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(message);
    } catch {
      return;
    }
    const { id, signal } = (parsed ?? {}) as { id?: unknown; signal?: unknown };
    if (typeof id !== 'string' || typeof signal !== 'string' || !SIGNALS.has(signal)) return;
    for (const h of this.handlers) h(id, signal as StreamSignal);
  }
}
