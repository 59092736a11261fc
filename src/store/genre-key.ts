/**
 * A genre as creators are compared by it (the domain tier, SPEC §2): its letters and digits, in
 * lower case. Genres are free text written by whoever imports: "Hip-Hop", "hip hop" and "hiphop"
 * are one genre. Stored with each creator (`creators.genre_keys`, migration 0010).
 */
export const genreKey = (genre: string): string => genre.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '');

/** The distinct keys of some genres, empty ones left out. */
export const genreKeys = (genres: readonly string[]): string[] => [...new Set(genres.map(genreKey).filter((k) => k !== ''))];
