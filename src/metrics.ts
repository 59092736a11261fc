import { constants, PerformanceObserver } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const DURATION_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120];

/** The service's Prometheus metrics, on a registry of its own (one per app, so tests don't share). */
export class Metrics {
  readonly registry = new Registry();
  readonly httpRequests = new Counter({
    name: 'chrysopedia_http_requests_total',
    help: 'HTTP requests by route, method and status',
    labelNames: ['route', 'method', 'status'] as const,
    registers: [this.registry],
  });
  readonly firstToken = new Histogram({
    name: 'chrysopedia_chat_first_token_seconds',
    help: 'Chat: request received → first token sent',
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly chatDuration = new Histogram({
    name: 'chrysopedia_chat_duration_seconds',
    help: 'Chat: request received → stream ended, by outcome (done, error, client_closed)',
    labelNames: ['outcome'] as const,
    buckets: DURATION_BUCKETS,
    registers: [this.registry],
  });
  readonly tokens = new Counter({
    name: 'chrysopedia_chat_tokens_streamed_total',
    help: 'token events streamed to clients',
    registers: [this.registry],
  });
  readonly answersByTier = new Counter({
    name: 'chrysopedia_chat_answers_total',
    help: 'Answers by the cascade tier that answered',
    labelNames: ['tier'] as const,
    registers: [this.registry],
  });
  readonly rateLimitRejections = new Counter({
    name: 'chrysopedia_rate_limit_rejections_total',
    help: 'Requests refused by a rate limit, by scope (user, ip, creator)',
    labelNames: ['scope'] as const,
    registers: [this.registry],
  });
  readonly llmFallbacks = new Counter({
    name: 'chrysopedia_llm_fallbacks_total',
    help: 'Answers given by the fallback model',
    registers: [this.registry],
  });
  readonly llmErrors = new Counter({
    name: 'chrysopedia_llm_errors_total',
    help: 'Streams ended by an error event, by code',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });
  readonly invalidCitations = new Counter({
    name: 'chrysopedia_invalid_citations_total',
    help: '[n] markers in answers that named no sent source',
    registers: [this.registry],
  });
  readonly resumes = new Counter({
    name: 'chrysopedia_chat_resumes_total',
    help: 'Streams resumed (GET /api/v1/chat/:message_id/stream), by where the events came from (log, database)',
    labelNames: ['from'] as const,
    registers: [this.registry],
  });
  readonly resumeReplayedEvents = new Counter({
    name: 'chrysopedia_chat_resume_replayed_events_total',
    help: 'Events sent again to resumed streams (those written before the resume)',
    registers: [this.registry],
  });
  readonly resumeGraceTimeouts = new Counter({
    name: 'chrysopedia_chat_resume_grace_timeouts_total',
    help: 'Answers stopped because no reader came back within CHAT_RESUME_GRACE_MS of the client going',
    registers: [this.registry],
  });
  readonly openStreams: Gauge;
  private readonly gcObserver: PerformanceObserver;

  constructor(sources: { openStreams: () => number; limiterStats: () => { outages: number; fallbackChecks: number } }) {
    const { openStreams, limiterStats } = sources;
    collectDefaultMetrics({ register: this.registry, prefix: 'chrysopedia_' });
    new Counter({
      name: 'chrysopedia_rate_limit_redis_outages_total',
      help: 'Times Redis became unreachable for the rate limiter',
      registers: [this.registry],
      collect() {
        this.reset();
        this.inc(limiterStats().outages);
      },
    });
    new Counter({
      name: 'chrysopedia_rate_limit_fallback_checks_total',
      help: 'Rate-limit checks answered by the in-process limiter while Redis was unreachable (RATE_LIMIT_FAIL=open)',
      registers: [this.registry],
      collect() {
        this.reset();
        this.inc(limiterStats().fallbackChecks);
      },
    });
    this.openStreams = new Gauge({
      name: 'chrysopedia_open_streams',
      help: 'Chat streams open now',
      registers: [this.registry],
      collect() {
        this.set(openStreams());
      },
    });
    // Heap used is a sawtooth between full GCs; what a full GC leaves is what stays alive, the
    // figure a leak grows. Read as soon as the observer hears of a mark-compact.
    const liveHeap = new Gauge({
      name: 'chrysopedia_nodejs_heap_live_after_gc_bytes',
      help: 'Heap used just after the last full (mark-compact) garbage collection; 0 until one ran',
      registers: [this.registry],
    });
    liveHeap.set(0);
    this.gcObserver = new PerformanceObserver((list) => {
      const major = list.getEntries().some((e) => ((e as { detail?: { kind?: number } }).detail)?.kind === constants.NODE_PERFORMANCE_GC_MAJOR);
      if (major) liveHeap.set(getHeapStatistics().used_heap_size);
    });
    this.gcObserver.observe({ entryTypes: ['gc'] });
  }

  /** Stops observing the garbage collector. */
  close(): void {
    this.gcObserver.disconnect();
  }
}
