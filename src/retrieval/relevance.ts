/**
 * Whether a ranked passage answers the question, judged apart from ranking (docs/retrieval.md).
 *
 * A passage *holds* part of the question's rarity-weighted mass and *misses* the rest. What it
 * misses counts in two ways: a concept the knowledge base knows (some passage holds it) but this
 * passage lacks counts `KNOWN_MISS` of its weight, the usual gap of a paraphrase ("my pads stop
 * pulsing" for a passage that says "pumping"); a concept no passage holds at all counts in full,
 * as it says the question is about something the knowledge base does not cover ("truss rod",
 * "taxes"). Relevance = held / (held + missed), from 0 to 1.
 */
export const KNOWN_MISS = 0.7;

/** From this relevance on, a tier's best passage answers the question (calibrated on the demo set; EVAL.md). */
export const DEFAULT_MIN_RELEVANCE = 0.45;

export interface Judged {
  /** held / (held + missed). */
  relevance: number;
  /** The weighted share held: Σ weight × credit / Σ weight. */
  coverage: number;
}

/** `held[i]`: the credit (0..1) the passage earns for concept i; `known[i]`: some passage holds it. */
export function judge(held: readonly number[], weights: readonly number[], known: readonly boolean[], knownMiss = KNOWN_MISS): Judged {
  let kept = 0;
  let missed = 0;
  let total = 0;
  weights.forEach((w, i) => {
    const h = Math.min(1, Math.max(0, held[i] ?? 0));
    kept += w * h;
    missed += w * (1 - h) * (known[i] ? knownMiss : 1);
    total += w;
  });
  return { relevance: kept + missed > 0 ? kept / (kept + missed) : 0, coverage: total > 0 ? kept / total : 0 };
}
