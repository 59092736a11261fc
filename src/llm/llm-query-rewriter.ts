import type { Logger } from 'pino';
import { toLlmError } from './classify-error.js';
import { completionSchema } from './completion-schema.js';
import { within } from './deadline.js';
import type { LlmTarget } from './openai-answerer.js';
import type { QueryRewriter, RewriteTurn } from './query-rewriter.js';

export interface LlmQueryRewriterOptions {
  target: LlmTarget;
  /** Past this long the rewrite is abandoned and `fallback` answers instead. */
  timeoutMs: number;
  /** Used when the model fails, is slow, or says something unusable. */
  fallback: QueryRewriter;
  log: Logger;
  /** How many past turns the model sees. */
  turns?: number;
}

const ANSWER_CHARS = 600;
const MAX_QUERY_CHARS = 1000;

export const REWRITE_INSTRUCTIONS = [
  'You rewrite the last question of a conversation about music production so that it can be understood without the conversation.',
  'Resolve every reference ("it", "that", "and with reverb?") using the conversation. Keep the asker\'s wording and technical terms; add nothing they did not ask.',
  'If the question already stands alone, repeat it unchanged.',
  'Reply with the rewritten question only, on one line, without quotes or any preamble.',
].join('\n');

const clip = (s: string, n: number) => (s.length <= n ? s : `${s.slice(0, n)}…`);

/** The messages of one rewrite call: instructions, then the recent turns and the question as text. */
export function rewriteMessages(query: string, history: RewriteTurn[]): { role: 'system' | 'user'; content: string }[] {
  const conversation = history
    .map((t) => `User: ${t.query}\nAssistant: ${clip(t.answer.replace(/\s+/g, ' ').trim(), ANSWER_CHARS) || '(no answer)'}`)
    .join('\n\n');
  return [
    { role: 'system', content: REWRITE_INSTRUCTIONS },
    { role: 'user', content: `Conversation:\n${conversation}\n\nLast question: ${query}\n\nStandalone question:` },
  ];
}

/** The model's reply as a query, or null when it is not one (empty, several lines of chatter, too long). */
export function cleanRewrite(text: string): string | null {
  const line = text
    .trim()
    .replace(/^(standalone question|rewritten question|question)\s*:\s*/i, '')
    .replace(/^["'“‘]+|["'”’]+$/g, '')
    .trim();
  if (!line || line.includes('\n') || [...line].length > MAX_QUERY_CHARS) return null;
  return line;
}

/** Rewrites follow-ups with one short non-streaming call; any failure falls back, never throws. */
export class LlmQueryRewriter implements QueryRewriter {
  readonly kind = 'llm' as const;
  constructor(private readonly options: LlmQueryRewriterOptions) {}

  async rewrite(query: string, history: RewriteTurn[]): Promise<string> {
    const { target, timeoutMs, fallback, log } = this.options;
    if (history.length === 0) return query;
    const recent = history.slice(-(this.options.turns ?? 3));
    const upstream = new AbortController();
    try {
      const completion = await within(
        target.client.chat.completions.create(
          { model: target.model, messages: rewriteMessages(query, recent), temperature: 0, max_tokens: 120, stream: false },
          { signal: upstream.signal, maxRetries: 0 },
        ),
        timeoutMs,
        'rewrite_timeout',
      );
      const parsed = completionSchema.safeParse(completion);
      const rewritten = parsed.success ? cleanRewrite(parsed.data.choices[0]?.message.content ?? '') : null;
      if (rewritten) return rewritten;
      log.warn({ upstream: { reason: 'malformed_response', model: target.model } }, 'query rewrite unusable; merging terms instead');
    } catch (err) {
      const failure = toLlmError(err, { model: target.model, fallbackUsed: false });
      log.warn({ upstream: failure.failure, code: failure.code }, 'query rewrite failed; merging terms instead');
      log.debug({ err }, 'query rewrite failure detail');
    } finally {
      upstream.abort();
    }
    return fallback.rewrite(query, history);
  }
}
