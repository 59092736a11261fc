export interface NewTurn {
  id: string;
  conversationId: string;
  query: string;
  searchQuery: string;
  creatorSlug: string | null;
  personalityWeight: number;
  cascadeTier: string;
  sources: unknown[];
  /** The conversation is new (never opened): it is created with the turn, in one statement. */
  newConversation?: { userId: string | null; title: string };
}

export interface TurnResult {
  answer: string;
  model: string | null;
  fallbackUsed: boolean;
  finishReason: string;
  usage: { prompt_tokens: number; completion_tokens: number } | null;
  latencyMs: { first_token: number | null; total: number };
  citations: number[];
  invalidCitations: number[];
  /** For each token event in order, the answer's length after it (see stored-turn-events.ts). */
  tokenEnds: number[];
  /** The code of the stream's error event, when it ended with one. */
  errorCode: string | null;
}

export interface TurnRecord {
  id: string;
  conversation_id: string;
  query: string;
  search_query: string;
  creator_slug: string | null;
  personality_weight: number;
  answer: string;
  sources: unknown[];
  cascade_tier: string;
  model: string | null;
  fallback_used: boolean;
  finish_reason: string;
  usage: TurnResult['usage'];
  latency_ms: TurnResult['latencyMs'] | null;
  citations: number[];
  invalid_citations: number[];
  /** Null for turns stored before migration 0009, and while streaming. */
  token_ends: number[] | null;
  error_code: string | null;
  created_at: string;
  completed_at: string | null;
}

export interface ConversationSummary {
  id: string;
  user_id: string | null;
  creator_slug: string | null;
  title: string;
  turn_count: number;
  created_at: string;
  updated_at: string;
}

export interface ConversationPage {
  items: ConversationSummary[];
  next_cursor: string | null;
}

/** Conversations and their turns. Ownership: a user's conversation is only ever that user's. */
export interface ConversationStore {
  /**
   * Creates the conversation when it does not exist; returns false when it exists and the caller
   * may not use it (someone else's).
   */
  open(id: string, userId: string | null, creatorSlug: string | null, title: string): Promise<boolean>;
  /** The last n completed turns, oldest first. */
  recentTurns(conversationId: string, n: number): Promise<TurnRecord[]>;
  /** Stores a turn that is streaming (finish_reason `streaming`), and creates its conversation when new. */
  startTurn(turn: NewTurn): Promise<void>;
  finishTurn(id: string, result: TurnResult): Promise<void>;
  getTurn(id: string): Promise<TurnRecord | null>;
  /** The turn when the caller may use its conversation (same rule as `get`), else null. */
  getTurnFor(id: string, userId: string | null): Promise<TurnRecord | null>;
  list(userId: string, limit: number, cursor: string | null): Promise<ConversationPage>;
  /** The conversation and all its turns, or null when absent or not the caller's. */
  get(id: string, userId: string | null): Promise<(ConversationSummary & { turns: TurnRecord[] }) | null>;
  delete(id: string, userId: string | null): Promise<boolean>;
}
