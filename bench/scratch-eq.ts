import pg from 'pg';
import { PostgresDb } from '../src/store/pg/postgres-db.js';
import { migrate } from '../src/store/migrate.js';
import { PgKbStore } from '../src/store/pg/pg-kb-store.js';
import { importDocument } from '../src/kb/import-document.js';
import { FullTextSearch } from '../src/retrieval/full-text-search.js';
import { FullTextSearchMain } from '../src/retrieval/full-text-search-main.js';
import { syntheticDocument, syntheticQuestions } from './lib/synthetic-kb.js';
const n = Number(process.argv[2]); const name = `benchscratch_${n}`;
const fresh = process.argv[3] === 'fresh';
if (fresh) { const a = new pg.Client({ connectionString: 'postgresql://postgres@127.0.0.1:5432/test' }); await a.connect(); await a.query(`DROP DATABASE IF EXISTS ${name}`); await a.query(`CREATE DATABASE ${name}`); await a.end(); }
const db = new PostgresDb({ connectionString: `postgresql://postgres@127.0.0.1:5432/${name}` });
if (fresh) { await migrate(db); await importDocument(new PgKbStore(db), syntheticDocument({ passages: n })); await db.exec('ANALYZE'); }
const creators = await db.query<{ slug: string; genres: string[] }>('SELECT slug, genres FROM creators');
const a = new FullTextSearchMain(db), b = new FullTextSearch(db);
let same = 0, total = 0; const t = [0, 0]; const la: number[] = [], lb: number[] = [];
for (const [i, q] of syntheticQuestions(Number(process.argv[4] ?? 40), 99).entries()) {
  const cr = creators[(i * 13) % creators.length]!;
  for (const scope of [{}, { creator: cr.slug }, { genres: cr.genres }]) {
    let s = performance.now(); const ra = await a.search(q, scope, 6); const da = performance.now() - s; t[0]! += da;
    s = performance.now(); const rb = await b.search(q, scope, 6); const dbb = performance.now() - s; t[1]! += dbb;
    if (!('creator' in scope) && !('genres' in scope)) { la.push(da); lb.push(dbb); }
    const fa = ra.map((h) => `${h.passage_id}:${h.score.toFixed(12)}`).join(','), fb = rb.map((h) => `${h.passage_id}:${h.score.toFixed(12)}`).join(',');
    total++; if (fa === fb) same++; else console.log('DIFF', q, scope, '\n ', fa, '\n ', fb);
  }
}
la.sort((x, y) => x - y); lb.sort((x, y) => x - y);
console.log(`same ${same}/${total}; total ms main ${t[0]!.toFixed(0)} new ${t[1]!.toFixed(0)}; global p50 main ${la[la.length >> 1]!.toFixed(1)} new ${lb[lb.length >> 1]!.toFixed(1)}`);
await db.close();
