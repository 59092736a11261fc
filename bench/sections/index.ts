import { breakdownSection } from './breakdown.js';
import { firstTokenSection } from './first-token.js';
import { openStreamsSection } from './open-streams.js';
import { perTokenSection } from './per-token.js';
import { rateLimiterSection } from './rate-limiter.js';
import { retrievalSection } from './retrieval.js';
import type { Section } from './section.js';
import { throughputSection } from './throughput.js';

/** The sections of BENCHMARKS.md, in order. */
export const SECTIONS: Section[] = [firstTokenSection, breakdownSection, openStreamsSection, throughputSection, perTokenSection, retrievalSection, rateLimiterSection];
