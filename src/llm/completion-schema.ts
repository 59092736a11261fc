import { z } from 'zod';

const usage = z.object({ prompt_tokens: z.number().int().min(0), completion_tokens: z.number().int().min(0) });

/** One `chat.completion.chunk` of a stream, as much of it as we read. */
export const chunkSchema = z.object({
  choices: z
    .array(
      z.object({
        delta: z.object({ content: z.string().nullish() }).nullish(),
        finish_reason: z.string().nullish(),
      }),
    )
    .default([]),
  usage: usage.nullish(),
});

/** A non-streaming `chat.completion`, as much of it as we read. */
export const completionSchema = z.object({
  choices: z
    .array(z.object({ message: z.object({ content: z.string().nullish() }), finish_reason: z.string().nullish() }))
    .min(1),
});

export type Usage = z.output<typeof usage>;
