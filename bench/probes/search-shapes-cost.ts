/**
 * `npx tsx bench/probes/search-shapes-cost.ts [--caps 0,24,96] [--rounds 3]`: PostgreSQL's backend
 * CPU for the eval sets' own questions (demo, dev and blind: long, varied ones, unlike the
 * benchmark's 8), their terms and searches as the cascade runs them, and the backend's memory
 * afterwards, for each number of search shapes kept parsed (DATABASE_SEARCH_SHAPES; 0: unpadded
 * and unnamed). One throwaway database and one connection per cap, questions alternating between
 * them, the first round a warm-up (decision 0019). BENCH_PG_URL as for `npm run bench`.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { runCascade } from '../../src/chat/cascade.js';
import { readDemoDocument } from '../../src/kb/demo-kb.js';
import { FullTextSearch } from '../../src/retrieval/full-text-search.js';
import { migrate } from '../../src/store/migrate.js';
import { PgKbStore } from '../../src/store/pg/pg-kb-store.js';
import { PostgresDb } from '../../src/store/pg/postgres-db.js';
import { createThrowawayDatabase } from '../lib/throwaway-postgres.js';

const { values } = parseArgs({ options: { caps: { type: 'string', default: '0,24,96' }, rounds: { type: 'string', default: '3' } } });
const caps = values.caps.split(',').map(Number);
const rounds = Number(values.rounds);
const adminUrl = process.env.BENCH_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

interface Question {
  query: string;
  creator: string | null;
}
const questions: Question[] = [];
for (const set of ['demo', 'dev', 'blind']) questions.push(...(JSON.parse(await readFile(`eval/${set}-questions.json`, 'utf8')) as Question[]));

const sides = await Promise.all(
  caps.map(async (cap) => {
    const throwaway = await createThrowawayDatabase(adminUrl);
    const db = new PostgresDb({ connectionString: throwaway.url, max: 1, maxShaped: cap });
    await migrate(db);
    const kb = new PgKbStore(db);
    await kb.importDocument(await readDemoDocument());
    const [{ pid }] = (await db.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')) as [{ pid: number }];
    const cpuMs = async () => Number((await readFile(`/proc/${pid}/schedstat`, 'utf8')).split(' ')[0]) / 1e6;
    return { cap, db, throwaway, kb, search: new FullTextSearch(db), cpuMs, spent: 0 };
  }),
);

for (let round = 0; round < rounds + 1; round++) {
  for (const q of questions) {
    for (const side of sides) {
      const creator = q.creator ? await side.kb.getCreator(q.creator) : null;
      const before = await side.cpuMs();
      await runCascade(side.search, q.query, creator ? { slug: creator.slug, genres: creator.genres } : null, 6);
      if (round > 0) side.spent += (await side.cpuMs()) - before;
    }
  }
}

console.log(`PostgreSQL backend CPU per question, ${questions.length} eval questions × ${rounds} rounds (after a warm-up round)`);
for (const side of sides) {
  const [mem] = await side.db.query<{ mb: number; kept: number }>(
    `SELECT (SELECT sum(total_bytes) FROM pg_backend_memory_contexts)::float8 / 1048576 AS mb,
       (SELECT count(*)::int FROM pg_prepared_statements WHERE name LIKE 'chrysopedia_shape_%') AS kept`,
  );
  console.log(`shapes kept ≤ ${String(side.cap).padStart(3)}: ${(side.spent / (rounds * questions.length)).toFixed(3)} ms, ${mem!.kept} kept, backend memory ${mem!.mb.toFixed(1)} MB`);
  await side.db.close();
  await side.throwaway.drop();
}
