export const name = '0003-api-tokens';

// Only the SHA-256 of a token is kept: a stolen database yields no usable credential. The prefix is
// the token's first characters, kept so an operator can tell tokens apart and revoke one by it.
export const sql = `
CREATE TABLE api_tokens (
  id           uuid PRIMARY KEY,
  user_id      text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  token_hash   text NOT NULL UNIQUE CHECK (token_hash ~ '^[0-9a-f]{64}$'),
  prefix       text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at   timestamptz
);
CREATE INDEX api_tokens_user_idx ON api_tokens (user_id);
CREATE INDEX api_tokens_prefix_idx ON api_tokens (prefix);
`;
