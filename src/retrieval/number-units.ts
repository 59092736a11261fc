/**
 * A number written against its unit ("130bpm", "48khz", "10ms", "-6db") split in two, as passages
 * mostly write it ("130 bpm"): Postgres reads "130bpm" as one word no passage holds, which weighs
 * the most and counts in full against the question. Plurals, ordinals and one-letter marks
 * ("90s", "808s", "1st", a "5A" drumstick, "4k") stay as written.
 */
const NUMBER_UNIT = /\b(\d+(?:\.\d+)?)(?!(?:s|st|nd|rd|th)\b)([a-z]{2,})\b/giu;

export function unitsApart(question: string): string {
  return question.replace(NUMBER_UNIT, '$1 $2');
}
