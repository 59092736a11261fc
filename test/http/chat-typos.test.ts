import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DonePayload, Source } from '../../src/contract/chat-events.js';
import { jsonHeaders, makeTestApp, type TestApp } from '../helpers/app.js';
import { pgliteFactory } from '../helpers/databases.js';
import { parseSse } from '../helpers/sse.js';

// Issue 16: one wrong, missing, doubled or swapped letter in a word of 5+ letters finds the
// passages the word spelt right finds. In each question the misspelt word is the one that matters:
// without correction, each of them ends at tier none (no passage holds "wobbel", "woble", ...).
let t: TestApp;
beforeAll(async () => {
  // Many questions from one address: more than the default limit of 20 an hour.
  t = await makeTestApp(await pgliteFactory.open(), { RATE_LIMIT_IP_PER_HOUR: '1000' });
});
afterAll(async () => t.close());

async function ask(query: string, creator: string) {
  const res = await t.app.inject({ method: 'POST', url: '/api/v1/chat', headers: jsonHeaders, payload: JSON.stringify({ query, creator }) });
  expect(res.statusCode).toBe(200);
  const { events } = parseSse(res.body);
  const done = events.find((e) => e.event === 'done')?.data as DonePayload;
  const sources = (events.find((e) => e.event === 'sources')?.data ?? []) as Source[];
  return { tier: done.cascade_tier, first: sources[0]?.passage_id };
}

describe('POST /api/v1/chat with a misspelt word', () => {
  const right = 'how do I get the reese to wobble';
  it.each([
    ['a letter replaced', 'how do I get the reese to wobbke'],
    ['a letter missing', 'how do I get the reese to woble'],
    ['a letter doubled', 'how do I get the reese to wobbble'],
    ['two letters swapped', 'how do I get the reese to wobbel'],
    ['two letters swapped in the other word', 'how do I get the resee to wobble'],
  ])('%s: "%s" finds what the right spelling finds', async (_kind, misspelt) => {
    const expected = await ask(right, 'kaito-brooks');
    expect(expected).toEqual({ tier: 'creator', first: 'kaito-brooks:reese-bass-from-scratch#42' });
    expect(await ask(misspelt, 'kaito-brooks')).toEqual(expected);
  });

  it('corrects the word as typed, though the stemmer stems the typo differently ("saturaton" is not \'satur\')', async () => {
    const expected = await ask('how much saturation on the drum bus', 'juno-achebe');
    expect(await ask('how much saturaton on the drum bus', 'juno-achebe')).toEqual(expected);
    expect(expected.tier).toBe('creator');
  });

  it('leaves a common English word the knowledge base lacks alone: an off-topic question still ends at none', async () => {
    // "taxes" is one letter from "takes", which passages hold; it is a word, not a typo.
    expect(await ask('how do I file my taxes as a freelancer', 'mira-vox')).toEqual({ tier: 'none', first: undefined });
  });
});

describe('POST /api/v1/chat in chat register', () => {
  // Abbreviations and interjections ("lol", "af", "rn", "u", "r") say nothing of the topic: they
  // are left out like "please", not counted as words the knowledge base has never seen.
  it('a question padded with chat shorthand finds what the plain question finds', async () => {
    const plain = await ask('how do I get the reese to wobble', 'kaito-brooks');
    expect(await ask('yo how do u get the reese to wobble lol af rn tbh', 'kaito-brooks')).toEqual(plain);
  });

  it('shorthand does not make an off-topic question relevant', async () => {
    expect(await ask('yo how do i file my taxes lol idk', 'mira-vox')).toEqual({ tier: 'none', first: undefined });
  });
});

describe('POST /api/v1/chat with words the passages write otherwise', () => {
  // Each question ended at tier none before: the odd word counted as one the knowledge base has
  // never seen, of the highest weight.
  const plain = 'how do I get the reese to wobble';
  it.each([
    ['a hyphenated word no passage holds, read as its known part', 'how do I get the reese-ish bass to wobble'],
    ['a general English stop word no passage holds, left out', 'how do I get the reese to wobble, mine never does'],
  ])('%s: "%s" answers from the creator\'s passages', async (_kind, question) => {
    const expected = await ask(plain, 'kaito-brooks');
    const got = await ask(question, 'kaito-brooks');
    expect(got.tier).toBe('creator');
    expect(got.first).toBe(expected.first);
  });

  it('a hyphenated word whose parts no passage holds stays unknown: an off-topic question still ends at none', async () => {
    expect(await ask('how do I adjust the truss-rod on a bass guitar', 'kaito-brooks')).toEqual({ tier: 'none', first: undefined });
  });
});
