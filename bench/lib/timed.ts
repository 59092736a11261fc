import type { Answerer, AnswerOutcome, AnswerRequest } from '../../src/llm/answerer.js';
import type { LimitDecision, LimitKey, RateLimiter } from '../../src/limits/rate-limiter.js';
import type { Db, Queryable } from '../../src/store/db.js';

/** Time spent per step, summed over the chats measured. */
export class StepClock {
  readonly totals = new Map<string, { ms: number; calls: number }>();
  enabled = false;

  add(step: string, ms: number): void {
    if (!this.enabled) return;
    const t = this.totals.get(step) ?? { ms: 0, calls: 0 };
    t.ms += ms;
    t.calls += 1;
    this.totals.set(step, t);
  }

  async time<T>(step: string, work: () => Promise<T>): Promise<T> {
    const t = performance.now();
    try {
      return await work();
    } finally {
      this.add(step, performance.now() - t);
    }
  }
}

// What each statement of a chat is for; anything else is named by its first words.
const STEPS: [RegExp, string][] = [
  [/^INSERT INTO conversations/, 'open the conversation (INSERT)'],
  [/FROM turns t\s+WHERE t\.conversation_id/, 'conversation history (SELECT)'],
  [/unnest\(to_tsvector/, 'retrieval: the question\'s terms and their frequency'],
  [/^WITH held AS .* p\.technique_tsv @@/, 'retrieval: the first pass over techniques (large knowledge bases)'],
  [/^WITH held AS/, 'retrieval: the search'],
  [/INSERT INTO turns/, 'store the turn (and a new conversation), while the LLM request goes out'],
  [/^UPDATE turns SET answer/, 'store the answer (after the stream, not before the first token)'],
  [/FROM creators WHERE slug/, 'the creator\'s profile'],
];

export function stepOf(sql: string): string {
  const text = sql.replace(/\s+/g, ' ').trim();
  return STEPS.find(([re]) => re.test(text))?.[1] ?? `SQL: ${text.slice(0, 60)}`;
}

/** A Db that times every statement. */
export function timedDb(inner: Db, clock: StepClock): Db {
  const timed = (q: Queryable): Queryable => ({
    query: (sql, params, options) => clock.time(stepOf(sql), () => q.query(sql, params, options)),
    exec: (sql) => q.exec(sql),
  });
  return {
    kind: inner.kind,
    keepsShapes: inner.keepsShapes,
    ...timed(inner),
    transaction: (fn) => clock.time('a transaction (all of it)', () => inner.transaction((tx) => fn(timed(tx)))),
    ping: () => inner.ping(),
    close: () => inner.close(),
  };
}

export function timedLimiter(inner: RateLimiter, clock: StepClock): RateLimiter {
  return {
    kind: inner.kind,
    get stats() {
      return inner.stats;
    },
    check: (keys: readonly LimitKey[]): Promise<LimitDecision> => clock.time(`rate limits (${inner.kind})`, () => inner.check(keys)),
    peek: (key) => inner.peek(key),
    health: () => inner.health(),
    close: () => inner.close(),
  };
}

/** An answerer whose time to its first piece of text is clocked: the request to the LLM and its first chunk. */
export function timedAnswerer(inner: Answerer, clock: StepClock): Answerer {
  return {
    kind: inner.kind,
    async *answer(request: AnswerRequest): AsyncGenerator<string, AnswerOutcome, void> {
      const started = performance.now();
      let first = true;
      const gen = inner.answer(request);
      for (;;) {
        const step = await gen.next();
        if (step.done) return step.value;
        if (first) clock.add('the LLM request, to its first token (the fake answers at once)', performance.now() - started);
        first = false;
        yield step.value;
      }
    },
  };
}
