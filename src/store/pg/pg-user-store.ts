import { randomUUID } from 'node:crypto';
import type { Db } from '../db.js';
import type { Role, TokenSummary, User, UserStore, UserWithTokens } from '../user-store.js';

const ts = (col: string, as: string) => `to_json(${col}) #>> '{}' AS ${as}`;
const USER_COLUMNS = `u.id, u.name, u.role, ${ts('u.created_at', 'created_at')}`;
const TOKEN_COLUMNS = `t.id, t.user_id, t.prefix, ${ts('t.created_at', 'created_at')},
  ${ts('t.last_used_at', 'last_used_at')}, ${ts('t.revoked_at', 'revoked_at')}`;

// Recording every use would write a row per request; a minute's precision is enough to tell an
// operator whether a token is still in use.
const LAST_USED_PRECISION = `interval '1 minute'`;

export class PgUserStore implements UserStore {
  constructor(private readonly db: Db) {}

  async createUser(user: { id: string; name: string; role: Role }): Promise<User | null> {
    const [row] = await this.db.query<User>(
      `INSERT INTO users AS u (id, name, role) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING RETURNING ${USER_COLUMNS}`,
      [user.id, user.name, user.role],
    );
    return row ?? null;
  }

  async getUser(id: string): Promise<User | null> {
    const [row] = await this.db.query<User>(`SELECT ${USER_COLUMNS} FROM users u WHERE u.id = $1`, [id]);
    return row ?? null;
  }

  async ensureUser(id: string, name: string): Promise<User> {
    const known = await this.getUser(id);
    if (known) return known;
    // Two first requests of one subject may race: whichever inserts, both then read the same row.
    await this.db.query(`INSERT INTO users (id, name, role) VALUES ($1, $2, 'user') ON CONFLICT (id) DO NOTHING`, [id, name]);
    const created = await this.getUser(id);
    if (!created) throw new Error('user vanished right after it was created');
    return created;
  }

  async setRole(id: string, role: Role): Promise<User | null> {
    const [row] = await this.db.query<User>(`UPDATE users u SET role = $2 WHERE u.id = $1 RETURNING ${USER_COLUMNS}`, [id, role]);
    return row ?? null;
  }

  async listUsers(): Promise<UserWithTokens[]> {
    const users = await this.db.query<User>(`SELECT ${USER_COLUMNS} FROM users u ORDER BY u.created_at, u.id`);
    const tokens = await this.db.query<TokenSummary>(`SELECT ${TOKEN_COLUMNS} FROM api_tokens t ORDER BY t.created_at, t.id`);
    return users.map((u) => ({ ...u, tokens: tokens.filter((t) => t.user_id === u.id) }));
  }

  async addToken(userId: string, tokenHash: string, prefix: string): Promise<TokenSummary> {
    const [row] = await this.db.query<TokenSummary>(
      `INSERT INTO api_tokens AS t (id, user_id, token_hash, prefix) VALUES ($1, $2, $3, $4) RETURNING ${TOKEN_COLUMNS}`,
      [randomUUID(), userId, tokenHash, prefix],
    );
    if (!row) throw new Error('token insert returned no row');
    return row;
  }

  async findUserByTokenHash(tokenHash: string): Promise<User | null> {
    const [row] = await this.db.query<User & { token_id: string; stale: boolean }>(
      `SELECT ${USER_COLUMNS}, t.id AS token_id,
         (t.last_used_at IS NULL OR t.last_used_at < now() - ${LAST_USED_PRECISION}) AS stale
       FROM api_tokens t JOIN users u ON u.id = t.user_id
       WHERE t.token_hash = $1 AND t.revoked_at IS NULL`,
      [tokenHash],
    );
    if (!row) return null;
    const { token_id: tokenId, stale, ...user } = row;
    if (stale) await this.db.query('UPDATE api_tokens SET last_used_at = now() WHERE id = $1', [tokenId]);
    return user;
  }

  revokeUserTokens(userId: string): Promise<TokenSummary[]> {
    return this.db.query<TokenSummary>(
      `UPDATE api_tokens t SET revoked_at = now() WHERE t.user_id = $1 AND t.revoked_at IS NULL RETURNING ${TOKEN_COLUMNS}`,
      [userId],
    );
  }

  revokeTokensByPrefix(prefix: string): Promise<TokenSummary[]> {
    return this.db.query<TokenSummary>(
      `UPDATE api_tokens t SET revoked_at = now() WHERE t.prefix = $1 AND t.revoked_at IS NULL RETURNING ${TOKEN_COLUMNS}`,
      [prefix],
    );
  }
}
