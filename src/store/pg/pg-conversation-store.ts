import { invalidRequest } from '../../errors.js';
import type { Db } from '../db.js';
import type { ConversationPage, ConversationStore, ConversationSummary, NewTurn, TurnRecord, TurnResult } from '../conversation-store.js';

const TURN_COLUMNS = `t.id, t.conversation_id, t.query, t.search_query, t.creator_slug, t.personality_weight, t.answer,
  t.sources, t.cascade_tier, t.model, t.fallback_used, t.finish_reason, t.usage, t.latency_ms, t.citations,
  t.invalid_citations, t.token_ends, t.error_code, to_json(t.created_at) #>> '{}' AS created_at, to_json(t.completed_at) #>> '{}' AS completed_at`;

const SUMMARY_COLUMNS = `c.id, c.user_id, c.creator_slug, c.title,
  (SELECT count(*)::int FROM turns t WHERE t.conversation_id = c.id) AS turn_count,
  to_json(c.created_at) #>> '{}' AS created_at, to_json(c.updated_at) #>> '{}' AS updated_at`;

// Who may use a conversation: its owner, or anyone when it is anonymous (an unguessable id).
const MAY_USE = '(c.user_id IS NULL OR c.user_id = $2)';

// A page's cursor: the activity number (migration 0008) of its last conversation.
const encodeCursor = (activity: string) => Buffer.from(JSON.stringify([activity])).toString('base64url');
function decodeCursor(cursor: string): string | null {
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    // Checked here so that a forged cursor is a 422, not a database error.
    return Array.isArray(v) && v.length === 1 && typeof v[0] === 'string' && /^[1-9]\d{0,17}$/.test(v[0]) ? v[0] : null;
  } catch {
    return null;
  }
}

export class PgConversationStore implements ConversationStore {
  constructor(private readonly db: Db) {}

  async open(id: string, userId: string | null, creatorSlug: string | null, title: string): Promise<boolean> {
    const created = await this.db.query(
      `INSERT INTO conversations (id, user_id, creator_slug, title) VALUES ($1, $2, $3, $4)
       ON CONFLICT (id) DO NOTHING RETURNING id`,
      [id, userId, creatorSlug, title.slice(0, 200)],
      { prepare: true },
    );
    if (created.length > 0) return true;
    const rows = await this.db.query(`SELECT 1 FROM conversations c WHERE c.id = $1 AND ${MAY_USE}`, [id, userId], { prepare: true });
    return rows.length > 0;
  }

  async recentTurns(conversationId: string, n: number): Promise<TurnRecord[]> {
    if (n <= 0) return [];
    const rows = await this.db.query<TurnRecord>(
      `SELECT * FROM (SELECT ${TURN_COLUMNS}, t.seq FROM turns t
         WHERE t.conversation_id = $1 AND t.finish_reason <> 'streaming' ORDER BY t.seq DESC LIMIT $2) r
       ORDER BY r.seq`,
      [conversationId, n],
      { prepare: true },
    );
    return rows.map(({ seq: _seq, ...t }: TurnRecord & { seq?: unknown }) => t);
  }

  async startTurn(t: NewTurn): Promise<void> {
    const params = [t.id, t.conversationId, t.query, t.searchQuery, t.creatorSlug, t.personalityWeight, t.cascadeTier, JSON.stringify(t.sources)];
    const insertTurn = `INSERT INTO turns (id, conversation_id, query, search_query, creator_slug, personality_weight, cascade_tier, sources)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb)`;
    // One statement either way, so atomic without BEGIN/COMMIT round trips (they were a third of
    // its cost), and one commit. The turn's foreign key is checked at the statement's end, when
    // the new conversation is there.
    if (t.newConversation) {
      await this.db.query(
        `WITH conversation AS (
           INSERT INTO conversations (id, user_id, creator_slug, title) VALUES ($2, $9, $5, $10)
         )
         ${insertTurn}`,
        [...params, t.newConversation.userId, t.newConversation.title.slice(0, 200)],
        { prepare: true },
      );
      return;
    }
    await this.db.query(
      `WITH turn AS (${insertTurn} RETURNING conversation_id)
       UPDATE conversations SET updated_at = now(), activity = nextval('conversations_activity_seq')
       WHERE id = (SELECT conversation_id FROM turn)`,
      params,
      { prepare: true },
    );
  }

  async finishTurn(id: string, r: TurnResult): Promise<void> {
    await this.db.query(
      `UPDATE turns SET answer = $2, model = $3, fallback_used = $4, finish_reason = $5, usage = $6::jsonb,
         latency_ms = $7::jsonb, citations = $8::jsonb, invalid_citations = $9::jsonb, token_ends = $10::int[],
         error_code = $11, completed_at = now()
       WHERE id = $1`,
      [
        id,
        r.answer,
        r.model,
        r.fallbackUsed,
        r.finishReason,
        r.usage ? JSON.stringify(r.usage) : null,
        JSON.stringify(r.latencyMs),
        JSON.stringify(r.citations),
        JSON.stringify(r.invalidCitations),
        r.tokenEnds,
        r.errorCode,
      ],
      { prepare: true },
    );
  }

  async getTurn(id: string): Promise<TurnRecord | null> {
    const [row] = await this.db.query<TurnRecord>(`SELECT ${TURN_COLUMNS} FROM turns t WHERE t.id = $1`, [id]);
    return row ?? null;
  }

  async getTurnFor(id: string, userId: string | null): Promise<TurnRecord | null> {
    const [row] = await this.db.query<TurnRecord>(
      `SELECT ${TURN_COLUMNS} FROM turns t JOIN conversations c ON c.id = t.conversation_id WHERE t.id = $1 AND ${MAY_USE}`,
      [id, userId],
    );
    return row ?? null;
  }

  async list(userId: string, limit: number, cursor: string | null): Promise<ConversationPage> {
    const after = cursor ? decodeCursor(cursor) : null;
    if (cursor && !after) throw invalidRequest([{ field: 'cursor', message: 'is not a cursor from a previous page' }]);
    // Most recent activity first (migration 0008): a number per activity, never a tie.
    const rows = await this.db.query<ConversationSummary & { activity: string }>(
      `SELECT ${SUMMARY_COLUMNS}, c.activity::text AS activity FROM conversations c
       WHERE c.user_id = $1 AND ($3::bigint IS NULL OR c.activity < $3::bigint)
       ORDER BY c.activity DESC LIMIT $2`,
      [userId, limit + 1, after],
    );
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    const items = page.map(({ activity: _activity, ...summary }) => summary);
    return { items, next_cursor: rows.length > limit && last ? encodeCursor(last.activity) : null };
  }

  async get(id: string, userId: string | null): Promise<(ConversationSummary & { turns: TurnRecord[] }) | null> {
    const [conv] = await this.db.query<ConversationSummary>(
      `SELECT ${SUMMARY_COLUMNS} FROM conversations c WHERE c.id = $1 AND ${MAY_USE}`,
      [id, userId],
    );
    if (!conv) return null;
    const turns = await this.db.query<TurnRecord>(`SELECT ${TURN_COLUMNS} FROM turns t WHERE t.conversation_id = $1 ORDER BY t.seq`, [id]);
    return { ...conv, turns };
  }

  async delete(id: string, userId: string | null): Promise<boolean> {
    const rows = await this.db.query(`DELETE FROM conversations c WHERE c.id = $1 AND ${MAY_USE} RETURNING c.id`, [id, userId]);
    return rows.length > 0;
  }
}
