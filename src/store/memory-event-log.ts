import { EventEmitter, once } from 'node:events';
import { DEFAULT_RETENTION, type EventLog, type EventLogHealth, type EventLogRetention, type LoggedEvent, type ReadEvent, type StreamSignal } from './event-log.js';

interface Stream {
  /** The latest `maxEvents` events, oldest first. */
  events: LoggedEvent[];
  expiresAt: number;
}

/** The embedded mode's event log: in this process, so only this process resumes its streams. */
export class MemoryEventLog implements EventLog {
  readonly kind = 'memory';
  private readonly streams = new Map<string, Stream>();
  // One emitter for appends (event name: the stream id) and one for signals.
  private readonly appended = new EventEmitter();
  private readonly signals = new EventEmitter();
  private readonly sweeper: NodeJS.Timeout;
  private readonly retention: EventLogRetention;

  constructor(retention: Partial<EventLogRetention> = {}, private readonly now: () => number = Date.now) {
    this.retention = { ...DEFAULT_RETENTION, ...retention };
    this.appended.setMaxListeners(0);
    this.signals.setMaxListeners(0);
    this.sweeper = setInterval(() => this.sweep(), Math.min(this.retention.finishedMs, 5000));
    this.sweeper.unref();
  }

  async append(streamId: string, event: LoggedEvent): Promise<void> {
    let stream = this.streams.get(streamId);
    if (!stream) {
      stream = { events: [], expiresAt: 0 };
      this.streams.set(streamId, stream);
    }
    const last = stream.events.at(-1);
    if (last && event.seq <= last.seq) throw new Error(`event ${event.seq} of ${streamId} is not after ${last.seq}`);
    stream.events.push(event);
    if (stream.events.length > this.retention.maxEvents) stream.events.shift();
    stream.expiresAt = this.now() + (event.terminal ? this.retention.finishedMs : this.retention.liveMs);
    this.appended.emit(streamId);
  }

  async has(streamId: string): Promise<boolean> {
    return this.live(streamId) !== undefined;
  }

  async *read(streamId: string, afterSeq: number, signal: AbortSignal): AsyncGenerator<ReadEvent, void, void> {
    let seen = afterSeq;
    let replayed = true;
    while (!signal.aborted) {
      const stream = this.live(streamId);
      if (!stream) return;
      // Waiting is set up before reading, so an append in between is not missed.
      const wait = new AbortController();
      const until = AbortSignal.any([signal, wait.signal]);
      const next = Promise.race([once(this.appended, streamId, { signal: until }), once(this.appended, `gone:${streamId}`, { signal: until })]).catch(
        () => undefined,
      );
      try {
        // The stream ended at or before the reader's place: nothing more will come.
        const last = stream.events.at(-1);
        if (last?.terminal && last.seq <= seen) return;
        for (const e of stream.events) {
          if (e.seq <= seen) continue;
          seen = e.seq;
          yield { ...e, replayed };
          if (e.terminal) return;
        }
        replayed = false;
        await next;
      } finally {
        wait.abort();
      }
    }
  }

  async publish(streamId: string, signal: StreamSignal): Promise<void> {
    this.signals.emit('signal', streamId, signal);
  }

  subscribe(handler: (streamId: string, signal: StreamSignal) => void): () => void {
    this.signals.on('signal', handler);
    return () => this.signals.off('signal', handler);
  }

  async ready(): Promise<void> {}

  async health(): Promise<EventLogHealth> {
    return { status: 'ok', detail: 'in process (resume on this replica only)' };
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    for (const id of [...this.streams.keys()]) this.drop(id);
  }

  private live(streamId: string): Stream | undefined {
    const stream = this.streams.get(streamId);
    if (stream && stream.expiresAt <= this.now()) {
      this.drop(streamId);
      return undefined;
    }
    return stream;
  }

  private drop(streamId: string): void {
    this.streams.delete(streamId);
    this.appended.emit(`gone:${streamId}`);
  }

  private sweep(): void {
    const now = this.now();
    for (const [id, s] of this.streams) if (s.expiresAt <= now) this.drop(id);
  }
}
