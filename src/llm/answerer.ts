import type { CascadeTier } from '../contract/chat-events.js';

const pad = (n: number) => String(n).padStart(2, '0');
/** 83 → "1:23", 3725 → "1:02:05": how a video player shows a moment (prompt, answers, CLI). */
export const timestamp = (seconds: number) => {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}:${pad(m)}:${pad(s % 60)}` : `${m}:${pad(s % 60)}`;
};

/** A numbered source as an answerer sees it. */
export interface AnswerSource {
  number: number;
  creatorName: string;
  videoTitle: string;
  technique: string | null;
  startSeconds: number;
  endSeconds: number;
  text: string;
}

export interface PromptMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/**
 * Where the sources come from, as the cascade found them (SPEC §2): an answer to a question asked
 * of a creator says so when the sources are someone else's.
 */
export interface AnswerScope {
  tier: CascadeTier;
  /** The creator the question was asked of; null when asked of the whole knowledge base. */
  askedCreator: string | null;
}

export interface AnswerRequest {
  question: string;
  sources: AnswerSource[];
  scope: AnswerScope;
  /** The whole prompt, for answerers that are language models. */
  messages: PromptMessage[];
  signal: AbortSignal;
}

export interface AnswerOutcome {
  model: string;
  fallbackUsed: boolean;
  finishReason: 'stop' | 'length';
  usage: { prompt_tokens: number; completion_tokens: number };
}

/**
 * Streams an answer: yields pieces of text, returns how it went. Throws LlmError when the model
 * fails; stops early (returns) when the signal aborts.
 */
export interface Answerer {
  readonly kind: 'extractive' | 'llm';
  answer(request: AnswerRequest): AsyncGenerator<string, AnswerOutcome, void>;
}
