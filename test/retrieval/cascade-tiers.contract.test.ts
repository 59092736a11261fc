import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCascade, type CascadeCreator } from '../../src/chat/cascade.js';
import { readDemoDocument } from '../../src/kb/demo-kb.js';
import { FullTextSearch } from '../../src/retrieval/full-text-search.js';
import type { Db } from '../../src/store/db.js';
import { PgKbStore } from '../../src/store/pg/pg-kb-store.js';
import { dbFactories } from '../helpers/databases.js';

// SPEC §2 on the demo knowledge base, with the full-text search the chat uses.
describe.each(dbFactories)('the retrieval cascade over full-text search, $name', (factory) => {
  let db: Db;
  let kb: PgKbStore;
  let search: FullTextSearch;
  const creator = async (slug: string): Promise<CascadeCreator> => {
    const c = await kb.getCreator(slug);
    return { slug, genres: c!.genres };
  };
  beforeAll(async () => {
    db = await factory.open();
    kb = new PgKbStore(db);
    await kb.importDocument(await readDemoDocument());
    search = new FullTextSearch(db);
  });
  afterAll(async () => db.close());

  it("answers from the requested creator's passages when they hold the answer (tier creator)", async () => {
    const { tier, hits } = await runCascade(search, 'how do I set the sidechain release at 128 bpm', await creator('mira-vox'), 6);
    expect(tier).toBe('creator');
    expect(hits.every((h) => h.creator_slug === 'mira-vox')).toBe(true);
    expect(hits[0]?.passage_id).toBe('mira-vox:sidechain-compression-properly#182');
  });

  it('widens to creators sharing a genre when the creator has nothing (tier domain)', async () => {
    // Mira (techno, house) teaches no disco sampling; Dex (house, disco) does.
    const { tier, hits } = await runCascade(search, 'how do I chop string stabs off an old disco record', await creator('mira-vox'), 6);
    expect(tier).toBe('domain');
    expect(hits[0]?.creator_slug).toBe('dex-halloway');
  });

  it('goes to the whole knowledge base when no creator sharing a genre has it (tier global)', async () => {
    // Bram (orchestral, film-score) shares no genre with anyone.
    const { tier, hits } = await runCascade(search, 'how many cents should I detune the saws of a reese bass', await creator('bram-okafor'), 6);
    expect(tier).toBe('global');
    expect(hits[0]?.passage_id).toBe('kaito-brooks:reese-bass-from-scratch#42');
  });

  it('answers tier global without a creator, and none for an unrelated question', async () => {
    expect((await runCascade(search, 'what is a correlation meter', null, 6)).tier).toBe('global');
    expect(await runCascade(search, 'how do I bake sourdough bread', null, 6)).toEqual({ tier: 'none', hits: [] });
    expect(await runCascade(search, 'how do I bake sourdough bread', await creator('juno-achebe'), 6)).toEqual({ tier: 'none', hits: [] });
  });

  it('reads the question once however many tiers it widens to: the same hits as searching each scope afresh', async () => {
    let statements = 0;
    const counted: Db = { ...db, kind: db.kind, keepsShapes: db.keepsShapes, query: (sql, params) => ((statements += 1), db.query(sql, params)) } as Db;
    const question = 'how many cents should I detune the saws of a reese bass';
    const counting = new FullTextSearch(counted);
    await counting.search('glossary loaded', {}, 1);
    statements = 0;
    const result = await runCascade(counting, question, await creator('bram-okafor'), 6);
    expect(result.tier).toBe('global');
    expect(result.hits).toEqual(await search.search(question, {}, 6));
    // One statement reads the question's terms, then one ranks the creator's tier and the global
    // one together (a creator's tier answers only when it holds about what the best anywhere
    // holds; on a small knowledge base both are scored in one statement), then one the domain, as
    // Bram has genres though no one shares them. Before, each tier read the terms again.
    expect(statements).toBe(3);
  });

  // Last: it adds a creator to the knowledge base the tests above read.
  it('compares genres as people write them: "Film Score" is a peer of "film-score"', async () => {
    await kb.importDocument({
      creators: [{ slug: 'tam-reyes', name: 'Tam Reyes', genres: ['Film Score'] }],
      videos: [
        {
          id: 'tam:theremin',
          creator: 'tam-reyes',
          title: 'Theremin for sci-fi cues',
          url: 'https://videos.example/tam/theremin',
          passages: [
            {
              start_seconds: 30,
              end_seconds: 90,
              technique: 'Theremin glissando tuning',
              text: 'For a sci-fi cue, tune the theremin glissando against a drone: mark the pitch antenna distances with tape so every glissando lands on the drone.',
            },
          ],
        },
      ],
    });
    const { tier, hits } = await runCascade(search, 'how do I tune a theremin glissando for a sci-fi cue', await creator('bram-okafor'), 6);
    expect(tier).toBe('domain');
    expect(hits[0]?.creator_slug).toBe('tam-reyes');
  });
});
