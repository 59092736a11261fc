export type Role = 'user' | 'admin';
export const ROLES: readonly Role[] = ['user', 'admin'];

export interface User {
  id: string;
  name: string;
  role: Role;
  created_at: string;
}

/** What may be shown of an API token: never the token, never its hash. */
export interface TokenSummary {
  id: string;
  user_id: string;
  prefix: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface UserWithTokens extends User {
  tokens: TokenSummary[];
}

/**
 * Users and their API tokens. Tokens arrive here already hashed: the store never sees a secret,
 * so it cannot leak one.
 */
export interface UserStore {
  /** Creates the user; null when the id is taken. */
  createUser(user: { id: string; name: string; role: Role }): Promise<User | null>;
  getUser(id: string): Promise<User | null>;
  /** The user with this id, created with role `user` when first seen (a JWT's subject). */
  ensureUser(id: string, name: string): Promise<User>;
  /** The updated user, or null when there is none with this id. */
  setRole(id: string, role: Role): Promise<User | null>;
  /** Every user with every token (revoked ones included), oldest first. */
  listUsers(): Promise<UserWithTokens[]>;
  addToken(userId: string, tokenHash: string, prefix: string): Promise<TokenSummary>;
  /** The owner of the live (unrevoked) token with this hash, and notes its use; null otherwise. */
  findUserByTokenHash(tokenHash: string): Promise<User | null>;
  /** Revokes every live token of the user; returns the tokens revoked. */
  revokeUserTokens(userId: string): Promise<TokenSummary[]>;
  /** Revokes every live token with this prefix; returns the tokens revoked. */
  revokeTokensByPrefix(prefix: string): Promise<TokenSummary[]>;
}
