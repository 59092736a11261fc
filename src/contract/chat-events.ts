import * as z from 'zod/mini';

/**
 * SPEC §1's stream events: the one definition the SSE writer checks what it sends with, and the
 * CLI and the page parse what they receive with. Imports nothing but zod/mini (the same schemas
 * as zod's, without the methods): the page bundles it, at a quarter of full zod's size.
 */

const int = () => z.int();

export const cascadeTierSchema = z.enum(['creator', 'domain', 'global', 'none']);

export const sourceSchema = z.object({
  number: int().check(z.minimum(1)),
  passage_id: z.string(),
  creator: z.object({ slug: z.string(), name: z.string() }),
  video: z.object({ id: z.string(), title: z.string(), url: z.string() }),
  start_seconds: int(),
  end_seconds: int(),
  url: z.string().check(z.describe('The video URL starting at start_seconds')),
  technique: z.nullable(z.string()),
  snippet: z.string(),
  score: z.number().check(z.minimum(0), z.maximum(1)),
});

export const tokenPayloadSchema = z.object({ text: z.string() });

export const usageSchema = z.object({ prompt_tokens: int(), completion_tokens: int() });
export const latencySchema = z.object({ first_token: z.nullable(z.number()), total: z.number() });

export const donePayloadSchema = z.object({
  conversation_id: z.string(),
  message_id: z.string(),
  cascade_tier: cascadeTierSchema,
  model: z.string(),
  fallback_used: z.boolean(),
  finish_reason: z.enum(['stop', 'length', 'client_closed']).check(
    z.describe('client_closed: stopped (POST …/stop), or no reader within CHAT_RESUME_GRACE_MS'),
  ),
  usage: usageSchema,
  latency_ms: latencySchema,
  citations: z.array(int()),
  invalid_citations: z.array(int()),
});

export const streamErrorCodeSchema = z.enum(['llm_unavailable', 'llm_timeout', 'internal']);
export const streamErrorSchema = z.object({ error: z.string(), code: streamErrorCodeSchema });

/** One event: its name (the `event:` line) and its data (the `data:` line, one JSON value). */
export const chatEventSchema = z.discriminatedUnion('event', [
  z.object({ event: z.literal('sources'), data: z.array(sourceSchema) }),
  z.object({ event: z.literal('token'), data: tokenPayloadSchema }),
  z.object({ event: z.literal('done'), data: donePayloadSchema }),
  z.object({ event: z.literal('error'), data: streamErrorSchema }),
]);

export type CascadeTier = z.infer<typeof cascadeTierSchema>;
export type Source = z.infer<typeof sourceSchema>;
export type DonePayload = z.infer<typeof donePayloadSchema>;
export type StreamErrorCode = z.infer<typeof streamErrorCodeSchema>;
export type ChatEvent = z.infer<typeof chatEventSchema>;
export type ChatEventName = ChatEvent['event'];

/** Reads one received event (name and raw data line) with the schemas; the failure names what is wrong. */
export function parseChatEvent(
  event: string | undefined,
  data: string,
): { ok: true; event: ChatEvent } | { ok: false; reason: string } {
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return { ok: false, reason: `the ${event ?? 'message'} event's data is not JSON` };
  }
  const parsed = chatEventSchema.safeParse({ event: event ?? 'message', data: value });
  if (parsed.success) return { ok: true, event: parsed.data };
  const issue = parsed.error.issues[0];
  const where = issue?.path.slice(1).map(String).join('.') ?? '';
  return { ok: false, reason: `the ${event ?? 'message'} event is malformed${where ? ` at ${where}` : ''}: ${issue?.message ?? 'invalid'}` };
}
