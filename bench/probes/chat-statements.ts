/**
 * `npx tsx bench/probes/chat-statements.ts [--chats N] [--explain FILE] [--only pglite|postgres]`:
 * which statements a chat runs and what each costs, on PGlite (in memory) and on a throwaway
 * PostgreSQL database, both loaded with the demo knowledge base. Each chat is the service's own
 * ChatService (creator lookup, cascade, stored turn) over the 8 questions of the throughput
 * section (bench/lib/questions.ts), with an answerer that yields 50 tokens at once. Statements are
 * run one at a time so each one's cost is its own: on PostgreSQL, the backend's CPU time
 * (/proc/<pid>/schedstat, ns), on PGlite this process's CPU time in the call (it runs on this
 * thread).
 * `--explain FILE`: EXPLAIN (ANALYZE, BUFFERS) of each statement of one warm round of the 8
 * questions, on PostgreSQL (FILE) and PGlite (FILE-pglite). `PROBE_DUMP=FILE`: that round's
 * statements and parameters as JSON. BENCH_PG_URL as for `npm run bench`. Comparing two versions:
 * chat-statements-ab.ts, which runs both in one process.
 */
import { createHash, randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { pino } from 'pino';
import { ChatService } from '../../src/chat/chat-service.js';
import { readDemoDocument } from '../../src/kb/demo-kb.js';
import type { Answerer } from '../../src/llm/answerer.js';
import { FullTextSearch } from '../../src/retrieval/full-text-search.js';
import { MAX_SHAPED_POSTGRES, type Db, type Queryable, type QueryOptions } from '../../src/store/db.js';
import { migrate } from '../../src/store/migrate.js';
import { PgConversationStore } from '../../src/store/pg/pg-conversation-store.js';
import { PgKbStore } from '../../src/store/pg/pg-kb-store.js';
import { PgliteDb } from '../../src/store/pg/pglite-db.js';
import { answerTokens, chatBody } from '../lib/questions.js';
import { createThrowawayDatabase } from '../lib/throwaway-postgres.js';

const { values } = parseArgs({
  options: { chats: { type: 'string', default: '160' }, explain: { type: 'string' }, only: { type: 'string' } },
});
const CHATS = Number(values.chats);
const QUESTIONS = 8;

/** What kind of statement a SQL text is, for the table. */
function label(sql: string): string {
  const s = sql.replace(/\s+/g, ' ').trim();
  if (s.includes('ts_lexize') && s.includes('kb_terms')) return 'terms (TERMS_SQL)';
  if (s.includes('WITH held AS')) return s.includes('p.technique_tsv @@') ? 'search, technique pass' : 'search, tsv';
  if (s.startsWith('SELECT slug, name, genres, personality FROM creators')) return 'creator profile';
  if (s.includes('INSERT INTO turns')) return s.includes('INSERT INTO conversations') ? 'start turn (new conversation)' : 'start turn';
  if (s.startsWith('UPDATE turns SET answer')) return 'finish turn';
  if (s.includes("to_tsvector('english', t.term)")) return 'glossary (once)';
  return s.slice(0, 60);
}

interface Sample {
  label: string;
  chat: number;
  sql: string;
  params: readonly unknown[];
  ms: number;
}

/** Runs statements one at a time and records each one's cost. */
class RecordingDb implements Db {
  readonly samples: Sample[] = [];
  /** Which chat the statements belong to. */
  chat = 0;
  private chain: Promise<unknown> = Promise.resolve();
  constructor(
    private readonly inner: Db,
    private readonly cost: (run: () => Promise<unknown>) => Promise<number>,
  ) {}
  get kind() {
    return this.inner.kind;
  }
  get keepsShapes() {
    return this.inner.keepsShapes;
  }
  query<T extends object>(sql: string, params: readonly unknown[] = [], options?: QueryOptions): Promise<T[]> {
    const next = this.chain.then(async () => {
      let rows: T[] = [];
      const ms = await this.cost(async () => {
        rows = await this.inner.query<T>(sql, params, options);
      });
      this.samples.push({ label: label(sql), chat: this.chat, sql, params, ms });
      return rows;
    });
    this.chain = next.catch(() => undefined);
    return next;
  }
  exec(sql: string) {
    return this.inner.exec(sql);
  }
  transaction<T>(fn: (tx: Queryable) => Promise<T>) {
    return this.inner.transaction(fn);
  }
  ping() {
    return this.inner.ping();
  }
  close() {
    return this.inner.close();
  }
}

/** PostgreSQL through one connection, so that its backend's CPU time is the statements'. */
class OneConnectionDb implements Db {
  readonly kind = 'postgres' as const;
  readonly keepsShapes = true;
  /** How often each shaped text has run: as PostgresDb, named from its third run, up to its cap. */
  private readonly shapedRuns = new Map<string, number>();
  private readonly shapedNamed = new Set<string>();
  private constructor(
    readonly client: pg.Client,
    readonly pid: number,
  ) {}
  static async open(url: string): Promise<OneConnectionDb> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    return new OneConnectionDb(client, rows[0]!.pid);
  }
  /** As PostgresDb: a statement to prepare is named (here by a hash of its text). */
  async query<T extends object>(sql: string, params: readonly unknown[] = [], options?: QueryOptions): Promise<T[]> {
    const hash = () => createHash('sha1').update(sql).digest('hex').slice(0, 16);
    let name = options?.prepare ? `p_${hash()}` : undefined;
    if (options?.shaped && !options.prepare) {
      const runs = (this.shapedRuns.get(sql) ?? 0) + 1;
      this.shapedRuns.set(sql, runs);
      if (runs === 3 && this.shapedNamed.size < MAX_SHAPED_POSTGRES) this.shapedNamed.add(sql);
      if (this.shapedNamed.has(sql)) name = `s_${hash()}`;
    }
    return (await this.client.query({ text: sql, values: params as unknown[], ...(name ? { name } : {}) })).rows as T[];
  }
  async exec(sql: string) {
    await this.client.query(sql);
  }
  async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    await this.client.query('BEGIN');
    try {
      const r = await fn(this);
      await this.client.query('COMMIT');
      return r;
    } catch (err) {
      await this.client.query('ROLLBACK');
      throw err;
    }
  }
  async ping() {
    await this.client.query('SELECT 1');
  }
  async close() {
    await this.client.end();
  }
}

