import { describe, expect, it } from 'vitest';
import { belowThresholds, computeMetrics, creatorAnswerableAtNone, failedSetThresholds, kindOf, metricsByCreator, metricsByExpectedCount, metricsByKind, type QuestionResult } from '../../src/cli/eval-metrics.js';
import { EvalSetError, parseEvalSet } from '../../src/cli/eval-set.js';

const result = (id: string, creator: string | null, expected: string[], ranked: string[], tier: QuestionResult['tier'], expectedTier = tier): QuestionResult => ({
  question: { id, query: id, creator, expected, expected_tier: expectedTier },
  tier,
  ranked,
});

describe('eval metrics', () => {
  const results = [
    result('a', 'mira', ['p1'], ['p1', 'x'], 'creator'),
    result('b', 'mira', ['p2', 'p3'], ['x', 'p2', 'y', 'z', 'w', 'v', 'p3'], 'creator'),
    result('c', null, ['p4'], ['x', 'y', 'z', 'w', 'p4'], 'global', 'creator'),
    result('d', null, [], [], 'none'),
  ];

  it('computes recall@1/3/6 and MRR over the questions that expect passages, tier accuracy over all', () => {
    const m = computeMetrics(results);
    expect(m).toMatchObject({ questions: 4, answerable: 3 });
    expect(m.recall1).toBeCloseTo(1 / 3);
    expect(m.recall3).toBeCloseTo((1 + 0.5 + 0) / 3);
    expect(m.recall6).toBeCloseTo((1 + 0.5 + 1) / 3);
    expect(m.mrr).toBeCloseTo((1 + 1 / 2 + 1 / 5) / 3);
    expect(m.tierAccuracy).toBeCloseTo(3 / 4);
  });

  it('groups by the creator the question was asked to', () => {
    const groups = Object.fromEntries(metricsByCreator(results));
    expect(groups.mira?.questions).toBe(2);
    expect(groups['(whole knowledge base)']?.tierAccuracy).toBe(0.5);
  });

  it('names every threshold the figures fall under', () => {
    expect(belowThresholds(computeMetrics(results), { recall6: 0.9, mrr: 0.5, tier: 0.95 })).toEqual([
      'recall@6 0.833 < 0.9',
      'tier accuracy 0.750 < 0.95',
    ]);
  });

  it('rejects a question set with duplicate ids, a bad tier, or expected passages on tier none, by JSON path', () => {
    const problems = (input: unknown): string[] => {
      try {
        parseEvalSet(input);
      } catch (err) {
        return (err as EvalSetError).problems;
      }
      return [];
    };
    const q = { id: 'a', query: 'q', creator: null, expected: ['p'], expected_tier: 'global' };
    expect(problems([q, q])).toEqual(["$[1].id: duplicate question id 'a'"]);
    expect(problems([q, { ...q, id: 'b', expected_tier: 'nowhere' }, { ...q, id: 'c', expected_tier: 'none' }]).map((p) => p.split(':')[0])).toEqual([
      '$[1].expected_tier',
      '$[2].expected',
    ]);
  });
});

describe('eval metrics per kind of question and the cascade\'s failures', () => {
  const withNote = (r: QuestionResult, note: string): QuestionResult => ({ ...r, question: { ...r.question, note } });
  const results = [
    withNote(result('a', 'mira', ['p1'], ['p1'], 'creator'), 'kind: paraphrase; asked casually'),
    withNote(result('b', 'mira', ['p2'], [], 'none', 'creator'), 'kind: Paraphrase'),
    withNote(result('c', null, [], ['p9'], 'global', 'none'), 'kind: offtopic'),
    result('d', null, [], [], 'none'),
  ];

  it('reads the kind from the note, and groups by it in order of appearance', () => {
    expect(results.map((r) => kindOf(r.question))).toEqual(['paraphrase', 'paraphrase', 'offtopic', '(no kind)']);
    expect(metricsByKind(results).map(([k, m]) => [k, m.questions])).toEqual([
      ['paraphrase', 2],
      ['offtopic', 1],
      ['(no kind)', 1],
    ]);
  });

  it('groups recall by how many passages a question expects, five and more together, leaving out questions that expect none', () => {
    const many = ['q1', 'q2', 'q3', 'q4', 'q5', 'q6'];
    const groups = metricsByExpectedCount([
      ...results,
      result('g', null, ['p7', 'p8'], ['p8', 'x'], 'global'),
      result('e', null, many, ['q1', 'q2', 'q3', 'x', 'y', 'z'], 'global'),
      result('f', null, many.slice(0, 5), ['q1', 'q2', 'q3', 'q4', 'q5'], 'global'),
    ]);
    expect(groups.map(([label, m]) => [label, m.questions])).toEqual([
      ['1', 2],
      ['2', 1],
      ['5 or more', 2],
    ]);
    expect(groups[2]![1].recall6).toBeCloseTo((3 / 6 + 1) / 2);
    expect(groups[1]![1].recall6).toBeCloseTo(0.5);
  });

  it('counts creator-answerable questions that ended at none, and off-topic ones answered, against a set\'s thresholds', () => {
    expect(creatorAnswerableAtNone(results).map((r) => r.question.id)).toEqual(['b']);
    expect(failedSetThresholds(results, { maxCreatorAtNone: 0.5, maxOffTopicAnswered: 1 })).toEqual([]);
    expect(failedSetThresholds(results, { maxCreatorAtNone: 0.25, maxOffTopicAnswered: 0 })).toEqual([
      'creator-answerable questions at tier none 1/2 > 0.25',
      'questions expecting tier none answered 1 > 0: c',
    ]);
  });
});
