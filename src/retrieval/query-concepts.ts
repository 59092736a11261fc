import type { Glossary } from './glossary.js';
import { corrections } from './typo-correction.js';
import type { WordRank } from './word-rank.js';
import { phraseQuery, toUnits, unitKey, unitsToPhrase, type Phrase, type Unit } from './phrase.js';

/** A lexeme of the question as the knowledge base knows it (ndoc 0: it appears in no passage). */
export interface QueryTerm {
  lexeme: string;
  positions: number[];
  ndoc: number;
  /** Known lexemes that look like it (pg_trgm), best first; only for unknown words. */
  candidates: { lexeme: string; ndoc: number; similarity: number }[];
  /** The question's word as typed (4+ letters) that the lexeme stems from, if any. */
  typed?: string | null;
  /** For an unknown word: the words one edit from it whose stem a passage holds. */
  fixes?: { word: string; lexeme: string; ndoc: number }[];
}

/**
 * Another spelling of one or two of the question's words as the knowledge base writes it: "side
 * chain" for "sidechain" (both parts known), "sidechain" for "side chain" or "side-chain".
 */
export interface Compound {
  lexemes: string[];
  /** Passages holding it (for two parts, the rarer part's). */
  ndoc: number;
}

/** One way a passage can hold a concept, and how much that counts (1 = the question's own word). */
export interface Alternative {
  phrase: Phrase;
  credit: number;
}

/** One idea of the question: a word or a glossary phrase, with its synonyms and its correction. */
export interface Concept {
  label: string;
  alternatives: Alternative[];
  /** Passages holding the question's own word(s), or its correction's: the concept's rarity weight comes from it. */
  ndoc: number;
  /**
   * Whether the knowledge base knows the concept (some passage holds it, or its correction). A
   * known concept a passage lacks is a paraphrase's usual gap; an unseen one says the question is
   * about something the knowledge base does not cover ("truss rod", "taxes").
   */
  known: boolean;
}

export interface ConceptOptions {
  /** What a glossary synonym counts for, against 1 for the word itself. */
  synonymCredit: number;
  /** What the correction of an unknown word counts for. */
  typoCredit: number;
}

export const DEFAULT_CONCEPT_OPTIONS: ConceptOptions = { synonymCredit: 0.8, typoCredit: 0.9 };

/**
 * Splits a question into concepts: glossary phrases first (longest match), then single words, an
 * an unknown word replaced by its likely correction (weighed as the corrected word). A concept
 * weighs what the question's own word weighs (its rarity): a synonym only decides how much of that
 * weight a passage earns, so expansion never makes a passage count for more than holding the word
 * itself would, and a word the knowledge base has never seen keeps the highest weight.
 */
export function buildConcepts(
  terms: readonly QueryTerm[],
  glossary: Glossary,
  options: ConceptOptions = DEFAULT_CONCEPT_OPTIONS,
  rank: WordRank = () => undefined,
  compounds: ReadonlyMap<string, readonly Compound[]> = new Map(),
): Concept[] {
  const byLexeme = new Map(terms.map((t) => [t.lexeme, t]));
  let units = toUnits(terms.flatMap((t) => t.positions.map((position) => ({ lexeme: t.lexeme, position })))).filter(
    (u) => u.parts.length > 0 || !glossary.ignores(u.lexeme),
  );
  const ndocOf = (u: Unit) => byLexeme.get(u.lexeme)?.ndoc ?? 0;
  units = splitUnknownCompounds(units, ndocOf, (key) => glossary.has(key) || compounds.has(key)).filter(
    // A stop word of general English no passage holds ("mine", "cannot", "thru") only frames the question.
    (u) => u.parts.length > 0 || ndocOf(u) > 0 || !glossary.frames(u.lexeme),
  );
  const ownLexemes = new Set(units.filter((u) => u.parts.length === 0 && ndocOf(u) > 0).map((u) => u.lexeme));
  const concepts: Concept[] = [];
  const seen = new Set<string>();
  const add = (concept: Concept) => {
    if (seen.has(concept.label)) return;
    seen.add(concept.label);
    concepts.push(concept);
  };

  for (let i = 0; i < units.length; ) {
    let matched = 0;
    for (let n = Math.min(Math.max(glossary.maxUnits, 2), units.length - i); n >= 1 && matched === 0; n--) {
      const span = units.slice(i, i + n);
      const key = unitKey(span);
      const spelt = compounds.get(key) ?? [];
      if (!glossary.has(key) && spelt.length === 0) continue;
      const own = unitsToPhrase(span);
      // The same word written as one, two or hyphenated ("sidechain", "side chain"): credit 1.
      const other = spelt.map((c) => ({ phrase: { lexemes: c.lexemes, distances: c.lexemes.slice(1).map(() => 1) }, credit: 1 }));
      const synonyms = [key, ...spelt.map((c) => c.lexemes.join(' '))].flatMap((k) => glossary.expand(k)).map((phrase) => ({ phrase, credit: options.synonymCredit }));
      const ownNdoc = Math.min(...span.map(ndocOf));
      const ndoc = ownNdoc > 0 ? ownNdoc : Math.max(0, ...spelt.map((c) => c.ndoc));
      add({ label: key, alternatives: [{ phrase: own, credit: 1 }, ...other, ...synonyms], ndoc, known: ndoc > 0 });
      matched = n;
    }
    if (matched > 0) {
      i += matched;
      continue;
    }
    const unit = units[i]!;
    const own: Alternative = { phrase: unitsToPhrase([unit]), credit: 1 };
    const term = byLexeme.get(unit.lexeme);
    const fixes = term && unit.parts.length === 0 ? corrections(term, rank) : [];
    const fix = fixes[0];
    // A misspelling of a word the question also spells right ("repeated … repaets") is that word
    // again, and a word counts once, as Postgres merges a word the question repeats.
    if (fix && ownLexemes.has(fix.lexeme)) {
      i += 1;
      continue;
    }
    if (fix) {
      // Weighed as the likeliest word meant: a corrected question finds its passages as if spelled right.
      const fixed: Alternative[] = fixes.map((f) => ({ phrase: { lexemes: [f.lexeme], distances: [] }, credit: options.typoCredit }));
      const synonyms = fixes.flatMap((f) => glossary.expand(f.lexeme).map((phrase) => ({ phrase, credit: options.typoCredit * options.synonymCredit })));
      add({ label: unit.lexeme, alternatives: [...fixed, ...synonyms], ndoc: fix.ndoc, known: true });
    } else {
      add({ label: unit.lexeme, alternatives: [own], ndoc: ndocOf(unit), known: ndocOf(unit) > 0 });
    }
    i += 1;
  }
  return concepts;
}