const schedNs = async (pid: number) => Number((await readFile(`/proc/${pid}/schedstat`, 'utf8')).split(' ')[0]);

const answerer: Answerer = {
  kind: 'llm',
  async *answer() {
    for (const t of answerTokens(50)) yield t;
    return { model: 'probe', fallbackUsed: false, finishReason: 'stop', usage: { prompt_tokens: 1, completion_tokens: 50 } };
  },
};

async function chatOnce(chat: ChatService, i: number): Promise<void> {
  const body = JSON.parse(chatBody(i)) as { query: string; creator: string | null };
  const creator = body.creator === null ? null : await chat.findCreator(body.creator);
  const signal = new AbortController().signal;
  const prepared = await chat.prepare({ query: body.query, creator, conversationId: null, personalityWeight: 0, userId: null }, signal);
  for await (const _ of chat.stream(prepared, signal)) void _;
}

async function probe(name: string, inner: Db, cost: (run: () => Promise<unknown>) => Promise<number>, explain?: (s: Sample[]) => Promise<string>) {
  await migrate(inner);
  await new PgKbStore(inner).importDocument(await readDemoDocument());
  const db = new RecordingDb(inner, cost);
  const chat = new ChatService({
    kb: new PgKbStore(db),
    conversations: new PgConversationStore(db),
    search: new FullTextSearch(db),
    answerer,
    log: pino({ level: 'silent' }),
    topK: 6,
    historyTurns: 6,
  });
  for (let i = 0; i < 2 * QUESTIONS; i++) {
    db.chat = i;
    await chatOnce(chat, i);
  }
  const firstRound = db.samples.filter((s) => s.label !== 'glossary (once)').slice();
  db.samples.length = 0;
  for (let i = 0; i < CHATS; i++) {
    db.chat = i;
    await chatOnce(chat, i);
  }
  const by = new Map<string, number[]>();
  for (const s of db.samples) by.set(s.label, [...(by.get(s.label) ?? []), s.ms]);
  const total = db.samples.reduce((a, s) => a + s.ms, 0);
  const lines = [`\n${name}: ${CHATS} chats, ${(db.samples.length / CHATS).toFixed(2)} statements per chat, ${(total / CHATS).toFixed(3)} ms per chat`];
  lines.push(`${'statement'.padEnd(32)} ${'per chat'.padStart(8)} ${'mean ms'.padStart(8)} ${'p50 ms'.padStart(8)} ${'ms/chat'.padStart(8)}`);
  for (const [l, ms] of [...by].sort((a, b) => b[1].reduce((x, y) => x + y, 0) - a[1].reduce((x, y) => x + y, 0))) {
    const sorted = [...ms].sort((a, b) => a - b);
    const sum = ms.reduce((a, b) => a + b, 0);
    lines.push(
      `${l.padEnd(32)} ${(ms.length / CHATS).toFixed(2).padStart(8)} ${(sum / ms.length).toFixed(3).padStart(8)} ${sorted[Math.floor(sorted.length / 2)]!.toFixed(3).padStart(8)} ${(sum / CHATS).toFixed(3).padStart(8)}`,
    );
  }
  const perQuestion = new Map<number, Sample[]>();
  for (const s of db.samples) perQuestion.set(s.chat % QUESTIONS, [...(perQuestion.get(s.chat % QUESTIONS) ?? []), s]);
  lines.push('per question (ms per chat: all its statements; terms; searches):');
  const chatsEach = CHATS / QUESTIONS;
  const sum = (ss: Sample[]) => (ss.reduce((a, s) => a + s.ms, 0) / chatsEach).toFixed(3).padStart(7);
  for (const [k, ss] of [...perQuestion].sort((a, b) => a[0] - b[0])) {
    const body = JSON.parse(chatBody(k)) as { query: string; creator: string | null };
    const searches = ss.filter((s) => s.label.startsWith('search'));
    lines.push(
      `  ${sum(ss)} ${sum(ss.filter((s) => s.label.startsWith('terms')))} ${sum(searches)} (${searches.length / chatsEach} searches)  ${body.query}${body.creator ? ` [${body.creator}]` : ''}`,
    );
  }
  console.log(lines.join('\n'));
  if (process.env.PROBE_DUMP) await writeFile(process.env.PROBE_DUMP, JSON.stringify(firstRound.filter((s) => s.chat >= QUESTIONS)));
  if (explain) return explain(firstRound.filter((s) => s.chat >= QUESTIONS));
  return '';
}

