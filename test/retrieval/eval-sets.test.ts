import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVAL_SETS } from '../../eval/eval-sets.js';
import { evaluate, readEvalSet } from '../../src/cli/eval.js';
import { failedSetThresholds, kindOf, type QuestionResult } from '../../src/cli/eval-metrics.js';
import { missesMarkdown } from '../../src/cli/eval-report.js';
import { readDemoDocument } from '../../src/kb/demo-kb.js';
import type { Db } from '../../src/store/db.js';
import { PgKbStore } from '../../src/store/pg/pg-kb-store.js';
import { dbFactories } from '../helpers/databases.js';

// CI's guard on retrieval quality: each eval set's guard (eval/eval-sets.ts), the one `npm run eval`
// exits 1 under, on both databases.
describe.each(dbFactories)('retrieval quality on the eval sets, $name', (factory) => {
  let db: Db;
  const results = new Map<string, QuestionResult[]>();
  beforeAll(async () => {
    db = await factory.open();
    await new PgKbStore(db).importDocument(await readDemoDocument());
    for (const set of EVAL_SETS) results.set(set.name, await evaluate(db, await readEvalSet(set.file)));
  }, 300_000);
  afterAll(async () => db?.close());

  it('the demo set has 60 or more questions over every tier, with and without a creator', () => {
    const demo = results.get('demo')!;
    expect(demo.length).toBeGreaterThanOrEqual(60);
    expect([...new Set(demo.map((r) => r.question.expected_tier))].sort()).toEqual(['creator', 'domain', 'global', 'none']);
    expect(demo.some((r) => r.question.creator === null && r.question.expected_tier === 'none')).toBe(true);
    expect(demo.some((r) => r.question.creator !== null && r.question.expected_tier === 'none')).toBe(true);
    expect(demo.some((r) => r.question.previous !== undefined)).toBe(true);
  });

  it('the blind set has 80 or more questions, 12 or more off-topic and 10 or more domain ones, each of a kind', () => {
    const blind = results.get('blind')!;
    expect(blind.length).toBeGreaterThanOrEqual(80);
    expect(blind.filter((r) => r.question.expected_tier === 'none').length).toBeGreaterThanOrEqual(12);
    expect(blind.filter((r) => r.question.expected_tier === 'domain').length).toBeGreaterThanOrEqual(10);
    expect(blind.filter((r) => kindOf(r.question) === '(no kind)')).toEqual([]);
  });

  it.each(EVAL_SETS.map((s) => [s.name, s] as const))('the %s set stays above its guard', (name, set) => {
    const r = results.get(name)!;
    expect(failedSetThresholds(r, set.guard), `\n${missesMarkdown(r)}`).toEqual([]);
  });
});
