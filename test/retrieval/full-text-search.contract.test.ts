import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDemoDocument } from '../../src/kb/demo-kb.js';
import { importDocument } from '../../src/kb/import-document.js';
import { FullTextSearch } from '../../src/retrieval/full-text-search.js';
import type { Db } from '../../src/store/db.js';
import { PgKbStore } from '../../src/store/pg/pg-kb-store.js';
import { dbFactories } from '../helpers/databases.js';
import { syntheticDocument, syntheticQuestions } from '../../bench/lib/synthetic-kb.js';

const offTopic: string[] = JSON.parse(await readFile(new URL('./off-topic-questions.json', import.meta.url), 'utf8'));
const ids = (hits: { passage_id: string }[]) => hits.map((h) => h.passage_id);

/** One creator, one video ("Mixing notes"), these passages: a knowledge base small enough to reason about. */
type SmallPassage = { id: string; start_seconds: number; end_seconds: number; text: string };
const importMixingNotes = (db: Db, passages: SmallPassage[]) =>
  importDocument(new PgKbStore(db), {
    creators: [{ slug: 'ana', name: 'Ana', genres: ['techno'] }],
    videos: [{ id: 'v1', creator: 'ana', title: 'Mixing notes', url: 'https://example.com/v1', passages }],
  });

describe.each(dbFactories)('full-text search on the demo knowledge base, $name', (factory) => {
  let db: Db;
  let search: FullTextSearch;
  beforeAll(async () => {
    db = await factory.open();
    await new PgKbStore(db).importDocument(await readDemoDocument());
    search = new FullTextSearch(db);
  });
  afterAll(async () => db.close());

  it('corrects a misspelt word to the knowledge base word it is one edit from', async () => {
    const hits = await search.search('euclidian rythms', {}, 3);
    expect(ids(hits)[0]).toBe('mira-vox:modular-percussion-without-modular#301');
    expect(await new FullTextSearch(db, { typoCredit: 0 }).search('euclidian rythms', {}, 3)).toEqual([]);
  });

  it('finds a passage through a glossary synonym of the question word', async () => {
    // "verb" is in no passage: the glossary reads it as reverb.
    const hits = await search.search('what verb settings for a snare', {}, 6);
    expect(ids(hits)).toContain('kaito-brooks:halftime-drums-140#400');
    expect(await new FullTextSearch(db, { glossary: null }).search('what verb settings for a snare', {}, 6)).toEqual([]);
  });

  it('matches a glossary phrase as a phrase: "low cut" finds the high-pass of a vocal chain', async () => {
    const hits = await search.search('how do I use a low cut on my vocal', { creator: 'rhea-lindqvist' }, 3);
    expect(ids(hits)[0]).toBe('rhea-lindqvist:pop-vocal-chain-step-by-step#205');
  });

  it('ranks a passage whose technique names the question above ones that only mention it', async () => {
    const hits = await search.search('ghost kick sidechain trigger', { creator: 'mira-vox' }, 3);
    expect(ids(hits)[0]).toBe('mira-vox:sidechain-compression-properly#275');
  });

  it('an unrelated question finds nothing: "how do I bake sourdough bread"', async () => {
    expect(await search.search('how do I bake sourdough bread', {}, 6)).toEqual([]);
    expect(await search.search('how do I bake sourdough bread', { creator: 'mira-vox' }, 6)).toEqual([]);
  });

  it('finds nothing for at least 90% of a set of everyday questions outside music production', async () => {
    const leaks: string[] = [];
    for (const q of offTopic) if ((await search.search(q, {}, 1)).length > 0) leaks.push(q);
    expect(leaks.length / offTopic.length).toBeLessThanOrEqual(0.1);
  });

  it("reads a contraction as its words: \"I'm\", \"they've\", \"don't\" rank as if written out", async () => {
    // Postgres' parser keeps 'm', 've', 're' as words, and transcripts hold them: they would count.
    const contracted = await search.search("I'm lost, they've all got a reese bass and I don't know how it's made", {}, 6);
    const written = await search.search('I am lost, they have all got a reese bass and I do not know how it is made', {}, 6);
    expect(contracted.length).toBeGreaterThan(0);
    expect(contracted).toEqual(written);
  });

  it('reads a dropped g as the word: "knockin" is "knocking", though the word list holds "knockin" too', async () => {
    const dropped = await search.search('how do i get my drums knockin', { creator: 'juno-achebe' }, 6);
    const written = await search.search('how do i get my drums knocking', { creator: 'juno-achebe' }, 6);
    expect(dropped.length).toBeGreaterThan(0);
    expect(ids(dropped)).toEqual(ids(written));
  });

  it('reads a number written against its unit as the two: "128bpm" is "128 bpm"', async () => {
    const joined = await search.search('what release time for sidechain ducking at 128bpm', { creator: 'mira-vox' }, 6);
    const apart = await search.search('what release time for sidechain ducking at 128 bpm', { creator: 'mira-vox' }, 6);
    expect(joined.length).toBeGreaterThan(0);
    expect(joined).toEqual(apart);
  });

  it('finds nothing for a question of stop words and question-framing words only', async () => {
    expect(await search.search('how do I', {}, 6)).toEqual([]);
    expect(await search.search('any tips please?', {}, 6)).toEqual([]);
  });
});

