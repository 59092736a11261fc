import type { BenchContext } from '../lib/context.js';

/** One target of the issue, checked against what a section measured. */
export interface TargetCheck {
  target: string;
  measured: string;
  met: boolean;
}

export interface SectionResult {
  /** The section's body in markdown (the runner adds the heading). */
  markdown: string;
  /** Every figure measured, by a stable name (test/bench checks each section produced some). */
  figures: Record<string, number>;
  targets?: TargetCheck[];
  /** Set when the section could not run yet, saying why (e.g. the rate limiter has not landed). */
  pending?: string;
}

/** A section of BENCHMARKS.md: adding one to the report is adding it to sections/index.ts. */
export interface Section {
  /** The "## " heading. */
  title: string;
  run(ctx: BenchContext): Promise<SectionResult>;
}
