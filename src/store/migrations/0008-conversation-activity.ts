export const name = '0008-conversation-activity';

// A user's conversations are listed most recent activity first. `updated_at` could not say which
// came first: PGlite's clock ticks in milliseconds, so two conversations touched in the same
// millisecond tied, and the tie went by id, at random. A sequence numbers each activity instead
// (a conversation opened, a turn started); existing rows are numbered in their old order.
export const sql = `
CREATE SEQUENCE conversations_activity_seq;
ALTER TABLE conversations ADD COLUMN activity bigint;
UPDATE conversations c SET activity = o.n
  FROM (SELECT id, row_number() OVER (ORDER BY updated_at, id) AS n FROM conversations) o
  WHERE c.id = o.id;
SELECT setval('conversations_activity_seq', coalesce((SELECT max(activity) FROM conversations), 0) + 1, false);
ALTER TABLE conversations
  ALTER COLUMN activity SET DEFAULT nextval('conversations_activity_seq'),
  ALTER COLUMN activity SET NOT NULL;
ALTER SEQUENCE conversations_activity_seq OWNED BY conversations.activity;
DROP INDEX conversations_user_idx;
CREATE INDEX conversations_user_activity_idx ON conversations (user_id, activity DESC);
`;
