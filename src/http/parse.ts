import type { z } from 'zod';
import { invalidRequest } from '../errors.js';

/** Validates an HTTP input with its zod schema; every problem is named by field (422). */
export function parse<S extends z.ZodType>(schema: S, value: unknown, root = 'body'): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw invalidRequest(
    result.error.issues.map((i) => ({
      field: i.path.length > 0 ? i.path.map(String).join('.') : root,
      message: i.message,
    })),
  );
}