async function explainAll(db: Db, samples: Sample[]): Promise<string> {
  const out: string[] = [];
  for (const s of samples) {
    const isWrite = /^\s*(WITH conversation|WITH turn|INSERT|UPDATE)/.test(s.sql);
    // A turn already stored: the same statement for a new one.
    const params = s.label.startsWith('start turn') ? [randomUUID(), randomUUID(), ...s.params.slice(2)] : s.params;
    if (isWrite) await db.exec('BEGIN');
    let rows: { 'QUERY PLAN': string }[];
    try {
      rows = await db.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${s.sql}`, params);
    } catch (err) {
      rows = [{ 'QUERY PLAN': `failed: ${err instanceof Error ? err.message : String(err)}` }];
    }
    if (isWrite) await db.exec('ROLLBACK');
    out.push(`## ${s.label}\n\nparams: ${JSON.stringify(s.params).slice(0, 400)}\n\n\`\`\`\n${rows.map((r) => r['QUERY PLAN']).join('\n')}\n\`\`\`\n`);
  }
  return out.join('\n');
}

if (values.only !== 'postgres') {
  const db = await PgliteDb.open();
  const text = await probe('PGlite (in memory; process CPU in the call)', db, async (run) => {
    const t = process.cpuUsage();
    await run();
    const d = process.cpuUsage(t);
    return (d.user + d.system) / 1000;
  }, (samples) => explainAll(db, samples));
  if (values.explain) await writeFile(values.explain.replace(/(\.md)?$/, '-pglite$1'), text);
  await db.close();
}
if (values.only !== 'pglite') {
  const throwaway = await createThrowawayDatabase(process.env.BENCH_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432/test');
  try {
    const db = await OneConnectionDb.open(throwaway.url);
    const text = await probe(
      'PostgreSQL (backend CPU, schedstat)',
      db,
      async (run) => {
        const before = await schedNs(db.pid);
        await run();
        return ((await schedNs(db.pid)) - before) / 1e6;
      },
      (samples) => explainAll(db, samples),
    );
    if (values.explain) await writeFile(values.explain, text);
    await db.close();
  } finally {
    await throwaway.drop();
  }
}
