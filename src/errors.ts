/** The closed list of error codes and the HTTP status each maps to. */
export const errorStatus = {
  malformed_json: 400,
  malformed_url: 400,
  malformed_request: 400,
  invalid_credentials: 401,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  unknown_creator: 404,
  conversation_not_found: 404,
  message_not_found: 404,
  body_too_large: 413,
  unsupported_media_type: 415,
  headers_too_large: 431,
  answer_finished: 409,
  invalid_request: 422,
  invalid_document: 422,
  rate_limited: 429,
  creator_rate_limited: 429,
  internal: 500,
  service_unavailable: 503,
} as const;

export type ErrorCode = keyof typeof errorStatus;

export interface FieldProblem {
  field: string;
  message: string;
}

/** Every error the service means to send: a code, a message for people, and extra body fields. */
export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'AppError';
    this.status = errorStatus[code];
  }
}

export const invalidRequest = (details: FieldProblem[]) =>
  new AppError('invalid_request', 'Invalid request', { details });

/** Storage could not be reached: the caller should come back later. */
export class StorageUnavailableError extends AppError {
  constructor(retryAfter = 5) {
    super('service_unavailable', 'Service unavailable', { retry_after: retryAfter }, { 'Retry-After': String(retryAfter) });
  }
}
