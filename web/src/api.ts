/** The wire shapes of SPEC §4 and §7 that the page reads; the stream's are src/contract/chat-events.ts. */
import type { CascadeTier, Source } from '../../src/contract/chat-events';

export type { CascadeTier, DonePayload, Source } from '../../src/contract/chat-events';

export interface CreatorSummary {
  slug: string;
  name: string;
  bio: string | null;
  genres: string[];
  video_count: number;
  passage_count: number;
}

export interface ConversationSummary {
  id: string;
  title: string;
  /** The creator slug the conversation began with, or null. */
  creator: string | null;
  turn_count: number;
  created_at: string;
  updated_at: string;
}

export interface ConversationPage {
  conversations: ConversationSummary[];
  next_cursor: string | null;
}

/** One stored question and its answer, as reopened from history. */
export interface StoredTurn {
  query: string;
  answer: string;
  sources: Source[];
  cascade_tier: CascadeTier | null;
  model: string | null;
  finish_reason: string | null;
}

/** A non-2xx answer of the API: SPEC's `{error, code, request_id, ...}` plus Retry-After. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly retryAfter: number | null,
    readonly body: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export function authHeaders(token: string | null): Record<string, string> {
  return token ? { authorization: `Bearer ${token}` } : {};
}

/** Reads an error response into an ApiError, whatever its body turns out to be. */
export async function toApiError(res: Response): Promise<ApiError> {
  let body: Record<string, unknown> = {};
  try {
    const parsed: unknown = await res.json();
    if (parsed && typeof parsed === 'object') body = parsed as Record<string, unknown>;
  } catch {
    // Not JSON (a proxy's page, say): the status alone has to do.
  }
  const header = Number(res.headers.get('retry-after'));
  const fromBody = typeof body.retry_after === 'number' ? body.retry_after : NaN;
  const retryAfter = Number.isFinite(header) && header > 0 ? header : Number.isFinite(fromBody) ? fromBody : null;
  const message = typeof body.error === 'string' ? body.error : `The server answered ${res.status}`;
  const code = typeof body.code === 'string' ? body.code : `http_${res.status}`;
  return new ApiError(res.status, code, message, retryAfter, body);
}

async function requestJson<T>(path: string, token: string | null, init: RequestInit = {}): Promise<T> {
  const res = await fetch(path, { ...init, headers: { accept: 'application/json', ...authHeaders(token), ...init.headers } });
  if (!res.ok) throw await toApiError(res);
  return (res.status === 204 ? undefined : await res.json()) as T;
}

export async function fetchCreators(): Promise<CreatorSummary[]> {
  const body = await requestJson<{ creators: CreatorSummary[] }>('/api/v1/creators', null);
  return body.creators;
}

export function listConversations(token: string, cursor: string | null): Promise<ConversationPage> {
  const qs = cursor ? `?cursor=${encodeURIComponent(cursor)}` : '';
  return requestJson<ConversationPage>(`/api/v1/conversations${qs}`, token);
}

interface StoredMessage {
  role: 'user' | 'assistant';
  turn_id: string;
  content: string;
  sources?: Source[];
  cascade_tier?: CascadeTier;
  model?: string | null;
  finish_reason?: string;
}

export async function getConversation(token: string, id: string): Promise<{ summary: ConversationSummary; turns: StoredTurn[] }> {
  const body = await requestJson<ConversationSummary & { messages: StoredMessage[] }>(`/api/v1/conversations/${encodeURIComponent(id)}`, token);
  return { summary: body, turns: toTurns(body.messages) };
}

/** The API lists a turn as two messages, the question then the answer: pair them up again. */
function toTurns(messages: StoredMessage[]): StoredTurn[] {
  const turns: StoredTurn[] = [];
  const byId = new Map<string, StoredTurn>();
  for (const m of messages) {
    if (m.role === 'user') {
      const turn: StoredTurn = { query: m.content, answer: '', sources: [], cascade_tier: null, model: null, finish_reason: null };
      byId.set(m.turn_id, turn);
      turns.push(turn);
      continue;
    }
    const turn = byId.get(m.turn_id);
    if (!turn) continue;
    turn.answer = m.content;
    turn.sources = m.sources ?? [];
    turn.cascade_tier = m.cascade_tier ?? null;
    turn.model = m.model ?? null;
    turn.finish_reason = m.finish_reason ?? null;
  }
  return turns;
}

export async function deleteConversation(token: string, id: string): Promise<void> {
  await requestJson<unknown>(`/api/v1/conversations/${encodeURIComponent(id)}`, token, { method: 'DELETE' });
}
