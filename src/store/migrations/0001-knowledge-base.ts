export const name = '0001-knowledge-base';

// Passages carry a denormalised creator_slug so a tier's scope is one indexed filter, and a stored
// tsvector (technique weighted A, video title B, text C) built by the import statement itself.
export const sql = `
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE creators (
  slug        text PRIMARY KEY,
  name        text NOT NULL,
  bio         text,
  genres      text[] NOT NULL DEFAULT '{}',
  personality jsonb,
  content_hash text NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX creators_genres_idx ON creators USING gin (genres);

CREATE TABLE videos (
  id               text PRIMARY KEY,
  creator_slug     text NOT NULL REFERENCES creators (slug) ON DELETE CASCADE,
  title            text NOT NULL,
  url              text NOT NULL,
  published_at     date,
  duration_seconds integer,
  content_hash     text NOT NULL,
  updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX videos_creator_idx ON videos (creator_slug);

CREATE TABLE passages (
  id            text PRIMARY KEY,
  video_id      text NOT NULL REFERENCES videos (id) ON DELETE CASCADE,
  creator_slug  text NOT NULL,
  start_seconds integer NOT NULL,
  end_seconds   integer NOT NULL,
  technique     text,
  text          text NOT NULL,
  tsv           tsvector NOT NULL,
  content_hash  text NOT NULL,
  updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX passages_tsv_idx ON passages USING gin (tsv);
CREATE INDEX passages_video_idx ON passages (video_id);
CREATE INDEX passages_creator_idx ON passages (creator_slug);

-- Document frequency of each lexeme, refreshed after an import: it weights query terms by rarity.
CREATE TABLE kb_terms (
  lexeme text PRIMARY KEY,
  ndoc   integer NOT NULL
);
CREATE TABLE kb_stats (
  key   text PRIMARY KEY,
  value bigint NOT NULL
);
`;
