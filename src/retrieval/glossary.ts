import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { Queryable } from '../store/db.js';
import { phraseKey, toUnits, unitKey, unitsToPhrase, type Phrase, type PositionedLexeme } from './phrase.js';

const term = z.string().trim().min(1).max(100);
export const glossaryFileSchema = z.object({
  same: z.array(z.array(term).min(2)).default([]),
  narrower: z.array(z.object({ from: z.array(term).min(1), to: z.array(term).min(1) })).default([]),
  ignore: z.array(term).default([]),
});
export type GlossaryFile = z.output<typeof glossaryFileSchema>;

// src/retrieval/ and dist/retrieval/ both sit two levels below the package root.
export const GLOSSARY_URL = new URL('../../src/retrieval/glossary.json', import.meta.url);

export async function readGlossary(url: URL = GLOSSARY_URL): Promise<GlossaryFile> {
  return glossaryFileSchema.parse(JSON.parse(await readFile(url, 'utf8')));
}

interface StemmedTerm {
  /** How a query spells it: one key per unit, a compound as itself. */
  key: string;
  /** The same with compounds split into their parts ("side chain" for "side-chain"). */
  flatKey: string;
  phrase: Phrase;
}

/**
 * The field's synonyms, stemmed by the database's own 'english' configuration so they compare
 * with query and passage lexemes exactly.
 */
export class Glossary {
  private constructor(
    private readonly expansions: ReadonlyMap<string, readonly Phrase[]>,
    /** The longest term, in units: how far ahead a query is matched. */
    readonly maxUnits: number,
    private readonly ignored: ReadonlySet<string> = new Set(),
    private readonly framingLexemes: ReadonlySet<string> = new Set(),
  ) {}

  static empty(): Glossary {
    return new Glossary(new Map(), 0);
  }

  /** `framing`: general English stop words (framing-words.ts), stemmed with the glossary's terms. */
  static async stem(db: Queryable, file: GlossaryFile, framing: readonly string[] = []): Promise<Glossary> {
    const texts = [...new Set([...file.same.flat(), ...file.narrower.flatMap((n) => [...n.from, ...n.to]), ...file.ignore, ...framing])];
    const rows = await db.query<{ i: number; lexeme: string; positions: number[] }>(
      `SELECT t.i::int AS i, u.lexeme, u.positions::int[] AS positions
       FROM unnest($1::text[]) WITH ORDINALITY AS t(term, i)
       CROSS JOIN LATERAL unnest(to_tsvector('english', t.term)) AS u`,
      [texts],
    );
    const lexemes = new Map<string, PositionedLexeme[]>();
    for (const r of rows) {
      const text = texts[r.i - 1]!;
      const list = lexemes.get(text) ?? [];
      list.push(...r.positions.map((position) => ({ lexeme: r.lexeme, position })));
      lexemes.set(text, list);
    }
    const stemmed = new Map<string, StemmedTerm>();
    let maxUnits = 0;
    for (const [text, list] of lexemes) {
      const units = toUnits(list);
      maxUnits = Math.max(maxUnits, units.length);
      const phrase = unitsToPhrase(units);
      stemmed.set(text, { key: unitKey(units), flatKey: phraseKey(phrase), phrase });
    }
    const expansions = new Map<string, Phrase[]>();
    const link = (from: string[], to: string[]) => {
      for (const f of from) {
        const source = stemmed.get(f);
        if (!source) continue; // a term made only of stop words
        for (const t of to) {
          const target = stemmed.get(t);
          if (!target || target.flatKey === source.flatKey) continue;
          for (const key of new Set([source.key, source.flatKey])) {
            const list = expansions.get(key) ?? [];
            if (!list.some((p) => phraseKey(p) === target.flatKey)) list.push(target.phrase);
            expansions.set(key, list);
          }
        }
      }
    };
    for (const group of file.same) link(group, group);
    for (const n of file.narrower) link(n.from, n.to);
    const ignored = new Set(file.ignore.flatMap((t) => (lexemes.get(t) ?? []).map((l) => l.lexeme)));
    const framingLexemes = new Set(framing.flatMap((t) => (lexemes.get(t) ?? []).map((l) => l.lexeme)));
    return new Glossary(expansions, maxUnits, ignored, framingLexemes);
  }

  /** Whether a lexeme is a general English stop word (it frames a question when no passage holds it). */
  frames(lexeme: string): boolean {
    return this.framingLexemes.has(lexeme);
  }

  /** Whether a lexeme only says how the question is asked, not what about. */
  ignores(lexeme: string): boolean {
    return this.ignored.has(lexeme);
  }

  /** The terms a query phrase (by unit key) may also be written as; empty when none. */
  expand(key: string): readonly Phrase[] {
    return this.expansions.get(key) ?? [];
  }

  has(key: string): boolean {
    return this.expansions.has(key);
  }
}