/**
 * A hyphenated word no passage holds as written ("vowel-ish", "behind-the-beat", "head-nod") is
 * read as its parts, the way a passage that writes them apart is indexed: otherwise it is one
 * unseen word of the highest weight and sends the question to `none`. Parts no passage holds are
 * left out when another part is known ("vowel-ish": 'vowel'), since the known part is what the
 * word is about; a compound of unknown parts only ("truss-rod") stays one unknown word. A compound
 * the glossary or the knowledge base's other spellings know is kept whole.
 */
export function splitUnknownCompounds(units: Unit[], ndocOf: (u: Unit) => number, knownKey: (key: string) => boolean): Unit[] {
  return units.flatMap((u) => {
    if (u.parts.length === 0 || ndocOf(u) > 0 || knownKey(u.lexeme)) return [u];
    const parts = u.parts.map((p) => ({ lexeme: p.lexeme, position: p.position, parts: [] }));
    // A part of one or two letters is a prefix or a letter ("re-arranged", "b-b-b-baby"), not a
    // word: transcripts hold 're' from "you're", 'b' from "side B".
    const known = parts.filter((p) => p.lexeme.length > 2 && ndocOf(p) > 0);
    return known.length > 0 ? known : [u];
  });
}

/**
 * Rarity weight, BM25's idf as Lucene computes it: ln(1 + (N - n + 0.5) / (n + 0.5)). A word in
 * no passage weighs the most; a word in many weighs next to nothing, so a passage cannot clear the
 * relevance floor on the question's common words alone.
 */
export const idf = (ndoc: number, total: number): number => {
  const n = Math.min(ndoc, total);
  return Math.log(1 + (Math.max(total, 1) - n + 0.5) / (n + 0.5));
};

/** The arrays the search statement takes: one row per alternative, one weight per concept. */
export function toSearchParams(concepts: readonly Concept[], total: number, minCoverage = 0) {
  const alternatives = concepts.flatMap((c, i) =>
    c.alternatives.map((a) => ({
      concept: i + 1,
      credit: a.credit,
      query: phraseQuery(a.phrase),
      inTechnique: phraseQuery(a.phrase, 'A'),
      inTitle: phraseQuery(a.phrase, 'B'),
    })),
  );
  const weights = concepts.map((c) => idf(c.ndoc, total));
  const alternativesByConcept = concepts.map((c) => c.alternatives.map((a) => phraseQuery(a.phrase)));
  const anyOf = (queries: string[]) => [...new Set(queries)].map((q) => `(${q})`).join(' | ');
  return {
    queries: alternatives.map((a) => a.query),
    inTechnique: alternatives.map((a) => a.inTechnique),
    inTitle: alternatives.map((a) => a.inTitle),
    conceptOf: alternatives.map((a) => a.concept),
    credits: alternatives.map((a) => a.credit),
    weights,
    any: anyOf(alternatives.map((a) => a.query)),
    alternativesByConcept,
    reachable: reachableQuery(alternativesByConcept, weights, minCoverage),
  };
}