describe.each(dbFactories)('glossary expansion on a small knowledge base, $name', (factory) => {
  let db: Db;
  let search: FullTextSearch;
  beforeAll(async () => {
    db = await factory.open();
    await importMixingNotes(db, [
      { id: 'literal', start_seconds: 0, end_seconds: 40, text: 'Sidechain the bass from the kick so the low notes get out of the way.' },
      { id: 'synonym', start_seconds: 40, end_seconds: 80, text: 'Ducking the bass from the kick so the low notes get out of the way.' },
      { id: 'glue', start_seconds: 80, end_seconds: 120, text: 'A bus compressor on the mix at two to one makes the tracks move together.' },
    ]);
    search = new FullTextSearch(db);
  });
  afterAll(async () => db.close());

  it('a synonym counts for less than the word itself', async () => {
    const hits = await search.search('sidechain the bass from the kick', {}, 5);
    expect(ids(hits)).toEqual(['literal', 'synonym']);
    expect(hits[0]!.score).toBeGreaterThan(hits[1]!.score);
  });

  it('a synonym alone does not pull an unrelated passage above the relevance floor', async () => {
    // "glue" is a glossary synonym of "bus compressor": asked alone it finds the passage...
    expect(ids(await search.search('what is glue', {}, 5))).toEqual(['glue']);
    // ...but a question about woodwork is not about mix-bus compression.
    expect(await search.search('how do I glue two pieces of wood together', {}, 5)).toEqual([]);
    expect(await search.search('which glue sticks ceramic tiles to a bathroom wall', {}, 5)).toEqual([]);
  });
});

describe.each(dbFactories)('compounds on a small knowledge base, $name', (factory) => {
  let db: Db;
  let search: FullTextSearch;
  beforeAll(async () => {
    db = await factory.open();
    await importMixingNotes(db, [
      { id: 'split', start_seconds: 0, end_seconds: 40, text: 'Print the drum beat to audio before you chop it into slices.' },
      { id: 'joined', start_seconds: 40, end_seconds: 80, text: 'The soundstage opens up with a few short delays panned apart.' },
      { id: 'other', start_seconds: 80, end_seconds: 120, text: 'A bus compressor on the mix at two to one makes the tracks move together.' },
    ]);
    // No glossary: the knowledge base's own words decide.
    search = new FullTextSearch(db, { glossary: null });
  });
  afterAll(async () => db.close());

  it('finds a compound written as one word, two words or hyphenated, with no glossary entry for it', async () => {
    for (const q of ['how do I chop a drumbeat', 'how do I chop a drum beat', 'how do I chop a drum-beat']) {
      expect(ids(await search.search(q, {}, 5)), q).toEqual(['split']);
    }
    for (const q of ['how do I open up the sound stage', 'how do I open up the soundstage', 'how do I open up the sound-stage']) {
      expect(ids(await search.search(q, {}, 5)), q).toEqual(['joined']);
    }
  });

});

describe.each(dbFactories)('the technique pass of a large knowledge base changes nothing in the answer, $name', (factory) => {
  let db: Db;
  beforeAll(async () => {
    db = await factory.open();
    // Common words in many passages, as in the benchmark's knowledge base, so that the pass runs and prunes.
    await importDocument(new PgKbStore(db), syntheticDocument({ passages: 3000, seed: 11 }));
    await db.exec('ANALYZE');
  }, 120_000);
  afterAll(async () => db.close());

  it('finds the same passages in the same order as one pass over every candidate', async () => {
    const creators = (await new PgKbStore(db).listCreators()).map((c) => c.slug);
    const onePass = new FullTextSearch(db, { firstPassMinCandidates: Infinity });
    const twoPass = new FullTextSearch(db, { firstPassMinCandidates: 0 });
    let found = 0;
    for (const [i, q] of syntheticQuestions(100, 3).entries()) {
      const scope = i % 4 === 3 ? { creator: creators[i % creators.length]! } : {};
      const limit = [6, 1, 3][i % 3]!;
      const expected = await onePass.search(q, scope, limit);
      expect(await twoPass.search(q, scope, limit), q).toEqual(expected);
      found += expected.length;
    }
    expect(found).toBeGreaterThan(100);
  });
});
