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

/** The kind of question its set's `note` names ("kind: paraphrase; …"), or "(no kind)". */
export function kindOf(question: { note?: string | undefined }): string {
  const m = /\bkind:\s*([^;,.]+)/i.exec(question.note ?? '');
  return m ? m[1]!.trim().toLowerCase() : '(no kind)';
}

/** Metrics per kind of question, in order of first appearance. */
export function metricsByKind(results: readonly QuestionResult[]): [string, EvalMetrics][] {
  const groups = new Map<string, QuestionResult[]>();
  for (const r of results) groups.set(kindOf(r.question), [...(groups.get(kindOf(r.question)) ?? []), r]);
  return [...groups.entries()].map(([k, rs]) => [k, computeMetrics(rs)]);
}

/** From this many expected passages on, questions are counted together (recall@6 needs all of them in 6 places). */
const MANY_EXPECTED = 5;

/**
 * Metrics per number of expected passages (questions that expect some), fewest first: a question
 * labelled with one passage and one labelled with six ask very different things of recall@6.
 */
export function metricsByExpectedCount(results: readonly QuestionResult[]): [string, EvalMetrics][] {
  const groups = new Map<number, QuestionResult[]>();
  for (const r of results) {
    const n = Math.min(r.question.expected.length, MANY_EXPECTED);
    if (n > 0) groups.set(n, [...(groups.get(n) ?? []), r]);
  }
  return [...groups.entries()].sort(([a], [b]) => a - b).map(([n, rs]) => [n === MANY_EXPECTED ? `${n} or more` : String(n), computeMetrics(rs)]);
}

/** The questions the asked creator's own passages answer (expected tier creator) that ended at tier none. */
export const creatorAnswerableAtNone = (results: readonly QuestionResult[]): QuestionResult[] =>
  results.filter((r) => r.question.expected_tier === 'creator' && r.tier === 'none');

/** The questions expecting tier none that got another tier (something "found" for an off-topic question). */
export const offTopicAnswered = (results: readonly QuestionResult[]): QuestionResult[] =>
  results.filter((r) => r.question.expected_tier === 'none' && r.tier !== 'none');

export interface SetThresholds extends Thresholds {
  /** The most creator-answerable questions that may end at tier none, as a share of them. */
  maxCreatorAtNone?: number;
  /** The most questions expecting tier none that may get another tier (0: every one must end at none). */
  maxOffTopicAnswered?: number;
}

/** belowThresholds, plus the cascade's two failure counts. */
export function failedSetThresholds(results: readonly QuestionResult[], t: SetThresholds): string[] {
  const out = belowThresholds(computeMetrics(results), t);
  const creatorAnswerable = results.filter((r) => r.question.expected_tier === 'creator').length;
  const atNone = creatorAnswerableAtNone(results).length;
  if (t.maxCreatorAtNone !== undefined && creatorAnswerable > 0 && atNone / creatorAnswerable > t.maxCreatorAtNone) {
    out.push(`creator-answerable questions at tier none ${atNone}/${creatorAnswerable} > ${t.maxCreatorAtNone}`);
  }
  const answered = offTopicAnswered(results);
  if (t.maxOffTopicAnswered !== undefined && answered.length > t.maxOffTopicAnswered) {
    out.push(`questions expecting tier none answered ${answered.length} > ${t.maxOffTopicAnswered}: ${answered.map((r) => r.question.id).join(', ')}`);
  }
  return out;
}
