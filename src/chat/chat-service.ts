import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { AppError } from '../errors.js';
import type { Answerer, AnswerOutcome } from '../llm/answerer.js';
import { LlmError } from '../llm/llm-error.js';
import type { PassageSearch } from '../retrieval/passage-search.js';
import type { ConversationStore, TurnRecord, TurnResult } from '../store/conversation-store.js';
import type { CreatorProfile, KbStore } from '../store/kb-store.js';
import { runCascade, type CascadeTier } from './cascade.js';
import { retryWhileUnavailable } from './retry-storage.js';
import type { ChatEvent, DonePayload, Source, StreamErrorCode } from '../contract/chat-events.js';
import { extractCitations } from './citations.js';
import { buildPrompt } from './prompt.js';
import { toAnswerSources, toSources } from './sources.js';
import { TermMergingRewriter } from './standalone-query.js';
import type { QueryRewriter } from '../llm/query-rewriter.js';
import type { PassageHit } from '../retrieval/passage-search.js';

export interface ChatServiceDeps {
  kb: KbStore;
  conversations: ConversationStore;
  search: PassageSearch;
  answerer: Answerer;
  /** Follow-ups → standalone search queries; term merging when not given. */
  rewriter?: QueryRewriter;
  log: Logger;
  topK: number;
  historyTurns: number;
  /** How long a finished turn's write is retried while the database is unreachable (0: once). */
  storeRetryMs?: number;
  now?: () => number;
}

export interface ChatInput {
  query: string;
  creator: CreatorProfile | null;
  conversationId: string | null;
  personalityWeight: number;
  userId: string | null;
}

/**
 * Everything decided before the stream starts: failures up to here are plain HTTP errors. The
 * answer is already under way (its request to the model overlaps storing the turn); `stream()`
 * takes it and the sources over.
 */
export interface PreparedChat {
  conversationId: string;
  messageId: string;
  tier: CascadeTier;
  sources: Source[];
  answer: StartedAnswer;
  startedAt: number;
}

/** An answer whose first piece has been asked for; cancel() stops it (the stream was never sent). */
interface StartedAnswer {
  next(): Promise<IteratorResult<string, AnswerOutcome>>;
  cancel(): Promise<void>;
}

/** The chat pipeline of SPEC §1: conversation, cascade retrieval, answer, stored turn. */
export class ChatService {
  private readonly now: () => number;
  private readonly rewriter: QueryRewriter;
  constructor(private readonly deps: ChatServiceDeps) {
    this.now = deps.now ?? (() => performance.now());
    this.rewriter = deps.rewriter ?? new TermMergingRewriter();
  }

  findCreator(slug: string): Promise<CreatorProfile | null> {
    return this.deps.kb.getCreatorProfile(slug);
  }

  /** `signal`: the client went away; the answer stops. */
  async prepare(input: ChatInput, signal: AbortSignal): Promise<PreparedChat> {
    const startedAt = this.now();
    const { conversations, search, topK, historyTurns } = this.deps;
    const conversationId = input.conversationId ?? randomUUID();
    const title = input.query.replace(/\s+/g, ' ').slice(0, 120);
    // A new conversation is created with its first turn (one statement, after retrieval); one the
    // client names is opened now: it may be someone else's, and its turns are the history.
    const isNew = input.conversationId === null;
    if (!isNew && !(await conversations.open(conversationId, input.userId, input.creator?.slug ?? null, title))) {
      throw new AppError('conversation_not_found', 'Conversation not found');
    }
    const history = isNew ? [] : await conversations.recentTurns(conversationId, Math.max(historyTurns, 1));
    const searchQuery = await this.rewriter.rewrite(
      input.query,
      history.map((t) => ({ query: t.query, answer: t.answer, searchQuery: t.search_query })),
    );
    const creator = input.creator ? { slug: input.creator.slug, genres: input.creator.genres } : null;
    const { tier, hits } = await runCascade(search, searchQuery, creator, topK);
    const sources = toSources(hits, input.query);
    const messageId = randomUUID();
    // The model starts on the answer while the turn is stored (a model's first token takes far
    // longer than a commit); if storing fails, the answer is stopped and nothing was streamed.
    const answer = this.startAnswer(input, tier, hits, historyTurns > 0 ? history.slice(-historyTurns) : [], signal);
    try {
      await conversations.startTurn({
        id: messageId,
        conversationId,
        query: input.query,
        searchQuery,
        creatorSlug: input.creator?.slug ?? null,
        personalityWeight: input.personalityWeight,
        cascadeTier: tier,
        sources,
        ...(isNew ? { newConversation: { userId: input.userId, title } } : {}),
      });
    } catch (err) {
      await answer.cancel();
      throw err;
    }
    return { conversationId, messageId, tier, sources, answer, startedAt };
  }

