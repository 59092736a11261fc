import { z } from 'zod';

/**
 * SPEC §1's stream events: the one definition the SSE writer checks what it sends with, and the
 * CLI and the page parse what they receive with. Imports nothing but zod: the page bundles it.
 */

export const cascadeTierSchema = z.enum(['creator', 'domain', 'global', 'none']);

export const sourceSchema = z.object({
  number: z.number().int().min(1),
  passage_id: z.string(),
  creator: z.object({ slug: z.string(), name: z.string() }),
  video: z.object({ id: z.string(), title: z.string(), url: z.string() }),
  start_seconds: z.number().int(),
  end_seconds: z.number().int(),
  url: z.string().describe('The video URL starting at start_seconds'),
  technique: z.string().nullable(),
  snippet: z.string(),
  score: z.number().min(0).max(1),
});

export const tokenPayloadSchema = z.object({ text: z.string() });

export const usageSchema = z.object({ prompt_tokens: z.number().int(), completion_tokens: z.number().int() });
export const latencySchema = z.object({ first_token: z.number().nullable(), total: z.number() });

export const donePayloadSchema = z.object({
  conversation_id: z.string(),
  message_id: z.string(),
  cascade_tier: cascadeTierSchema,
  model: z.string(),
  fallback_used: z.boolean(),
  finish_reason: z.enum(['stop', 'length']),
  usage: usageSchema,
  latency_ms: latencySchema,
  citations: z.array(z.number().int()),
  invalid_citations: z.array(z.number().int()),
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
