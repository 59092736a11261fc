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

/**
 * A second way to be relevant, for long questions whose many incidental words no passage holds:
 * the best passage holds question words together that would meet by chance in about one passage
 * in 400 (e^-6) of a knowledge base whose words fell independently, and at least
 * `MIN_RELEVANCE_TOGETHER` of the question. A topical knowledge base's words do not fall
 * independently ("low", "string", "action" meet often in music teaching), so the bar is set above
 * every off-topic question of the demo set and of test/retrieval/off-topic*.json (the highest:
 * 5.7, a guitar-setup question).
 */
export const MIN_SURPRISE = 6;
export const MIN_RELEVANCE_TOGETHER = 0.2;

/** Whether a passage so judged answers the question. */
export const isRelevant = (j: Pick<Judged, 'relevance' | 'surprise'>, minRelevance = DEFAULT_MIN_RELEVANCE): boolean =>
  j.relevance >= minRelevance || (j.surprise >= MIN_SURPRISE && j.relevance >= Math.min(minRelevance, MIN_RELEVANCE_TOGETHER));

/**
 * A weaker verdict, for where another signal agrees (the cascade: the person asked this creator,
 * and the best passage of the whole knowledge base is the creator's own). The passage holds at
 * least `CORROBORATION.concepts` of the question's concepts, which would meet in one passage by
 * chance with probability below e^-3, and at least 0.3 of the question. Long paraphrases and
 * slangy questions fall between this and the full bar, where everyday questions asked to a
 * creator do not reach: those hold one or two of its words (calibrated on the dev set and on
 * test/retrieval's off-topic lists asked to every demo creator; docs/decisions/0014).
 */
export const CORROBORATION = { relevance: 0.3, surprise: 3, concepts: 3 } as const;

export const isCorroborated = (j: Pick<Judged, 'relevance' | 'surprise' | 'concepts'>): boolean =>
  j.relevance >= CORROBORATION.relevance && j.surprise >= CORROBORATION.surprise && j.concepts >= CORROBORATION.concepts;

export interface Judged {
  /** How many of the question's concepts the passage holds (any credit). */
  concepts: number;
  /**
   * How unlikely it is that a passage holds what this one holds by chance, in nats: the held
   * concepts' ln(N / ndoc) added up (by credit), less ln N. Above 0, fewer than one passage would
   * hold them all if words fell independently; one word alone is never above 0.
   */
  surprise: number;
  /** held / (held + missed). */
  relevance: number;
  /** The weighted share held: Σ weight × credit / Σ weight. */
  coverage: number;
}

/** `held[i]`: the credit (0..1) the passage earns for concept i; `known[i]`: some passage holds it. */
export function judge(
  held: readonly number[],
  weights: readonly number[],
  known: readonly boolean[],
  ndocs: readonly number[],
  passages: number,
  knownMiss = KNOWN_MISS,
): Judged {
  let kept = 0;
  let surprise = -Math.log(Math.max(passages, 1));
  let missed = 0;
  let total = 0;
  let concepts = 0;
  weights.forEach((w, i) => {
    const h = Math.min(1, Math.max(0, held[i] ?? 0));
    if (h > 0) concepts += 1;
    kept += w * h;
    surprise += h * Math.log(Math.max(passages, 1) / Math.max(ndocs[i] ?? 0, 1));
    missed += w * (1 - h) * (known[i] ? knownMiss : 1);
    total += w;
  });
  return { concepts, surprise, relevance: kept + missed > 0 ? kept / (kept + missed) : 0, coverage: total > 0 ? kept / total : 0 };
}
