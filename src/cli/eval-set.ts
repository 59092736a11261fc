import { z } from 'zod';
import type { CascadeTier } from '../chat/cascade.js';
import { jsonPath } from '../kb/validate-document.js';

const tiers = ['creator', 'domain', 'global', 'none'] as const satisfies readonly CascadeTier[];

export const evalQuestionSchema = z
  .object({
    id: z.string().trim().min(1).max(200),
    query: z.string().trim().min(1).max(1000),
    /** The creator the question is asked to; null: the whole knowledge base. */
    creator: z.string().trim().min(1).max(100).nullable(),
    /** Passage ids that answer it, any order; empty only for tier none. */
    expected: z.array(z.string().trim().min(1)).max(50),
    expected_tier: z.enum(tiers),
    /** The question before it in the same conversation: this one is a follow-up. */
    previous: z.string().trim().min(1).max(1000).optional(),
    note: z.string().max(500).optional(),
  })
  .refine((q) => (q.expected_tier === 'none') === (q.expected.length === 0), {
    message: "tier 'none' expects no passage, every other tier at least one",
    path: ['expected'],
  });

/** An eval set: a JSON array of questions with unique ids. */
export const evalSetSchema = z
  .array(evalQuestionSchema)
  .min(1)
  .superRefine((questions, ctx) => {
    const seen = new Set<string>();
    questions.forEach((q, i) => {
      if (seen.has(q.id)) ctx.addIssue({ code: 'custom', message: `duplicate question id '${q.id}'`, path: [i, 'id'] });
      seen.add(q.id);
    });
  });

export type EvalQuestion = z.output<typeof evalQuestionSchema>;

export class EvalSetError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid eval set:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'EvalSetError';
  }
}

/** Validates an eval set, naming every problem by JSON path. */
export function parseEvalSet(input: unknown): EvalQuestion[] {
  const parsed = evalSetSchema.safeParse(input);
  if (!parsed.success) throw new EvalSetError(parsed.error.issues.map((i) => `${jsonPath(i.path)}: ${i.message}`));
  return parsed.data;
}
