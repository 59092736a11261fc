/** A genre as it is compared: its letters and digits, lower case ("Hip-Hop", "hip hop", "hiphop"). */
const genreKey = (expr: string) => `regexp_replace(lower(${expr}), '[^[:alnum:]]+', '', 'g')`;

/**
 * SQL for the slugs of the creators who share a genre with the text[] parameter `param` (the
 * domain tier, SPEC §2). Genres are free text written by whoever imports, so they are compared by
 * genreKey: a creator tagged "hip hop" and one tagged "hip-hop" are peers. The creators table is
 * small: this reads it whole, once per search.
 */
export const genrePeersSql = (param: string) =>
  `SELECT c.slug FROM creators c WHERE EXISTS (
      SELECT 1 FROM unnest(c.genres) g, unnest(${param}::text[]) q WHERE ${genreKey('g')} = ${genreKey('q')})`;
