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
  // "" is no creator, as in the seed (`if body.creator:`): what a form's "All creators" option sends.
  creator: text('must be a string or null')
    .max(100, 'must be at most 100 characters')
    .nullable()
    .default(null)
    .transform((s) => (s === '' ? null : s)),
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
