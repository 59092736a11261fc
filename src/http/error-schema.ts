import { z } from 'zod';

/**
 * Every error body of the API (SPEC §1): {error, code, request_id} and the extra fields some
 * codes carry. Declared on each route's error statuses, so error bodies are checked as well.
 */
export const errorBodySchema = z.object({
  error: z.string().describe('A message for people'),
  code: z.string().describe('Stable, snake_case, for programs'),
  request_id: z.string().describe('Also sent as the X-Request-Id header'),
  details: z
    .array(
      z.object({
        field: z.string().optional().describe('The invalid field (invalid_request)'),
        path: z.string().optional().describe('The JSON path of the problem (invalid_document)'),
        message: z.string(),
      }),
    )
    .optional(),
  retry_after: z.number().int().optional().describe('Seconds (429, 503); also the Retry-After header'),
  creator: z.string().optional().describe('The unknown slug (unknown_creator)'),
  limit_bytes: z.number().int().optional().describe("The refusing route's body limit (body_too_large)"),
  finish_reason: z.string().optional().describe('How the answer ended (answer_finished)'),
});

const statusText: Record<number, string> = {
  400: 'Malformed JSON body',
  401: 'Invalid credentials, or authentication required',
  403: 'Admin role required',
  404: 'Not found',
  409: 'Conflict with the current state',
  413: 'Request body too large',
  415: 'Content-Type must be application/json',
  422: 'Invalid request: details name each field',
  429: 'Rate limit exceeded (Retry-After header)',
  500: 'Internal error (the body says nothing more)',
  503: 'Service unavailable (Retry-After header)',
};

type Status = keyof typeof statusText & number;

/** The error responses of a route: each status → the error body, with a description. */
export function errorResponses(statuses: Status[], descriptions: Partial<Record<Status, string>> = {}) {
  return Object.fromEntries(
    [...statuses, 500].map((s) => [s, errorBodySchema.describe(descriptions[s] ?? statusText[s] ?? 'Error')]),
  ) as Record<number, typeof errorBodySchema>;
}
