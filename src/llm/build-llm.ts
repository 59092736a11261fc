import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { LlmQueryRewriter } from './llm-query-rewriter.js';
import { CompletionStreams } from './completion-streams.js';
import { OpenAiAnswerer, type LlmTarget, type StreamTarget } from './openai-answerer.js';
import { createOpenAiClient } from './openai-client.js';
import type { QueryRewriter } from './query-rewriter.js';

/** The LLM answerer and rewriter of a config with LLM_BASE_URL; null without one. */
export function buildLlm(
  config: Config,
  log: Logger,
  termMerging: QueryRewriter,
): { answerer: OpenAiAnswerer; rewriter: QueryRewriter } | null {
  if (!config.LLM_BASE_URL) return null;
  const endpoint = { baseURL: config.LLM_BASE_URL, apiKey: config.LLM_API_KEY };
  const client = createOpenAiClient(endpoint);
  const primary: LlmTarget = { client, model: config.LLM_MODEL };
  const primaryStream: StreamTarget = { completions: new CompletionStreams(endpoint), model: config.LLM_MODEL };
  let fallback: StreamTarget | null = null;
  if (config.LLM_FALLBACK_MODEL) {
    // Another endpoint gets its own key only: the primary's key never travels to another host.
    const completions = config.LLM_FALLBACK_BASE_URL
      ? new CompletionStreams({ baseURL: config.LLM_FALLBACK_BASE_URL, apiKey: config.LLM_FALLBACK_API_KEY })
      : primaryStream.completions;
    fallback = { completions, model: config.LLM_FALLBACK_MODEL };
  }
  const answerer = new OpenAiAnswerer({
    primary: primaryStream,
    fallback,
    firstTokenTimeoutMs: config.LLM_FIRST_TOKEN_TIMEOUT_MS,
    idleTimeoutMs: config.LLM_IDLE_TIMEOUT_MS,
    log,
  });
  const rewriter = new LlmQueryRewriter({ target: primary, timeoutMs: config.LLM_REWRITE_TIMEOUT_MS, fallback: termMerging, log });
  return { answerer, rewriter };
}
