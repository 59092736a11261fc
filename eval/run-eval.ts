// `npm run eval`: every eval set of eval/eval-sets.ts on a fresh in-memory PGlite and on a fresh
// PostgreSQL database (on DATABASE_URL's server, else 127.0.0.1:5432), both loaded with the demo
// knowledge base; all of it goes into EVAL.md, side by side. Exits 1 when a set misses its
// CI guard (eval/eval-sets.ts) on either database; EVAL.md also says which targets are met.
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { evaluate, readEvalSet } from '../src/cli/eval.js';
import { failedSetThresholds, type QuestionResult } from '../src/cli/eval-metrics.js';
import { renderSetsReport, targetsMarkdown, textTable, type ReportSection, type SetReport } from '../src/cli/eval-report.js';
import type { EvalQuestion } from '../src/cli/eval-set.js';
import { readDemoDocument } from '../src/kb/demo-kb.js';
import type { Db } from '../src/store/db.js';
import { migrate } from '../src/store/migrate.js';
import { PgKbStore } from '../src/store/pg/pg-kb-store.js';
import { PgliteDb } from '../src/store/pg/pglite-db.js';
import { PostgresDb } from '../src/store/pg/postgres-db.js';
import { EVAL_SETS } from './eval-sets.js';

const COMMAND = 'npm run eval';
const { values } = parseArgs({ options: { out: { type: 'string', default: 'EVAL.md' } } });

const sets = await Promise.all(EVAL_SETS.map(async (s) => ({ ...s, questions: await readEvalSet(s.file) })));

/** Every set on one database loaded with the demo knowledge base. */
async function onDemo(db: Db): Promise<QuestionResult[][]> {
  try {
    await migrate(db);
    await new PgKbStore(db).importDocument(await readDemoDocument());
    const out: QuestionResult[][] = [];
    for (const s of sets) out.push(await evaluate(db, s.questions as EvalQuestion[]));
    return out;
  } finally {
    await db.close();
  }
}

async function onFreshPostgres(serverUrl: string): Promise<{ results: QuestionResult[][]; version: string }> {
  const name = `chrysopedia_eval_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 2000 });
  await admin.connect();
  try {
    const [row] = (await admin.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows;
    await admin.query(`CREATE DATABASE ${name}`);
    try {
      const url = new URL(serverUrl);
      url.pathname = `/${name}`;
      return { results: await onDemo(new PostgresDb({ connectionString: url.toString() })), version: row?.v ?? '?' };
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    }
  } finally {
    await admin.end();
  }
}

const databases: { title: string; results: QuestionResult[][] }[] = [
  { title: 'PGlite (embedded, fresh in-memory database)', results: await onDemo(await PgliteDb.open()) },
];
const server = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
let postgresMissing = false;
try {
  const { results, version } = await onFreshPostgres(server);
  databases.push({ title: `PostgreSQL ${version.split(' ')[0]} (fresh database)`, results });
} catch (err) {
  postgresMissing = true;
  const reason = err instanceof Error ? err.message : String(err);
  process.stderr.write(`PostgreSQL not evaluated: ${reason} (set DATABASE_URL to a server where a database can be created)\n`);
}

const reports: SetReport[] = sets.map((s, i) => ({
  name: s.name,
  file: s.file,
  about: s.about,
  sections: databases.map((d): ReportSection => ({ title: d.title, results: d.results[i]! })),
}));
for (const r of reports) for (const sec of r.sections) process.stdout.write(`\n${r.name}, ${sec.title}\n${textTable(sec.results)}\n`);
let report = renderSetsReport(COMMAND, reports);
report += targetsMarkdown(reports.map((r, i) => ({ report: r, target: sets[i]!.target, guard: sets[i]!.guard })));
if (postgresMissing) report += '\nPostgreSQL was not reachable when this report was written: run `npm run eval` with DATABASE_URL set.\n';
await writeFile(values.out, report);
process.stdout.write(`\nwrote ${values.out}\n`);

const failures = reports.flatMap((r, i) =>
  r.sections.flatMap((sec) => failedSetThresholds(sec.results, sets[i]!.guard).map((f) => `${r.name}, ${sec.title}: ${f}`)),
);
for (const f of failures) process.stderr.write(`below threshold: ${f}\n`);
if (failures.length > 0 || (postgresMissing && process.env.REQUIRE_SERVICES === '1')) process.exitCode = 1;
