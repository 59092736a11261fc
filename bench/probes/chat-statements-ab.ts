/**
 * `npx tsx bench/probes/chat-statements-ab.ts <other checkout> [chats] [--postgres]`: the database's
 * CPU per chat of another checkout's code (e.g. `git worktree add /tmp/base <commit>`, with
 * node_modules linked) against this one's, in one process, chats alternating between the two, so
 * that a busy machine weighs on both alike (separate runs of chat-statements.ts differ by a fifth
 * here). Each side runs its own ChatService over its own database loaded with the demo knowledge
 * base: PGlite in memory (this process's CPU in each call), or with --postgres a throwaway
 * PostgreSQL database through PostgresDb on one connection (the backend's CPU from
 * /proc/<pid>/schedstat). The 8 questions of the throughput section, 50 tokens at once.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import type { ChatService } from '../../src/chat/chat-service.js';
import type { Answerer } from '../../src/llm/answerer.js';
import type { Db, QueryOptions } from '../../src/store/db.js';
import { answerTokens, chatBody } from '../lib/questions.js';
import { createThrowawayDatabase, type ThrowawayDatabase } from '../lib/throwaway-postgres.js';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { postgres: { type: 'boolean', default: false } } });
const other = positionals[0];
if (!other) throw new Error('usage: chat-statements-ab.ts <other checkout> [chats] [--postgres]');
const CHATS = Number(positionals[1] ?? 320);
const roots = { [path.basename(path.resolve(other))]: path.resolve(other, 'src'), this: path.resolve(import.meta.dirname, '../../src') };

const label = (sql: string) =>
  sql.includes('ts_lexize')
    ? 'terms'
    : sql.includes('WITH held AS')
      ? 'search'
      : sql.includes('INSERT INTO turns')
        ? 'start turn'
        : sql.includes('UPDATE turns SET answer')
          ? 'finish turn'
          : sql.includes('FROM creators WHERE slug')
            ? 'creator'
            : 'other';

interface Side {
  name: string;
  chat: ChatService;
  ms: Map<string, number>;
  count: Map<string, number>;
}

const answerer: Answerer = {
  kind: 'llm',
  async *answer() {
    for (const t of answerTokens(50)) yield t;
    return { model: 'probe', fallbackUsed: false, finishReason: 'stop', usage: { prompt_tokens: 1, completion_tokens: 50 } };
  },
};

const throwaways: ThrowawayDatabase[] = [];

async function side(name: string, src: string): Promise<Side> {
  const load = <T>(file: string): Promise<T> => import(path.join(src, file)) as Promise<T>;
  const { PgliteDb } = await load<typeof import('../../src/store/pg/pglite-db.js')>('store/pg/pglite-db.ts');
  const { PostgresDb } = await load<typeof import('../../src/store/pg/postgres-db.js')>('store/pg/postgres-db.ts');
  const { migrate } = await load<typeof import('../../src/store/migrate.js')>('store/migrate.ts');
  const { PgKbStore } = await load<typeof import('../../src/store/pg/pg-kb-store.js')>('store/pg/pg-kb-store.ts');
  const { PgConversationStore } = await load<typeof import('../../src/store/pg/pg-conversation-store.js')>('store/pg/pg-conversation-store.ts');
  const { FullTextSearch } = await load<typeof import('../../src/retrieval/full-text-search.js')>('retrieval/full-text-search.ts');
  const { ChatService } = await load<typeof import('../../src/chat/chat-service.js')>('chat/chat-service.ts');
  const { readDemoDocument } = await load<typeof import('../../src/kb/demo-kb.js')>('kb/demo-kb.ts');
  let inner: Db;
  let cost: (run: () => Promise<unknown>) => Promise<number>;
  if (values.postgres) {
    const t = await createThrowawayDatabase(process.env.BENCH_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432/test');
    throwaways.push(t);
    inner = new PostgresDb({ connectionString: t.url, max: 1 });
    const [row] = await inner.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    const ns = () => Number(readFileSync(`/proc/${row!.pid}/schedstat`, 'utf8').split(' ')[0]);
    cost = async (run) => {
      const before = ns();
      await run();
      return (ns() - before) / 1e6;
    };
  } else {
    inner = await PgliteDb.open();
    cost = async (run) => {
      const before = process.cpuUsage();
      await run();
      const d = process.cpuUsage(before);
      return (d.user + d.system) / 1000;
    };
  }
  await migrate(inner);
  await new PgKbStore(inner).importDocument(await readDemoDocument());
  const s: Side = { name, chat: undefined as unknown as ChatService, ms: new Map(), count: new Map() };
  const db: Db = Object.assign(Object.create(inner) as Db, {
    query: async <T extends object>(sql: string, params: readonly unknown[] = [], options?: QueryOptions) => {
      let rows: T[] = [];
      const ms = await cost(async () => {
        rows = await inner.query<T>(sql, params, options);
      });
      const l = label(sql);
      s.ms.set(l, (s.ms.get(l) ?? 0) + ms);
      s.count.set(l, (s.count.get(l) ?? 0) + 1);
      return rows;
    },
  });
  s.chat = new ChatService({
    kb: new PgKbStore(db),
    conversations: new PgConversationStore(db),
    search: new FullTextSearch(db),
    answerer,
    log: pino({ level: 'silent' }),
    topK: 6,
    historyTurns: 6,
  });
  return s;
}

async function chatOnce(s: Side, i: number): Promise<void> {
  const body = JSON.parse(chatBody(i)) as { query: string; creator: string | null };
  const creator = body.creator === null ? null : await s.chat.findCreator(body.creator);
  const signal = new AbortController().signal;
  const prepared = await s.chat.prepare({ query: body.query, creator, conversationId: null, personalityWeight: 0, userId: null }, signal);
  for await (const _ of s.chat.stream(prepared, signal)) void _;
}

const sides = await Promise.all(Object.entries(roots).map(([name, src]) => side(name, src)));
try {
  for (let i = 0; i < 32; i++) for (const s of sides) await chatOnce(s, i);
  for (const s of sides) {
    s.ms.clear();
    s.count.clear();
  }
  for (let i = 0; i < CHATS; i++) for (const s of i % 2 ? sides : [...sides].reverse()) await chatOnce(s, i);
  console.log(`${values.postgres ? 'PostgreSQL backend CPU' : 'PGlite, process CPU in the calls'}, ${CHATS} chats each, ms per chat`);
  for (const s of sides) {
    const total = [...s.ms.values()].reduce((a, b) => a + b, 0);
    const statements = [...s.count.values()].reduce((a, b) => a + b, 0);
    const parts = [...s.ms].map(([k, v]) => `${k} ${(v / CHATS).toFixed(3)} (${(s.count.get(k)! / CHATS).toFixed(2)} × ${(v / s.count.get(k)!).toFixed(3)})`);
    console.log(`${s.name.padEnd(10)} ${(total / CHATS).toFixed(3)} ms, ${(statements / CHATS).toFixed(2)} statements: ${parts.join(', ')}`);
  }
} finally {
  for (const t of throwaways) await t.drop();
}
process.exit(0);
