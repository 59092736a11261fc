import { createParser } from 'eventsource-parser';
import type { SseEvent } from './sse.js';

/** An event stream read as it arrives, over real HTTP (fetch), parsed with eventsource-parser. */
export class LiveSse {
  readonly events: SseEvent[] = [];
  /** How the body ended: 'end' (the server closed it), or 'cut' (the connection failed). */
  readonly ended: Promise<'end' | 'cut'>;
  private listeners = new Set<() => void>();

  private constructor(
    readonly status: number,
    body: ReadableStream<Uint8Array>,
  ) {
    const parser = createParser({
      onEvent: (m) => {
        this.events.push({ id: m.id, event: m.event ?? 'message', data: JSON.parse(m.data) as unknown });
        for (const l of this.listeners) l();
      },
    });
    this.ended = (async () => {
      const decoder = new TextDecoder();
      const reader = body.getReader();
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) return 'end' as const;
          parser.feed(decoder.decode(value, { stream: true }));
        }
      } catch {
        return 'cut' as const;
      } finally {
        for (const l of this.listeners) l();
      }
    })();
  }

  static async open(url: string, init: RequestInit = {}): Promise<LiveSse> {
    const res = await fetch(url, init);
    if (!res.body) throw new Error(`no body: HTTP ${res.status}`);
    return new LiveSse(res.status, res.body);
  }

  get tokens(): number {
    return this.events.filter((e) => e.event === 'token').length;
  }

  get lastId(): string | undefined {
    return this.events.at(-1)?.id;
  }

  /** Resolves once `check` holds (checked at each event), rejects after timeoutMs or when the body ends first. */
  async until(check: (s: LiveSse) => boolean, timeoutMs = 10_000): Promise<void> {
    if (check(this)) return;
    let done = false;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`not within ${timeoutMs} ms; ${this.events.length} events`)), timeoutMs);
      const listener = () => {
        if (done) return;
        if (check(this)) {
          done = true;
          clearTimeout(timer);
          this.listeners.delete(listener);
          resolve();
        }
      };
      this.listeners.add(listener);
      void this.ended.then(() => {
        if (!done && !check(this)) {
          done = true;
          clearTimeout(timer);
          reject(new Error(`the stream ended first; ${this.events.length} events`));
        }
      });
    });
  }
}
