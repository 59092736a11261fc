import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDemoDocument } from '../../src/kb/demo-kb.js';
import { FullTextSearch } from '../../src/retrieval/full-text-search.js';
import type { Db, QueryOptions } from '../../src/store/db.js';
import { PgKbStore } from '../../src/store/pg/pg-kb-store.js';
import { dbFactories } from '../helpers/databases.js';

const questions = async (file: string) => (JSON.parse(await readFile(new URL(`../../eval/${file}`, import.meta.url), 'utf8')) as { query: string }[]).map((q) => q.query);

describe.each(dbFactories)('ranking several scopes of one question at once, $name', (factory) => {
  let db: Db;
  let creators: string[];
  let statements = 0;
  let search: FullTextSearch;
  beforeAll(async () => {
    db = await factory.open();
    await new PgKbStore(db).importDocument(await readDemoDocument());
    creators = [...(await new PgKbStore(db).creatorSlugs())].sort();
    const counting: Db = Object.assign(Object.create(db) as Db, {
      query: <T extends object>(sql: string, params: readonly unknown[] = [], options?: QueryOptions) => {
        statements++;
        return db.query<T>(sql, params, options);
      },
    });
    search = new FullTextSearch(counting);
  });
  afterAll(async () => db.close());

  it('gives each scope exactly the tier it gets alone, for every question of the eval sets and every creator', async () => {
    const all = [...(await questions('demo-questions.json')), ...(await questions('dev-questions.json')), ...(await questions('blind-questions.json'))];
    let compared = 0;
    for (const [i, q] of all.entries()) {
      const plan = await search.plan(q);
      const creator = creators[i % creators.length]!;
      const together = await plan.rankEach([{ creator }, {}], 6);
      expect(together).toEqual([await plan.rank({ creator }, 6), await plan.rank({}, 6)]);
      compared += together[1]!.hits.length > 0 ? 1 : 0;
    }
    expect(compared).toBeGreaterThan(all.length / 2);
  });

  it('ranks a creator and the whole knowledge base in one statement on a small knowledge base', async () => {
    const plan = await search.plan('how do I make a techno kick punchy');
    const before = statements;
    const [own, global] = await plan.rankEach([{ creator: 'mira-vox' }, {}], 6);
    expect(statements - before).toBe(1);
    expect(own!.hits.length).toBeGreaterThan(0);
    expect(own!.hits.every((h) => h.creator_slug === 'mira-vox')).toBe(true);
    expect(global!.hits.length).toBe(6);
  });
});
