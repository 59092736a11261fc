import type { Logger } from 'pino';
import type { Metrics } from '../metrics.js';
import type { EventLog, StreamSignal } from '../store/event-log.js';
import type { ChatEvent } from '../contract/chat-events.js';
import { encodeEvent, type SseEvent } from './sse-writer.js';

/** The data a `sources` event has in the event log: a resume sends the stored turn's sources. */
export const SOURCES_IN_TURN = 'null';

interface Running {
  abort: AbortController;
  /** Resumed readers, on any replica, as their attach/detach signals say. */
  readers: number;
  clientGone: boolean;
  timer: NodeJS.Timeout | undefined;
  /** An append failed: the log misses events of this answer, so no one can resume it. */
  unresumable: boolean;
}

export interface LiveAnswer {
  frame(e: ChatEvent): SseEvent | null;
  clientGone(): void;
  end(): void;
}

export interface LiveAnswersOptions {
  eventLog: EventLog;
  /** How long an answer whose client went away goes on, waiting for a reader (CHAT_RESUME_GRACE_MS). */
  graceMs: number;
  log: Pick<Logger, 'info' | 'warn'>;
  metrics: Metrics;
  /** An event with a field its schema lacks is an error, not dropped (STRICT_RESPONSES, tests). */
  strict?: boolean;
}

/**
 * The answers being written on this replica. Each event goes to the event log, then to the client
 * that asked; when that client goes, the answer goes on for the grace while nobody reads it, and
 * stops (client_closed) when it is over or on a stop signal from any replica.
 */
export class LiveAnswers {
  private readonly running = new Map<string, Running>();
  private readonly unsubscribe: () => void;

  constructor(private readonly o: LiveAnswersOptions) {
    this.unsubscribe = o.eventLog.subscribe((id, signal) => this.onSignal(id, signal));
  }

  /**
   * Starts following one answer: `frame` numbers each of its events and appends it to the log
   * (call it for every event, in order), `clientGone` is for when the client that asked has gone,
   * `end` once the stream is over; `abort` is what stops the answer.
   */
  start(messageId: string, abort: AbortController): LiveAnswer {
    const r: Running = { abort, readers: 0, clientGone: false, timer: undefined, unresumable: false };
    this.running.set(messageId, r);
    let seq = 0;
    let broken = false;
    return {
      frame: (e) => {
        // After an event that broke its schema (now the stream's error), the rest is only drained.
        if (broken) return null;
        seq += 1;
        const { event, data, broken: bad } = encodeEvent(e, this.o.strict);
        broken = bad;
        // Not awaited: one connection keeps the appends in order, and the client need not wait for Redis.
        if (!r.unresumable) {
          const terminal = event === 'done' || event === 'error';
          // The sources are stored with the turn already: the log keeps their place, not a copy.
          const logged = event === 'sources' ? SOURCES_IN_TURN : data;
          this.o.eventLog.append(messageId, { seq, event, data: logged, terminal }).catch((err: unknown) => this.appendFailed(messageId, r, err));
        }
        return { id: `${messageId}:${seq}`, event, data };
      },
      clientGone: () => {
        if (r.clientGone || this.running.get(messageId) !== r) return;
        r.clientGone = true;
        this.armGrace(messageId, r);
      },
      end: () => {
        clearTimeout(r.timer);
        if (this.running.get(messageId) === r) this.running.delete(messageId);
      },
    };
  }

  /** Stops every answer this replica writes (shutdown, once its grace is over). */
  stopAll(): void {
    for (const r of this.running.values()) {
      clearTimeout(r.timer);
      r.abort.abort();
    }
  }

  close(): void {
    this.unsubscribe();
  }

  private armGrace(messageId: string, r: Running): void {
    if (!r.clientGone || r.readers > 0 || r.abort.signal.aborted) return;
    clearTimeout(r.timer);
    r.timer = setTimeout(
      () => {
        if (r.readers > 0 || r.abort.signal.aborted) return;
        this.o.metrics.resumeGraceTimeouts.inc();
        this.o.log.info({ message_id: messageId }, 'no reader within the grace: answer stopped');
        r.abort.abort();
      },
      // Nobody can resume an answer the log lost events of: no reason to wait.
      r.unresumable ? 0 : this.o.graceMs,
    );
  }

  private onSignal(messageId: string, signal: StreamSignal): void {
    const r = this.running.get(messageId);
    if (!r) return;
    if (signal === 'stop') {
      clearTimeout(r.timer);
      r.abort.abort();
    } else if (signal === 'attach') {
      r.readers += 1;
      clearTimeout(r.timer);
    } else {
      r.readers = Math.max(0, r.readers - 1);
      this.armGrace(messageId, r);
    }
  }

  private appendFailed(messageId: string, r: Running, err: unknown): void {
    if (r.unresumable) return;
    r.unresumable = true;
    const reason = err instanceof Error ? err.message : String(err);
    this.o.log.warn({ message_id: messageId, reason }, 'event log unavailable: the answer streams on, but cannot be resumed');
    this.armGrace(messageId, r);
  }
}
