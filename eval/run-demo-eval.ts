// `npm run eval`: the demo eval set on a fresh in-memory PGlite and on a fresh PostgreSQL
// database (on DATABASE_URL's server, else 127.0.0.1:5432), both loaded with the demo knowledge
// base; both tables go into EVAL.md. Flags: --min-recall6 --min-mrr --min-tier (exit 1 under any).
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { evaluate, readEvalSet } from '../src/cli/eval.js';
import { belowThresholds, computeMetrics, type QuestionResult } from '../src/cli/eval-metrics.js';
import { renderReport, textTable, type ReportSection } from '../src/cli/eval-report.js';
import { readDemoDocument } from '../src/kb/demo-kb.js';
import type { Db } from '../src/store/db.js';
import { migrate } from '../src/store/migrate.js';
import { PgKbStore } from '../src/store/pg/pg-kb-store.js';
import { PgliteDb } from '../src/store/pg/pglite-db.js';
import { PostgresDb } from '../src/store/pg/postgres-db.js';

const QUESTIONS = 'eval/demo-questions.json';
const COMMAND = 'npm run eval';

const { values } = parseArgs({
  options: {
    'min-recall6': { type: 'string' },
    'min-mrr': { type: 'string' },
    'min-tier': { type: 'string' },
    out: { type: 'string', default: 'EVAL.md' },
  },
});
const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));
const thresholds = { recall6: num(values['min-recall6']), mrr: num(values['min-mrr']), tier: num(values['min-tier']) };

async function onDemo(db: Db): Promise<QuestionResult[]> {
  try {
    await migrate(db);
    await new PgKbStore(db).importDocument(await readDemoDocument());
    return await evaluate(db, await readEvalSet(QUESTIONS));
  } finally {
    await db.close();
  }
}

async function onFreshPostgres(serverUrl: string): Promise<{ results: QuestionResult[]; version: string }> {
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

const sections: ReportSection[] = [];
sections.push({ title: 'PGlite (embedded, fresh in-memory database, demo knowledge base)', results: await onDemo(await PgliteDb.open()) });

const server = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
let postgresMissing = false;
try {
  const { results, version } = await onFreshPostgres(server);
  sections.push({ title: `PostgreSQL ${version} (fresh database, demo knowledge base)`, results });
} catch (err) {
  postgresMissing = true;
  const reason = err instanceof Error ? err.message : String(err);
  process.stderr.write(`PostgreSQL not evaluated: ${reason} (set DATABASE_URL to a server where a database can be created)\n`);
}

for (const s of sections) process.stdout.write(`\n${s.title}\n${textTable(s.results)}\n`);
let report = renderReport(COMMAND, QUESTIONS, sections);
if (postgresMissing) report += '\nPostgreSQL was not reachable when this report was written: run `npm run eval` with DATABASE_URL set.\n';
await writeFile(values.out, report);
process.stdout.write(`\nwrote ${values.out}\n`);

const failures = sections.flatMap((s) => belowThresholds(computeMetrics(s.results), thresholds).map((f) => `${s.title}: ${f}`));
for (const f of failures) process.stderr.write(`below threshold: ${f}\n`);
if (failures.length > 0 || (postgresMissing && process.env.REQUIRE_SERVICES === '1')) process.exitCode = 1;
