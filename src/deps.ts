import path from 'node:path';
import type { Logger } from 'pino';
import type { Authenticator } from './auth/authenticator.js';
import { BearerAuthenticator } from './auth/bearer-authenticator.js';
import { JwtVerifier } from './auth/jwt-verifier.js';
import { ChatLimits } from './chat/chat-limits.js';
import { ChatService } from './chat/chat-service.js';
import { LiveAnswers } from './chat/live-answers.js';
import { OpenStreams } from './chat/open-streams.js';
import { TermMergingRewriter } from './chat/standalone-query.js';
import type { Config } from './config.js';
import { loadDemoIfEmpty } from './kb/demo-kb.js';
import type { Answerer } from './llm/answerer.js';
import { buildLlm } from './llm/build-llm.js';
import { ExtractiveAnswerer } from './llm/extractive-answerer.js';
import { createRateLimiter } from './limits/create-limiter.js';
import { connectWithin, createRedisClient } from './limits/redis-client.js';
import type { RateLimiter } from './limits/rate-limiter.js';
import { EmbeddingIndexer } from './retrieval/embedding-indexer.js';
import { FullTextSearch } from './retrieval/full-text-search.js';
import { HybridSearch } from './retrieval/hybrid-search.js';
import { OpenAiEmbedder } from './retrieval/openai-embedder.js';
import { VectorSearch } from './retrieval/vector-search.js';
import { createOpenAiClient } from './llm/openai-client.js';
import { ensureVectorSchema } from './store/pg/vector-schema.js';
import type { Embedder } from './retrieval/embedder.js';
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
import type { EventLog } from './store/event-log.js';
import { MemoryEventLog } from './store/memory-event-log.js';
import { RedisEventLog } from './store/redis-event-log.js';

/** Everything the app needs, built once at start and passed down. */
export interface Deps {
  config: Config;
  log: Logger;
  db: Db;
  kb: KbStore;
  conversations: ConversationStore;
  users: UserStore;
  search: PassageSearch;
  /** With EMBEDDINGS_BASE_URL: keeps passages' embeddings current (null: full-text search only). */
  indexer: EmbeddingIndexer | null;
  answerer: Answerer;
  auth: Authenticator;
  chat: ChatService;
  streams: OpenStreams;
  /** Every stream's events while it is written (SPEC §1 resuming): Redis with REDIS_URL, else in process. */
  eventLog: EventLog;
  liveAnswers: LiveAnswers;
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
  eventLog?: EventLog;
  /** Skip loading the demo knowledge base even when the database is empty. */
  skipDemo?: boolean;
}

/** Opens the database of the configured mode: PostgreSQL with DATABASE_URL, else PGlite in DATA_DIR. */
export async function openDb(config: Config): Promise<Db> {
  if (config.DATABASE_URL) return new PostgresDb({ connectionString: config.DATABASE_URL, max: config.DATABASE_POOL_SIZE, maxShaped: config.DATABASE_SEARCH_SHAPES });
  return PgliteDb.open(path.resolve(config.DATA_DIR, 'pglite'), { vector: Boolean(config.EMBEDDINGS_BASE_URL) });
}

/**
 * With EMBEDDINGS_BASE_URL: the embedder, the embeddings table made to fit it, and the indexer
 * (not started). Null without. Throws VectorUnavailableError when the database has no pgvector.
 */
export async function openVectorIndex(config: Config, db: Db, log: Logger): Promise<{ embedder: Embedder; indexer: EmbeddingIndexer } | null> {
  if (!config.EMBEDDINGS_BASE_URL) return null;
  const e = new OpenAiEmbedder({
    client: createOpenAiClient({ baseURL: config.EMBEDDINGS_BASE_URL, apiKey: config.EMBEDDINGS_API_KEY }),
    model: config.EMBEDDINGS_MODEL,
    dimensions: config.EMBEDDINGS_DIMENSIONS,
    requestDimensions: config.EMBEDDINGS_REQUEST_DIMENSIONS,
  });
  if (await ensureVectorSchema(db, { model: e.model, dimensions: e.dimensions })) {
    log.info({ model: e.model, dimensions: e.dimensions }, 'embeddings table created; every passage will be embedded');
  }
  return { embedder: e, indexer: new EmbeddingIndexer({ db, embedder: e, log }) };
}

/** The chat's retrieval: full-text search, fused with vector search when EMBEDDINGS_BASE_URL is set. */
export async function openSearch(config: Config, db: Db, log: Logger): Promise<{ search: PassageSearch; indexer: EmbeddingIndexer | null }> {
  const fullText = new FullTextSearch(db);
  const vectors = await openVectorIndex(config, db, log);
  if (!vectors) return { search: fullText, indexer: null };
  const search = new HybridSearch({
    fullText,
    vectors: new VectorSearch(db),
    embedder: vectors.embedder,
    minSimilarity: config.EMBEDDINGS_MIN_SIMILARITY,
    embedTimeoutMs: config.EMBEDDINGS_TIMEOUT_MS,
    log,
  });
  return { search, indexer: vectors.indexer };
}

/** With REDIS_URL the log is in Redis (a connection of its own), so any replica resumes any stream. */
export async function openEventLog(config: Pick<Config, 'REDIS_URL'>, log: Logger): Promise<EventLog> {
  if (!config.REDIS_URL) return new MemoryEventLog();
  const client = createRedisClient(config.REDIS_URL, (err) => log.debug({ reason: err.message }, 'redis connection error (event log)'));
  if (!(await connectWithin(client, 1000))) log.warn('event log: Redis not reachable at start, streams cannot be resumed until it is');
  return new RedisEventLog(client);
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
  const { search, indexer } = await openSearch(config, db, log);
  indexer?.start();
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
  const eventLog = overrides.eventLog ?? (await openEventLog(config, log));
  const liveAnswers = new LiveAnswers({ eventLog, graceMs: config.CHAT_RESUME_GRACE_MS, log, metrics, strict: config.STRICT_RESPONSES });
  return {
    config,
    log,
    db,
    kb,
    conversations,
    users,
    search,
    indexer,
    answerer,
    auth: overrides.auth ?? new BearerAuthenticator({ users, jwt: JwtVerifier.fromConfig(config, log) }),
    chat,
    streams,
    eventLog,
    liveAnswers,
    metrics,
    limiter,
    chatLimits,
    close: async () => {
      await indexer?.stop();
      liveAnswers.close();
      await eventLog.close();
      metrics.close();
      await limiter.close();
      await db.close();
    },
  };
}