/**
 * About how many passages can reach the floor, taking the concepts' words to occur independently
 * (by their document frequencies): enough to decide whether a first pass is worth a round trip.
 */
export function likelyCandidates(weights: readonly number[], concepts: readonly Concept[], total: number, minCoverage: number): number {
  const sum = weights.reduce((a, b) => a + b, 0);
  const covers = minimalCovers(weights, minCoverage * sum, MAX_COVERS);
  if (covers === null) return total;
  const share = (i: number) => Math.min(1, Math.max(concepts[i]!.ndoc, 1) / Math.max(total, 1));
  return Math.min(total, total * covers.reduce((acc, cover) => acc + cover.reduce((p, i) => p * share(i), 1), 0));
}

/** Beyond this many smallest qualifying sets of concepts, the looser query below is used. */
const MAX_COVERS = 24;

/**
 * The passages that can reach `minCoverage`, as a tsquery: the ones holding the question's words
 * can be found by the index, but scoring every passage that holds any of them costs time in
 * proportion to how common the commonest word is (BENCHMARKS.md, "Retrieval"). Coverage is at most
 * the weighted share of concepts held (credits are at most 1), so a passage reaches the floor only
 * if it holds every concept of one of the smallest sets of concepts that weigh enough together:
 * the query is those sets OR-ed, each an AND of its concepts (any alternative of each). Two common
 * words must then appear together, which few passages do, where either of them alone is in many.
 * When there are too many such sets (long questions of even weights), the looser query of
 * `loosestReachableQuery` is used. Tested against scoring every candidate
 * (test/retrieval/reachable-query.test.ts).
 */
export function reachableQuery(alternatives: readonly string[][], weights: readonly number[], minCoverage: number): string {
  const anyOf = (queries: readonly string[]) => `(${[...new Set(queries)].map((q) => `(${q})`).join(' | ')})`;
  const total = weights.reduce((a, b) => a + b, 0);
  if (!(total > 0) || minCoverage <= 0) return anyOf(alternatives.flat());
  const covers = minimalCovers(weights, minCoverage * total - total * 1e-9, MAX_COVERS);
  if (covers === null) return loosestReachableQuery(alternatives, weights, minCoverage);
  return covers.map((cover) => `(${cover.map((i) => anyOf(alternatives[i]!)).join(' & ')})`).join(' | ');
}

/**
 * The smallest sets of indexes whose weights reach `threshold` (no member can be dropped), or null
 * past `max` sets. Heaviest first, each set's members in that order.
 */
export function minimalCovers(weights: readonly number[], threshold: number, max: number): number[][] | null {
  const order = weights.map((w, i) => ({ w, i })).sort((a, b) => b.w - a.w || a.i - b.i);
  const after = order.map((_, k) => order.slice(k).reduce((sum, o) => sum + o.w, 0));
  const covers: number[][] = [];
  const chosen: number[] = [];
  // Going heaviest first, the last member taken is the lightest: the set is minimal when dropping it falls short.
  const walk = (k: number, sum: number): boolean => {
    if (sum >= threshold) {
      if (sum - weights[chosen.at(-1)!]! < threshold) covers.push([...chosen]);
      return covers.length <= max;
    }
    if (k === order.length || sum + after[k]! < threshold) return true;
    chosen.push(order[k]!.i);
    const more = walk(k + 1, sum + order[k]!.w);
    chosen.pop();
    return more && walk(k + 1, sum);
  };
  return walk(0, 0) ? covers : null;
}

/**
 * A looser form of the same bound, of linear size: a passage must hold (a) every concept weighing
 * more than (1 - floor) of the question, and (b) at least one of the heaviest concepts, taken
 * heaviest first until those left weigh less than the floor together.
 */
export function loosestReachableQuery(alternatives: readonly string[][], weights: readonly number[], minCoverage: number): string {
  const anyOf = (queries: readonly string[]) => `(${[...new Set(queries)].map((q) => `(${q})`).join(' | ')})`;
  const total = weights.reduce((a, b) => a + b, 0);
  // A hair of slack on each bound keeps float rounding from ever dropping a passage that qualifies.
  const slack = total * 1e-9;
  if (!(total > 0) || minCoverage <= 0) return anyOf(alternatives.flat());
  const lightestFirst = weights.map((w, i) => ({ w, i })).sort((a, b) => a.w - b.w || b.i - a.i);
  const oneOf: string[] = [];
  let lighter = 0;
  for (const { w, i } of lightestFirst) {
    lighter += w;
    // The concepts lighter than this one, with it, still reach the floor: one of them must be held.
    if (lighter >= minCoverage * total - slack) oneOf.push(...alternatives[i]!);
  }
  const required = weights.flatMap((w, i) => (w > (1 - minCoverage) * total + slack ? [anyOf(alternatives[i]!)] : []));
  return [anyOf(oneOf), ...required].join(' & ');
}
