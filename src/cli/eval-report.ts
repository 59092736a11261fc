import { computeMetrics, creatorAnswerableAtNone, failedSetThresholds, kindOf, type SetThresholds, metricsByCreator, metricsByExpectedCount, metricsByKind, recallAt, tierCorrect, type EvalMetrics, type QuestionResult } from './eval-metrics.js';

const f = (n: number) => n.toFixed(3);
const row = (label: string, m: EvalMetrics) =>
  [label, String(m.questions), f(m.recall1), f(m.recall3), f(m.recall6), f(m.mrr), f(m.tierAccuracy)];
const HEADER = ['', 'questions', 'recall@1', 'recall@3', 'recall@6', 'MRR', 'tier accuracy'];

function rows(results: readonly QuestionResult[]): string[][] {
  return [row('overall', computeMetrics(results)), ...metricsByCreator(results).map(([creator, m]) => row(creator, m))];
}

/** The figures as a plain table for a terminal. */
export function textTable(results: readonly QuestionResult[]): string {
  const all = [HEADER, ...rows(results)];
  const widths = HEADER.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  return all.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')).join('\n');
}

/** The figures as a Markdown table. */
export function markdownTable(results: readonly QuestionResult[]): string {
  const body = rows(results).map((r) => `| ${r.join(' | ')} |`);
  return [`| ${HEADER.map((h) => h || 'asked to').join(' | ')} |`, `|${HEADER.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`, ...body].join('\n');
}

/** The questions not answered perfectly: expected passages missing from the top 6, or the wrong tier. */
export function missesMarkdown(results: readonly QuestionResult[]): string {
  const misses = results.filter((r) => !tierCorrect(r) || (r.question.expected.length > 0 && recallAt(r, 6) < 1));
  if (misses.length === 0) return 'Every question got its expected passages in the top 6 and its expected tier.';
  return misses
    .map((r) => {
      const missing = r.question.expected.filter((id) => !r.ranked.slice(0, 6).includes(id));
      const parts = [
        `- \`${r.question.id}\`${r.question.note ? ` [${kindOf(r.question)}]` : ''} "${r.question.query}"${r.question.creator ? ` (asked to ${r.question.creator})` : ''}:`,
        !tierCorrect(r) ? ` tier ${r.tier}, expected ${r.question.expected_tier};` : '',
        missing.length > 0 ? ` not in the top 6: ${missing.map((m) => `\`${m}\``).join(', ')}` : '',
      ];
      return parts.join('').replace(/;$/, '');
    })
    .join('\n');
}

export interface ReportSection {
  /** Where it ran, e.g. "PGlite (embedded, in memory)". */
  title: string;
  results: readonly QuestionResult[];
}

/** EVAL.md: how it was produced, then per database the figures and the misses. */
export function renderReport(command: string, questionsFile: string, sections: readonly ReportSection[]): string {
  const out = [
    '# Retrieval evaluation',
    '',
    `Produced by \`${command}\` over \`${questionsFile}\`: every question goes through the chat's own`,
    'retrieval (the follow-up rule, then the cascade of SPEC §2 with full-text search, top 6).',
    'recall@k: share of the expected passages in the first k; MRR: mean of 1 / rank of the first',
    'expected passage (0 when absent), both over the questions that expect passages; tier accuracy:',
    'share of all questions answered at their expected tier. Rows after "overall": by the creator the',
    'question was asked to.',
  ];
  for (const s of sections) {
    out.push('', `## ${s.title}`, '', markdownTable(s.results), '', '### Misses', '', missesMarkdown(s.results));
  }
  return `${out.join('\n')}\n`;
}

/** One eval set run on several databases. */
export interface SetReport {
  /** e.g. "demo". */
  name: string;
  file: string;
  /** What the set is, in a sentence. */
  about: string;
  sections: readonly ReportSection[];
}

