/**
 * A passage is one moment of a video, and a question often names the video's subject in words
 * spread over its passages ("neuro bass", "resampling", "vowel"): the passage answering it holds
 * some of them, its neighbours the rest. So a tier's ranked passages are ranked again with what
 * their video holds: a concept the passage lacks but another ranked passage of the same video holds
 * earns `VIDEO_CONTEXT_CREDIT` of its credit, in the coverage half of the score (0.5, search-sql.ts).
 * Ranking only: whether the tier is relevant is judged on each passage's own words (relevance.ts).
 * Calibrated on the dev set (docs/decisions/0015).
 */
export const VIDEO_CONTEXT_CREDIT = 0.5;

/** How many passages are ranked again for the K shown: twice as many, the rest of the video's best. */
export const VIDEO_CONTEXT_POOL = 2;

export interface ContextHit {
  passage_id: string;
  video_id: string;
  score: number;
  /** What the passage holds of each concept (0..1). */
  held: number[];
}

/** The hits ranked again with their videos' context, best first, the first `limit`; each score is the new one. */
export function rankWithVideoContext<H extends ContextHit>(hits: readonly H[], weights: readonly number[], limit: number): H[] {
  const total = weights.reduce((a, b) => a + b, 0);
  if (!(total > 0)) return hits.slice(0, limit);
  const byVideo = new Map<string, number[]>();
  for (const h of hits) {
    const held = byVideo.get(h.video_id) ?? weights.map(() => 0);
    h.held.forEach((x, i) => (held[i] = Math.max(held[i]!, x)));
    byVideo.set(h.video_id, held);
  }
  const rescored = hits.map((h) => {
    const video = byVideo.get(h.video_id)!;
    const gained = weights.reduce((sum, w, i) => sum + w * Math.max(0, VIDEO_CONTEXT_CREDIT * video[i]! - (h.held[i] ?? 0)), 0);
    // At most 1: a source's score is 0..1 (SPEC), and the credit gained is at most half the coverage missed.
    return { ...h, score: Math.min(1, Math.round((h.score + (0.5 * gained) / total) * 1e9) / 1e9) };
  });
  return rescored
    .sort((x, y) => y.score - x.score || Buffer.compare(Buffer.from(x.passage_id), Buffer.from(y.passage_id)))
    .slice(0, limit);
}