  private startAnswer(input: ChatInput, tier: CascadeTier, hits: PassageHit[], history: TurnRecord[], signal: AbortSignal): StartedAnswer {
    const stop = new AbortController();
    const sources = toAnswerSources(hits);
    const gen = this.deps.answerer.answer({
      question: input.query,
      sources,
      scope: { tier, askedCreator: input.creator?.name ?? null },
      messages: buildPrompt({
        question: input.query,
        sources,
        history: history.map((t) => ({ query: t.query, answer: t.answer })),
        creator: input.creator ? { name: input.creator.name, personality: input.creator.personality } : null,
        personalityWeight: input.personalityWeight,
        tier,
      }),
      signal: AbortSignal.any([signal, stop.signal]),
    });
    let first: Promise<IteratorResult<string, AnswerOutcome>> | null = gen.next();
    // Not awaited until the stream starts; a failure is seen there (or not at all when cancelled).
    first.catch(() => undefined);
    return {
      next: () => {
        const step = first ?? gen.next();
        first = null;
        return step;
      },
      cancel: async () => {
        stop.abort();
        await first?.catch(() => undefined);
        await gen.return(undefined as never).catch(() => undefined);
      },
    };
  }

  /**
   * The events of one answer. The turn is completed in storage before `done` (or `error`) is
   * yielded; a stopped answer (signal aborted) ends with `done`, finish_reason client_closed.
   */
  async *stream(prepared: PreparedChat, signal: AbortSignal): AsyncGenerator<ChatEvent, void, void> {
    yield { event: 'sources', data: prepared.sources };
    const sourceCount = prepared.sources.length;
    // Sent: an open stream need not hold the snippets any longer.
    prepared.sources = [];
    let answer = '';
    // Where each token event ended the answer: a replay from the database sends the same events.
    const tokenEnds: number[] = [];
    let firstToken: number | null = null;
    let outcome: AnswerOutcome | null = null;
    let failedModel: string | null = null;
    let failedFallback = false;
    let failure: { code: StreamErrorCode; message: string } | null = null;
    try {
      const gen = prepared.answer;
      for (;;) {
        const step = await gen.next();
        if (step.done) {
          outcome = step.value;
          break;
        }
        // Client gone: keep pulling so the answerer sees the signal, stops and names its model.
        if (signal.aborted) continue;
        if (step.value.length === 0) continue;
        firstToken ??= this.now() - prepared.startedAt;
        answer += step.value;
        tokenEnds.push(answer.length);
        yield { event: 'token', data: { text: step.value } };
      }
    } catch (err) {
      if (err instanceof LlmError) {
        failure = { code: err.code, message: err.message };
        failedModel = err.failure?.model ?? null;
        failedFallback = err.failure?.fallbackUsed ?? false;
        // The upstream's own words (body, host) go to debug only; above it, a reason and a status.
        this.deps.log.warn({ code: err.code, upstream: err.failure, message_id: prepared.messageId }, 'llm failed');
        this.deps.log.debug({ err: err.cause ?? err, message_id: prepared.messageId }, 'llm failure detail');
      } else if (!signal.aborted) {
        failure = { code: 'internal', message: 'Internal error' };
        this.deps.log.error({ err, message_id: prepared.messageId }, 'answer stream failed');
      }
    }
    const total = Math.round(this.now() - prepared.startedAt);
    const { citations, invalid } = extractCitations(answer, sourceCount);
    const finishReason = signal.aborted ? 'client_closed' : failure ? 'error' : (outcome?.finishReason ?? 'stop');
    const usage = outcome?.usage ?? { prompt_tokens: 0, completion_tokens: 0 };
    const latency = { first_token: firstToken === null ? null : Math.round(firstToken), total };
    const result = {
      answer,
      model: outcome?.model ?? failedModel,
      fallbackUsed: outcome?.fallbackUsed ?? failedFallback,
      finishReason,
      usage,
      latencyMs: latency,
      citations,
      invalidCitations: invalid,
      tokenEnds,
      errorCode: signal.aborted ? null : (failure?.code ?? null),
    };
    try {
      // What was said must not be lost to a database that is briefly away: the UPDATE is the same
      // each time, so it is sent again until it lands (or the time is up), and `done` waits for it.
      await retryWhileUnavailable(
        () => this.deps.conversations.finishTurn(prepared.messageId, result),
        this.deps.storeRetryMs ?? 0,
        (attempt) => this.deps.log.warn({ message_id: prepared.messageId, attempt }, 'database unavailable; storing the answer again'),
      );
    } catch (err) {
      this.deps.log.error({ err, message_id: prepared.messageId }, 'could not store the finished turn');
      if (!failure && !signal.aborted) failure = { code: 'internal', message: 'Internal error' };
    }
    // Stopped (POST …/stop, or no reader within the grace): whoever reads the stream now is told.
    if (signal.aborted) {
      yield { event: 'done', data: this.donePayload(prepared, result, 'client_closed') };
      return;
    }
    if (failure || !outcome) {
      const f = failure ?? { code: 'internal' as const, message: 'Internal error' };
      yield { event: 'error', data: { error: f.message, code: f.code } };
      return;
    }
    yield { event: 'done', data: this.donePayload(prepared, { ...result, model: outcome.model }, outcome.finishReason) };
  }

  private donePayload(prepared: PreparedChat, r: TurnResult, finishReason: DonePayload['finish_reason']): DonePayload {
    return {
      conversation_id: prepared.conversationId,
      message_id: prepared.messageId,
      cascade_tier: prepared.tier,
      model: r.model ?? 'unknown',
      fallback_used: r.fallbackUsed,
      finish_reason: finishReason,
      usage: r.usage ?? { prompt_tokens: 0, completion_tokens: 0 },
      latency_ms: r.latencyMs,
      citations: r.citations,
      invalid_citations: r.invalidCitations,
    };
  }
}
