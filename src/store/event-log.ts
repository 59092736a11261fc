/** One event of a stream as the log keeps it: its number (from 1), name and JSON data. */
export interface LoggedEvent {
  seq: number;
  event: string;
  /** The event's data, already JSON. */
  data: string;
  /** The stream's last event (done or error): readers stop after it. */
  terminal: boolean;
}

/** An event read back, and whether it was already in the log when the read began. */
export interface ReadEvent extends LoggedEvent {
  replayed: boolean;
}

/** What replicas tell each other about a stream: stop it, a reader came, a reader left. */
export type StreamSignal = 'stop' | 'attach' | 'detach';

export interface EventLogHealth {
  status: 'ok' | 'degraded';
  detail: string;
}

/** How long the log keeps a stream: while it is written, and once it has ended. */
export interface EventLogRetention {
  /** Since the last append, for a stream still being written. */
  liveMs: number;
  /** After its terminal event (later resumes replay from the database). */
  finishedMs: number;
  /** At most this many events per stream (Redis: MAXLEN ~). */
  maxEvents: number;
}

export const DEFAULT_RETENTION: EventLogRetention = { liveMs: 10 * 60_000, finishedMs: 60_000, maxEvents: 10_000 };

/**
 * The events of the streams being written, so that a client that lost its connection can read the
 * rest, from any replica (SPEC §1 "Resuming a stream"), and the signals replicas send about them.
 */
export interface EventLog {
  readonly kind: 'memory' | 'redis';
  /** Appends one event; `seq` is one more than the stream's last. Rejects when the log is unreachable. */
  append(streamId: string, event: LoggedEvent): Promise<void>;
  /** Whether the log holds this stream now. */
  has(streamId: string): Promise<boolean>;
  /**
   * The events after `afterSeq`, then the live ones as they are appended, until the terminal one,
   * the signal aborting, or the stream leaving the log.
   */
  read(streamId: string, afterSeq: number, signal: AbortSignal): AsyncGenerator<ReadEvent, void, void>;
  /** Sends a signal to every replica's subscribers (this one's too). Rejects when unreachable. */
  publish(streamId: string, signal: StreamSignal): Promise<void>;
  /** Hears every replica's signals; returns the function that stops hearing them. */
  subscribe(handler: (streamId: string, signal: StreamSignal) => void): () => void;
  /** Resolves once this replica hears signals (after the first subscribe). */
  ready(): Promise<void>;
  health(): Promise<EventLogHealth>;
  close(): Promise<void>;
}
