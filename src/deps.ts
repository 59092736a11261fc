import path from 'node:path';
import type { Logger } from 'pino';
import type { Authenticator } from './auth/authenticator.js';
import { BearerAuthenticator } from './auth/bearer-authenticator.js';
import { JwtVerifier } from './auth/jwt-verifier.js';
import { ChatLimits } from './chat/chat-limits.js';
import { ChatService } from './chat/chat-service.js';
import { OpenStreams } from './chat/open-streams.js';
import { TermMergingRewriter } from './chat/standalone-query.js';
import type { Config } from './config.js';
import { loadDemoIfEmpty } from './kb/demo-kb.js';
import type { Answerer } from './llm/answerer.js';
import { buildLlm } from './llm/build-llm.js';
import { ExtractiveAnswerer } from './llm/extractive-answerer.js';
import { createRateLimiter } from './limits/create-limiter.js';
import type { RateLimiter } from './limits/rate-limiter.js';
import { FullTextSearch } from './retrieval/full-text-search.js';
import type { PassageSearch } from './retrieval/passage-search.js';
import type { ConversationStore } from './store/conversation-store.js';
import type { Db } from './store/db.js';
import type { KbStore } from './store/kb-store.js';
import { migrate } from './store/migrate.js';
import { Metrics } from './metrics.js';
import { PgConversationStore } from './store/pg/pg-conversation-store.js';
import { PgKbStore } from './store/pg/pg-kb-store.js';
import { PgUserStore } from './store/pg/pg-user-store.js';
import { PgliteDb } from './store/pg/pglite-db.js';
import { PostgresDb } from './store/pg/postgres-db.js';
import type { UserStore } from './store/user-store.js';

/** Everything the app needs, built once at start and passed down. */
export interface Deps {
  config: Config;
  log: Logger;
  db: Db;
  kb: KbStore;
  conversations: ConversationStore;
  users: UserStore;
  search: PassageSearch;
  answerer: Answerer;
  auth: Authenticator;
  chat: ChatService;
  streams: OpenStreams;
  metrics: Metrics;
  limiter: RateLimiter;
  chatLimits: ChatLimits;
  close(): Promise<void>;
}

export interface DepsOverrides {
  db?: Db;
  answerer?: Answerer;
  /** Tests: a known user without credentials, or a limiter on a key prefix of their own. */
  auth?: Authenticator;
  limiter?: RateLimiter;
  /** Skip loading the demo knowledge base even when the database is empty. */
  skipDemo?: boolean;
}

/** Opens the database of the configured mode: PostgreSQL with DATABASE_URL, else PGlite in DATA_DIR. */
export async function openDb(config: Config): Promise<Db> {
  if (config.DATABASE_URL) return new PostgresDb({ connectionString: config.DATABASE_URL });
  return PgliteDb.open(path.resolve(config.DATA_DIR, 'pglite'));
}

export async function buildDeps(config: Config, log: Logger, overrides: DepsOverrides = {}): Promise<Deps> {
  const db = overrides.db ?? (await openDb(config));
  const applied = await migrate(db);
  if (applied.length > 0) log.info({ applied }, 'database migrated');
  const kb = new PgKbStore(db);
  if (config.LOAD_DEMO_KB && !overrides.skipDemo) {
    const loaded = await loadDemoIfEmpty(kb);
    if (loaded) log.info({ passages: loaded.passages.inserted }, 'demo knowledge base loaded');
  }
  const conversations = new PgConversationStore(db);
  const users = new PgUserStore(db);
  const search = new FullTextSearch(db);
  const llm = buildLlm(config, log, new TermMergingRewriter());
  const answerer = overrides.answerer ?? llm?.answerer ?? new ExtractiveAnswerer(config.EXTRACTIVE_CHUNK_DELAY_MS);
  const chat = new ChatService({
    kb,
    conversations,
    search,
    answerer,
    rewriter: llm?.rewriter,
    log,
    topK: config.CHAT_TOP_K,
    historyTurns: config.CHAT_HISTORY_TURNS,
    storeRetryMs: config.CHAT_STORE_RETRY_MS,
  });
  const streams = new OpenStreams();
  const limiter = overrides.limiter ?? (await createRateLimiter(config, log));
  const chatLimits = new ChatLimits(limiter, {
    userPerHour: config.RATE_LIMIT_USER_PER_HOUR,
    ipPerHour: config.RATE_LIMIT_IP_PER_HOUR,
    creatorPerHour: config.RATE_LIMIT_CREATOR_PER_HOUR,
  });
  const metrics = new Metrics({ openStreams: () => streams.size, limiterStats: () => limiter.stats });
  return {
    config,
    log,
    db,
    kb,
    conversations,
    users,
    search,
    answerer,
    auth: overrides.auth ?? new BearerAuthenticator({ users, jwt: JwtVerifier.fromConfig(config, log) }),
    chat,
    streams,
    metrics,
    limiter,
    chatLimits,
    close: async () => {
      metrics.close();
      await limiter.close();
      await db.close();
    },
  };
}
