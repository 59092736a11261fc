export const name = '0010-creator-genre-keys';

// The domain tier compares genres by their letters and digits in lower case (store/genre-key.ts),
// kept beside the genres as written so that the search statement stays one plain array overlap
// (normalizing in the statement made PostgreSQL plan every search afresh). Existing rows are filled
// here by the same rule for ASCII; an import writes them from genreKey.
export const sql = `
ALTER TABLE creators ADD COLUMN genre_keys text[] NOT NULL DEFAULT '{}';
UPDATE creators SET genre_keys = ARRAY(
  SELECT DISTINCT k FROM (SELECT regexp_replace(lower(g), '[^[:alnum:]]+', '', 'g') AS k FROM unnest(genres) g) s WHERE k <> ''
);
`;
