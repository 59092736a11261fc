import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { AppError } from '../errors.js';
import { buildImportDocument, findImportFiles } from '../kb/import-files.js';
import { importDocument } from '../kb/import-document.js';
import type { ImportSummary } from '../store/kb-store.js';
import { PgKbStore } from '../store/pg/pg-kb-store.js';
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
      const { db } = await openCliDb();
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