const cell = (results: readonly QuestionResult[]) => {
  const m = computeMetrics(results);
  const creator = results.filter((r) => r.question.expected_tier === 'creator').length;
  return [String(m.questions), f(m.recall6), f(m.mrr), f(m.tierAccuracy), `${creatorAnswerableAtNone(results).length} / ${creator}`];
};

function groupTable(first: string, groups: [string, EvalMetrics][]): string {
  const header = [first, 'questions', 'recall@1', 'recall@3', 'recall@6', 'MRR', 'tier accuracy'];
  const body = groups.map(([label, m]) => `| ${row(label, m).join(' | ')} |`);
  return [`| ${header.join(' | ')} |`, `|${header.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`, ...body].join('\n');
}

/**
 * EVAL.md for several eval sets side by side: a summary (set × database), then per set and
 * database the figures per creator and per kind of question, and the misses.
 */
export function renderSetsReport(command: string, sets: readonly SetReport[]): string {
  const out = [
    '# Retrieval evaluation',
    '',
    `Produced by \`${command}\`: every question goes through the chat's own retrieval (the follow-up`,
    'rule, then the cascade of SPEC §2 with full-text search, top 6). recall@k: share of the expected',
    'passages in the first k; MRR: mean of 1 / rank of the first expected passage (0 when absent), both',
    'over the questions that expect passages; tier accuracy: share of all questions answered at their',
    "expected tier; *creator → none*: questions the asked creator's passages answer (expected tier",
    'creator) that ended at tier `none`, of all such questions.',
    '',
    ...sets.map((s) => `- **${s.name}** (\`${s.file}\`): ${s.about}`),
    '',
    '| set | database | questions | recall@6 | MRR | tier accuracy | creator → none |',
    '|---|---|---:|---:|---:|---:|---:|',
    ...sets.flatMap((s) => s.sections.map((sec) => `| ${s.name} | ${sec.title} | ${cell(sec.results).join(' | ')} |`)),
  ];
  for (const s of sets) {
    for (const sec of s.sections) {
      out.push('', `## ${s.name}: ${sec.title}`, '', markdownTable(sec.results));
      if (sec.results.some((r) => r.question.note)) out.push('', groupTable('kind of question', metricsByKind(sec.results)));
      out.push('', groupTable('expected passages', metricsByExpectedCount(sec.results)));
      out.push('', '### Misses', '', missesMarkdown(sec.results));
    }
  }
  return `${out.join('\n')}\n`;
}

const describe = (t: SetThresholds): string =>
  [
    t.recall6 !== undefined ? `recall@6 ≥ ${t.recall6}` : '',
    t.mrr !== undefined ? `MRR ≥ ${t.mrr}` : '',
    t.tier !== undefined ? `tier accuracy ≥ ${t.tier}` : '',
    t.maxCreatorAtNone !== undefined ? `creator → none ≤ ${t.maxCreatorAtNone * 100} %` : '',
    t.maxOffTopicAnswered !== undefined ? (t.maxOffTopicAnswered === 0 ? 'every off-topic question at none' : `≤ ${t.maxOffTopicAnswered} off-topic answered`) : '',
  ]
    .filter(Boolean)
    .join(', ');

/** Per set and database: the target and the CI guard, met or not (and what fell short). */
export function targetsMarkdown(sets: readonly { report: SetReport; target: SetThresholds; guard: SetThresholds }[]): string {
  const out = ['', '## Targets and CI guards', '', '| set | database | target | met | CI guard | met |', '|---|---|---|---|---|---|'];
  const verdict = (failed: string[]) => (failed.length === 0 ? 'yes' : `**no**: ${failed.join('; ')}`);
  for (const s of sets) {
    for (const sec of s.report.sections) {
      out.push(
        `| ${s.report.name} | ${sec.title} | ${describe(s.target)} | ${verdict(failedSetThresholds(sec.results, s.target))} | ${describe(s.guard)} | ${verdict(failedSetThresholds(sec.results, s.guard))} |`,
      );
    }
  }
  return `${out.join('\n')}\n`;
}
