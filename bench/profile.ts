/** The sizes of one benchmark run: `full` for BENCHMARKS.md, `quick` to prove in CI that every section still works. */
export interface Profile {
  name: 'full' | 'quick';
  /** The fake LLM of the streaming sections: first-token delay and token rate, as a hosted model streams. */
  llm: { firstTokenDelayMs: number; tokens: number; tokenIntervalMs: number };
  firstToken: { concurrency: number[]; requestsPerStream: number; minRequests: number; rounds: number };
  /** Streams held open, after `warmup` chats cut at their first token. */
  openStreams: { streams: number; warmup: number };
  throughput: { connections: number; seconds: number; rounds: number; answerTokens: number };
  /**
   * Chats each service answers (instant LLM, 50 clients) when it starts, before any section
   * measures it: V8 is still compiling the hot paths for the first few thousand chats (a
   * quarter of the server's CPU after 250 chats, under 1 % after 4,000: bench/findings.md).
   */
  jitWarmupChats: number;
  /** Server CPU per streamed token: chats of `short` and of `long` paced tokens (the llm profile's pace). */
  perToken: { streams: number; chatsPerStream: number; short: number; long: number };
  retrieval: { sizes: number[]; questions: number; rounds: number };
  /** Environment of `npm run bench:limits` (once it exists). */
  limits: Record<string, string>;
}

export const FULL: Profile = {
  name: 'full',
  // About 65 tokens/s, as hosted models stream; a 60-token answer is short (real ones run longer,
  // which makes fewer chats per second at a given number of open streams: this is the heavier case).
  llm: { firstTokenDelayMs: 100, tokens: 60, tokenIntervalMs: 15 },
  firstToken: { concurrency: [1, 50, 200], requestsPerStream: 4, minRequests: 12, rounds: 2 },
  openStreams: { streams: 1000, warmup: 200 },
  throughput: { connections: 50, seconds: 3, rounds: 3, answerTokens: 50 },
  jitWarmupChats: 4000,
  perToken: { streams: 50, chatsPerStream: 2, short: 50, long: 500 },
  retrieval: { sizes: [10_000, 100_000], questions: 60, rounds: 2 },
  limits: {},
};

export const QUICK: Profile = {
  name: 'quick',
  llm: { firstTokenDelayMs: 20, tokens: 10, tokenIntervalMs: 2 },
  firstToken: { concurrency: [1, 10], requestsPerStream: 2, minRequests: 5, rounds: 1 },
  openStreams: { streams: 100, warmup: 40 },
  throughput: { connections: 10, seconds: 1, rounds: 1, answerTokens: 50 },
  jitWarmupChats: 50,
  perToken: { streams: 5, chatsPerStream: 1, short: 10, long: 50 },
  retrieval: { sizes: [1_000], questions: 10, rounds: 1 },
  limits: { BENCH_CHECKS: '500', BENCH_ROUNDS: '1', BENCH_CONCURRENCY: '10' },
};
