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

export interface AnswerRequest {
  question: string;
  sources: AnswerSource[];
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
