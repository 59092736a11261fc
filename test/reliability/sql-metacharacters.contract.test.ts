import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDocument } from '../../src/kb/import-document.js';
import { FullTextSearch } from '../../src/retrieval/full-text-search.js';
import type { Db } from '../../src/store/db.js';
import { PgKbStore } from '../../src/store/pg/pg-kb-store.js';
import { dbFactories } from '../helpers/databases.js';

// Under 60 characters: it also goes in a genre, whose limit is 60.
const evil = `O'Brien"; DROP TABLE x; -- \\ $1 $$ %_ '1'='1 :* & | ! <-> (`;

describe.each(dbFactories)('SQL metacharacters in every string field, on $name', (factory) => {
  let db: Db;
  beforeAll(async () => {
    db = await factory.open();
  });
  afterAll(async () => db.close());

  it('are stored and read back exactly, and searched as words', async () => {
    const kb = new PgKbStore(db);
    await importDocument(kb, {
      creators: [{ slug: 'evil-one', name: evil, bio: evil, genres: [evil], personality: { voice: evil, phrases: [evil] } }],
      videos: [
        {
          id: `v-${evil}`,
          creator: 'evil-one',
          title: evil,
          url: 'https://example.com/watch?v=1&x=%27',
          passages: [{ id: `p-${evil}`, start_seconds: 1, end_seconds: 40, technique: evil, text: `${evil} granular shimmer` }],
        },
      ],
    });
    const c = await kb.getCreator('evil-one');
    expect(c).toMatchObject({ name: evil, bio: evil, genres: [evil.toLowerCase()], personality: { voice: evil, phrases: [evil] } });
    expect(c?.videos[0]).toMatchObject({ id: `v-${evil}`, title: evil });
    const hits = await new FullTextSearch(db).search(`${evil} granular shimmer`, {}, 5);
    expect(hits[0]).toMatchObject({ passage_id: `p-${evil}`, technique: evil, video_title: evil });
    expect((await kb.counts()).passages).toBe(1);
  });
});
