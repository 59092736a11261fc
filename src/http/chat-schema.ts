import { z } from 'zod';
import { text } from '../text.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const codePoints = (s: string) => [...s].length;

/** SPEC §1 request body. Unknown fields are dropped. */
export const chatRequestSchema = z.object({
  query: text('must be a string')
    .trim()
    .refine((s) => s.length > 0, 'must not be empty or only whitespace')
    .refine((s) => codePoints(s) <= 1000, 'must be at most 1000 characters'),
  creator: text('must be a string or null').max(100, 'must be at most 100 characters').nullable().default(null),
  conversation_id: z
    .string({ error: 'must be a UUID string or null' })
    .regex(UUID, 'must be a UUID')
    .transform((s) => s.toLowerCase())
    .nullable()
    .default(null),
  personality_weight: z
    .number({ error: 'must be a number' })
    .min(0, 'must be between 0.0 and 1.0')
    .max(1, 'must be between 0.0 and 1.0')
    .default(0),
});

export type ChatRequest = z.output<typeof chatRequestSchema>;

/** What the stream sends, for the OpenAPI document (tests parse real events with these). */
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

export const donePayloadSchema = z.object({
  conversation_id: z.string(),
  message_id: z.string(),
  cascade_tier: z.enum(['creator', 'domain', 'global', 'none']),
  model: z.string(),
  fallback_used: z.boolean(),
  finish_reason: z.enum(['stop', 'length', 'client_closed']).describe('client_closed: stopped, or no reader within CHAT_RESUME_GRACE_MS'),
  usage: z.object({ prompt_tokens: z.number().int(), completion_tokens: z.number().int() }),
  latency_ms: z.object({ first_token: z.number().nullable(), total: z.number() }),
  citations: z.array(z.number().int()),
  invalid_citations: z.array(z.number().int()),
});

export const streamErrorSchema = z.object({
  error: z.string(),
  code: z.enum(['llm_unavailable', 'llm_timeout', 'internal']),
});
