export const name = '0002-conversations';

// A turn is one question and its answer. It is inserted before the answer streams (finish_reason
// 'streaming') and completed afterwards, so a failure mid-stream still leaves the question stored.
export const sql = `
CREATE TABLE users (
  id         text PRIMARY KEY,
  name       text NOT NULL,
  role       text NOT NULL DEFAULT 'user' CHECK (role IN ('user', 'admin')),
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE conversations (
  id           uuid PRIMARY KEY,
  user_id      text REFERENCES users (id) ON DELETE CASCADE,
  creator_slug text,
  title        text NOT NULL DEFAULT '',
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX conversations_user_idx ON conversations (user_id, updated_at DESC, id);

CREATE TABLE turns (
  id                 uuid PRIMARY KEY,
  conversation_id    uuid NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
  seq                bigint GENERATED ALWAYS AS IDENTITY,
  query              text NOT NULL,
  search_query       text NOT NULL,
  creator_slug       text,
  personality_weight real NOT NULL DEFAULT 0,
  answer             text NOT NULL DEFAULT '',
  sources            jsonb NOT NULL DEFAULT '[]',
  cascade_tier       text NOT NULL,
  model              text,
  fallback_used      boolean NOT NULL DEFAULT false,
  finish_reason      text NOT NULL DEFAULT 'streaming',
  usage              jsonb,
  latency_ms         jsonb,
  citations          jsonb NOT NULL DEFAULT '[]',
  invalid_citations  jsonb NOT NULL DEFAULT '[]',
  created_at         timestamptz NOT NULL DEFAULT now(),
  completed_at       timestamptz
);
CREATE INDEX turns_conversation_idx ON turns (conversation_id, seq);
`;
