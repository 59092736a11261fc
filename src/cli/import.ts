import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { AppError } from '../errors.js';
import { buildImportDocument, findImportFiles } from '../kb/import-files.js';
import { importDocument } from '../kb/import-document.js';
import type { ImportSummary } from '../store/kb-store.js';
import { PgKbStore } from '../store/pg/pg-kb-store.js';
import type { Config } from '../config.js';
import { openVectorIndex } from '../deps.js';
import type { Db } from '../store/db.js';
import pino from 'pino';
import { openCliDb } from './context.js';

const summaryLine = (s: ImportSummary) =>
  `creators +${s.creators.inserted} ~${s.creators.updated}, videos +${s.videos.inserted} ~${s.videos.updated}, ` +
  `passages +${s.passages.inserted} ~${s.passages.updated} -${s.passages.deleted} (${s.passages.unchanged} unchanged)`;

function printProblems(details: { path: string; message: string }[]): void {
  process.stderr.write('rejected, nothing written:\n');
  for (const d of details) process.stderr.write(`  ${d.path}: ${d.message}\n`);
}

/**
 * `chrysopedia import <file|dir>…`: JSON documents (SPEC §7) and WebVTT/SRT transcripts with their
 * `<name>.meta.json`, all in one transaction: every file is checked first, and any problem rejects
 * the whole invocation. A progress bar on a terminal, one summary line either way.
 */
export function registerImport(program: Command): void {
  program
    .command('import')
    .description('import knowledge-base documents (SPEC §7 JSON) and .vtt/.srt transcripts into DATABASE_URL or the embedded data dir')
    .argument('<paths...>', 'JSON documents, transcripts, or directories of them (walked recursively)')
    .action(async (paths: string[]) => {
      const files = await findImportFiles(paths);
      if (files.problems.length > 0) {
        printProblems(files.problems);
        process.exitCode = 1;
        return;
      }
      const total = files.documents.length + files.transcripts.length;
      if (total === 0) {
        process.stderr.write('nothing to import: no .json, .vtt or .srt file found\n');
        process.exitCode = 1;
        return;
      }
      const { config, db } = await openCliDb();
      const bar = process.stderr.isTTY
        ? new cliProgress.SingleBar(
            { format: 'importing [{bar}] {value}/{total} {file}', stream: process.stderr, hideCursor: true, clearOnComplete: true },
            cliProgress.Presets.shades_classic,
          )
        : null;
      try {
        const kb = new PgKbStore(db);
        bar?.start(total, 0, { file: '' });
        const doc = await buildImportDocument(files, await kb.creatorSlugs(), (done, _total, file) => bar?.update(done, { file }));
        bar?.stop();
        const summary = await importDocument(kb, doc);
        process.stdout.write(`imported ${files.documents.length} document(s) and ${files.transcripts.length} transcript(s): ${summaryLine(summary)}\n`);
        await embedPassages(config, db);
      } catch (err) {
        bar?.stop();
        if (!(err instanceof AppError) || err.code !== 'invalid_document') throw err;
        printProblems((err.extra.details as { path: string; message: string }[] | undefined) ?? []);
        process.exitCode = 1;
      } finally {
        await db.close();
      }
    });
}

/** With EMBEDDINGS_BASE_URL, the imported passages are embedded before the command ends. */
async function embedPassages(config: Config, db: Db): Promise<void> {
  // What it does is printed here, once: the indexer's own log lines would say it twice.
  const vectors = await openVectorIndex(config, db, pino({ level: 'silent' }));
  if (!vectors) return;
  try {
    const embedded = await vectors.indexer.run();
    const { passages } = await vectors.indexer.coverage();
    process.stdout.write(`embedded ${embedded} passage(s) with ${vectors.embedder.model}; ${passages} in the knowledge base\n`);
  } catch (err) {
    // The import stands: the server embeds what is left when the model answers again.
    process.stderr.write(`warning: passages not embedded (${(err as Error).message}); full-text search finds them meanwhile\n`);
  }
}
