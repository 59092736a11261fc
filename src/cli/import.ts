import { readFile, stat, readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { AppError } from '../errors.js';
import { importDocument } from '../kb/import-document.js';
import { PgKbStore } from '../store/pg/pg-kb-store.js';
import { openCliDb } from './context.js';

async function jsonFiles(target: string): Promise<string[]> {
  if (!(await stat(target)).isDirectory()) return [target];
  const names = (await readdir(target)).filter((n) => n.endsWith('.json')).sort();
  return names.map((n) => path.join(target, n));
}

/** `chrysopedia import <file|dir>…`: each JSON document imported whole, or rejected with its paths. */
export function registerImport(program: Command): void {
  program
    .command('import')
    .description('import knowledge-base documents (SPEC §7 JSON) into DATABASE_URL or the embedded data dir')
    .argument('<paths...>', 'JSON files or directories of them')
    .action(async (paths: string[]) => {
      const { db } = await openCliDb();
      const kb = new PgKbStore(db);
      let failed = false;
      try {
        for (const p of paths) {
          for (const file of await jsonFiles(p)) {
            let doc: unknown;
            try {
              doc = JSON.parse(await readFile(file, 'utf8'));
            } catch (err) {
              failed = true;
              process.stderr.write(`${file}: not valid JSON: ${err instanceof Error ? err.message : String(err)}\n`);
              continue;
            }
            try {
              const s = await importDocument(kb, doc);
              process.stdout.write(
                `${file}: creators +${s.creators.inserted} ~${s.creators.updated}, videos +${s.videos.inserted} ~${s.videos.updated}, ` +
                  `passages +${s.passages.inserted} ~${s.passages.updated} -${s.passages.deleted} (${s.passages.unchanged} unchanged)\n`,
              );
            } catch (err) {
              if (!(err instanceof AppError)) throw err;
              failed = true;
              process.stderr.write(`${file}: rejected, nothing written:\n`);
              for (const d of (err.extra.details as { path: string; message: string }[] | undefined) ?? []) {
                process.stderr.write(`  ${d.path}: ${d.message}\n`);
              }
            }
          }
        }
      } finally {
        await db.close();
      }
      if (failed) process.exitCode = 1;
    });
}
