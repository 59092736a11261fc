import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluate, readEvalSet } from '../../src/cli/eval.js';
import { computeMetrics, type QuestionResult } from '../../src/cli/eval-metrics.js';
import { missesMarkdown } from '../../src/cli/eval-report.js';
import { readDemoDocument } from '../../src/kb/demo-kb.js';
import type { Db } from '../../src/store/db.js';
import { PgKbStore } from '../../src/store/pg/pg-kb-store.js';
import { pgliteFactory } from '../helpers/databases.js';

// CI's guard on retrieval quality: the thresholds `npm run eval` reports against.
describe('retrieval quality on the demo eval set (PGlite)', () => {
  let db: Db;
  let results: QuestionResult[];
  beforeAll(async () => {
    db = await pgliteFactory.open();
    await new PgKbStore(db).importDocument(await readDemoDocument());
    results = await evaluate(db, await readEvalSet('eval/demo-questions.json'));
  }, 120_000);
  afterAll(async () => db.close());

  it('has 60 or more questions over every tier, with and without a creator', () => {
    expect(results.length).toBeGreaterThanOrEqual(60);
    const tiers = new Set(results.map((r) => r.question.expected_tier));
    expect([...tiers].sort()).toEqual(['creator', 'domain', 'global', 'none']);
    expect(results.some((r) => r.question.creator === null && r.question.expected_tier === 'none')).toBe(true);
    expect(results.some((r) => r.question.creator !== null && r.question.expected_tier === 'none')).toBe(true);
    expect(results.some((r) => r.question.previous !== undefined)).toBe(true);
  });

  it('reaches recall@6 ≥ 0.90, MRR ≥ 0.75 and tier accuracy ≥ 0.95', () => {
    const m = computeMetrics(results);
    const why = `\n${missesMarkdown(results)}`;
    expect(m.recall6, why).toBeGreaterThanOrEqual(0.9);
    expect(m.mrr, why).toBeGreaterThanOrEqual(0.75);
    expect(m.tierAccuracy, why).toBeGreaterThanOrEqual(0.95);
  });
});
