import type { CascadeTier } from '../chat/cascade.js';
import type { EvalQuestion } from './eval-set.js';

/** What the cascade answered to one question: its tier and the passages, best first. */
export interface QuestionResult {
  question: EvalQuestion;
  tier: CascadeTier;
  ranked: string[];
}

export interface EvalMetrics {
  questions: number;
  /** Questions with expected passages: the ones recall and MRR are averaged over. */
  answerable: number;
  recall1: number;
  recall3: number;
  recall6: number;
  mrr: number;
  tierAccuracy: number;
}

const mean = (values: number[]) => (values.length === 0 ? 1 : values.reduce((a, b) => a + b, 0) / values.length);

/** Share of the expected passages found in the first k. */
export function recallAt(result: QuestionResult, k: number): number {
  const top = new Set(result.ranked.slice(0, k));
  const expected = result.question.expected;
  return expected.filter((id) => top.has(id)).length / expected.length;
}

/** 1 / the rank of the first expected passage; 0 when none was returned. */
export function reciprocalRank(result: QuestionResult): number {
  const expected = new Set(result.question.expected);
  const rank = result.ranked.findIndex((id) => expected.has(id));
  return rank < 0 ? 0 : 1 / (rank + 1);
}

export const tierCorrect = (r: QuestionResult) => r.tier === r.question.expected_tier;

export function computeMetrics(results: readonly QuestionResult[]): EvalMetrics {
  const answerable = results.filter((r) => r.question.expected.length > 0);
  return {
    questions: results.length,
    answerable: answerable.length,
    recall1: mean(answerable.map((r) => recallAt(r, 1))),
    recall3: mean(answerable.map((r) => recallAt(r, 3))),
    recall6: mean(answerable.map((r) => recallAt(r, 6))),
    mrr: mean(answerable.map(reciprocalRank)),
    tierAccuracy: mean(results.map((r) => (tierCorrect(r) ? 1 : 0))),
  };
}

export const WHOLE_KB = '(whole knowledge base)';

/** Metrics per creator the questions were asked to (questions without one grouped together). */
export function metricsByCreator(results: readonly QuestionResult[]): [string, EvalMetrics][] {
  const groups = new Map<string, QuestionResult[]>();
  for (const r of results) {
    const key = r.question.creator ?? WHOLE_KB;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return [...groups.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, rs]) => [k, computeMetrics(rs)]);
}

export interface Thresholds {
  recall6?: number;
  mrr?: number;
  tier?: number;
}

/** The thresholds the metrics fall under, as sentences; empty when all are met. */
export function belowThresholds(m: EvalMetrics, t: Thresholds): string[] {
  const out: string[] = [];
  if (t.recall6 !== undefined && m.recall6 < t.recall6) out.push(`recall@6 ${m.recall6.toFixed(3)} < ${t.recall6}`);
  if (t.mrr !== undefined && m.mrr < t.mrr) out.push(`MRR ${m.mrr.toFixed(3)} < ${t.mrr}`);
  if (t.tier !== undefined && m.tierAccuracy < t.tier) out.push(`tier accuracy ${m.tierAccuracy.toFixed(3)} < ${t.tier}`);
  return out;
}
