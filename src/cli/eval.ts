import { readFile, writeFile } from 'node:fs/promises';
import { InvalidArgumentError, type Command } from 'commander';
import { loadDemoIfEmpty } from '../kb/demo-kb.js';
import { FullTextSearch } from '../retrieval/full-text-search.js';
import type { Db } from '../store/db.js';
import { PgKbStore } from '../store/pg/pg-kb-store.js';
import { openSearch } from '../deps.js';
import type { PassageSearch } from '../retrieval/passage-search.js';
import { cliLogger, openCliDb } from './context.js';
import { belowThresholds, computeMetrics, type QuestionResult, type Thresholds } from './eval-metrics.js';
import { renderReport, textTable } from './eval-report.js';
import { checkEvalSet, runEval } from './eval-run.js';
import { parseEvalSet, type EvalQuestion } from './eval-set.js';

/** Recall and MRR are "at 6": the chat's default CHAT_TOP_K. */
export const EVAL_TOP_K = 6;

export async function readEvalSet(file: string): Promise<EvalQuestion[]> {
  return parseEvalSet(JSON.parse(await readFile(file, 'utf8')));
}

/** Checks the set against the knowledge base in db, then asks every question (full-text search by default). */
export async function evaluate(db: Db, questions: readonly EvalQuestion[], search: PassageSearch = new FullTextSearch(db)): Promise<QuestionResult[]> {
  const kb = new PgKbStore(db);
  await checkEvalSet(db, kb, questions);
  return runEval(search, kb, questions, EVAL_TOP_K);
}

const ratio = (value: string): number => {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n > 1) throw new InvalidArgumentError('expected a number from 0 to 1');
  return n;
};

interface EvalOptions {
  out: string;
  minRecall6?: number;
  minMrr?: number;
  minTier?: number;
}

/** `chrysopedia eval <questions.json>`: retrieval quality on the configured database. */
export function registerEval(program: Command): void {
  program
    .command('eval')
    .description('measure retrieval (recall@1/3/6, MRR, tier accuracy, overall and per creator) on DATABASE_URL or the embedded data dir')
    .argument('<questions>', 'JSON array of {id, query, creator, expected, expected_tier[, previous]}')
    .option('--out <file>', 'where to write the Markdown report', 'EVAL.md')
    .option('--min-recall6 <n>', 'exit 1 when recall@6 is below n', ratio)
    .option('--min-mrr <n>', 'exit 1 when MRR is below n', ratio)
    .option('--min-tier <n>', 'exit 1 when tier accuracy is below n', ratio)
    .action(async (file: string, options: EvalOptions) => {
      const questions = await readEvalSet(file);
      const { config, db } = await openCliDb();
      let results: QuestionResult[];
      try {
        if (config.LOAD_DEMO_KB && (await loadDemoIfEmpty(new PgKbStore(db)))) {
          process.stderr.write('the knowledge base was empty: loaded the demo knowledge base\n');
        }
        // The chat's own retrieval: with EMBEDDINGS_BASE_URL, every passage is embedded first.
        const { search, indexer } = await openSearch(config, db, cliLogger(config));
        if (indexer) await indexer.run();
        results = await evaluate(db, questions, search);
      } finally {
        await db.close();
      }
      const where = db.kind === 'postgres' ? 'PostgreSQL (DATABASE_URL)' : `PGlite (embedded, ${config.DATA_DIR})`;
      process.stdout.write(`${where}\n${textTable(results)}\n`);
      await writeFile(options.out, renderReport(`chrysopedia eval ${file}`, file, [{ title: where, results }]));
      process.stdout.write(`wrote ${options.out}\n`);
      const thresholds: Thresholds = { recall6: options.minRecall6, mrr: options.minMrr, tier: options.minTier };
      const failed = belowThresholds(computeMetrics(results), thresholds);
      for (const line of failed) process.stderr.write(`below threshold: ${line}\n`);
      if (failed.length > 0) process.exitCode = 1;
    });
}
