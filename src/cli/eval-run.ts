import { runCascade, type CascadeCreator } from '../chat/cascade.js';
import { standaloneQuery } from '../chat/standalone-query.js';
import type { PassageSearch } from '../retrieval/passage-search.js';
import type { Queryable } from '../store/db.js';
import type { KbStore } from '../store/kb-store.js';
import type { QuestionResult } from './eval-metrics.js';
import { EvalSetError, type EvalQuestion } from './eval-set.js';

/** Every expected passage and asked creator must exist, or the figures would mean nothing. */
export async function checkEvalSet(db: Queryable, kb: KbStore, questions: readonly EvalQuestion[]): Promise<void> {
  const ids = [...new Set(questions.flatMap((q) => q.expected))];
  const found = new Set((await db.query<{ id: string }>('SELECT id FROM passages WHERE id = ANY($1::text[])', [ids])).map((r) => r.id));
  const creators = await kb.creatorSlugs();
  const problems = questions.flatMap((q, i) => [
    ...q.expected.filter((id) => !found.has(id)).map((id) => `$[${i}].expected: no passage '${id}' in the knowledge base`),
    ...(q.creator !== null && !creators.has(q.creator) ? [`$[${i}].creator: unknown creator '${q.creator}'`] : []),
  ]);
  if (problems.length > 0) throw new EvalSetError(problems);
}

/**
 * Asks every question through the chat's own retrieval: the follow-up rule, then the cascade of
 * SPEC §2 with the given search and top k.
 */
export async function runEval(
  search: PassageSearch,
  kb: KbStore,
  questions: readonly EvalQuestion[],
  topK = 6,
): Promise<QuestionResult[]> {
  const creators = new Map<string, CascadeCreator>();
  const results: QuestionResult[] = [];
  for (const question of questions) {
    let creator: CascadeCreator | null = null;
    if (question.creator !== null) {
      creator = creators.get(question.creator) ?? null;
      if (!creator) {
        const found = await kb.getCreator(question.creator);
        if (!found) throw new EvalSetError([`question '${question.id}': unknown creator '${question.creator}'`]);
        creator = { slug: found.slug, genres: found.genres };
        creators.set(found.slug, creator);
      }
    }
    const query = standaloneQuery(question.query, question.previous ?? null);
    const { tier, hits } = await runCascade(search, query, creator, topK);
    results.push({ question, tier, ranked: hits.map((h) => h.passage_id) });
  }
  return results;
}
