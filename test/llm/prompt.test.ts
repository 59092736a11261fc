import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeLlm, type FakeLlm, type FakeRequest } from '../../bench/fake-llm.js';
import type { DonePayload } from '../../src/contract/chat-events.js';
import type { Source } from '../../src/contract/chat-events.js';
import { jsonHeaders } from '../helpers/app.js';
import { parseSse } from '../helpers/sse.js';
import { makeLoggedApp, type LoggedTestApp } from './llm-app.js';

const KICK = 'how do I make my kick cut through the mix?';
const MIRA = {
  voice: 'dry, precise and teacherly; short sentences, exact numbers, a deadpan joke now and then',
  phrases: ['listen to the tail', 'the kick is the boss', 'check it in mono', 'less is more down there', 'earn every change'],
};

let fake: FakeLlm;
let t: LoggedTestApp;
let answers = 0;
beforeAll(async () => {
  fake = await startFakeLlm();
  t = await makeLoggedApp({ LLM_BASE_URL: fake.baseUrl, LLM_MODEL: 'primary-model', CHAT_HISTORY_TURNS: '2' });
});
afterAll(async () => {
  await t?.close();
  await fake?.close();
});
beforeEach(() => {
  // Each streamed answer is numbered; a rewrite call repeats the last question as it was asked.
  fake.reset((r) => (r.stream ? { text: `Answer number ${++answers} [1].` } : { text: /Last question: (.*)\n/.exec(r.messages[1]?.content ?? '')?.[1] ?? KICK }));
  fake.requests.length = 0;
});

async function chat(body: Record<string, unknown>) {
  const res = await t.app.inject({ method: 'POST', url: '/api/v1/chat', headers: jsonHeaders, payload: body });
  expect(res.statusCode).toBe(200);
  const { events } = parseSse(res.body);
  const prompt = fake.requests.filter((r) => r.stream).at(-1) as FakeRequest;
  return { sources: events[0]?.data as Source[], done: events.at(-1)?.data as DonePayload, prompt, system: prompt.messages[0]?.content ?? '' };
}

/** The instructions of a system prompt: everything before the sources. */
const instructionsOf = (system: string) => system.split(/\n\nSources/)[0] ?? '';
const mmss = (s: number) => `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;

describe('the prompt the model receives', () => {
  it('holds the numbered sources with creator, video and timestamps, matching the sources event', async () => {
    const { sources, system, prompt } = await chat({ query: KICK });
    expect(sources.length).toBeGreaterThan(0);
    expect(prompt.messages[0]?.role).toBe('system');
    for (const s of sources) {
      expect(system).toContain(`[${s.number}] ${s.creator.name}, "${s.video.title}" at ${mmss(s.start_seconds)}-${mmss(s.end_seconds)}`);
    }
    expect(prompt.messages.at(-1)).toEqual({ role: 'user', content: KICK });
  });

  it('holds the last CHAT_HISTORY_TURNS turns, oldest first, then the question', async () => {
    const questions = [KICK, 'and what about with reverb?', 'how long should the pre-delay be?', 'does that work on snares too?'];
    let conversationId: string | null = null;
    const answered: string[] = [];
    let last: Awaited<ReturnType<typeof chat>> | null = null;
    for (const query of questions) {
      last = await chat({ query, conversation_id: conversationId });
      conversationId = last.done.conversation_id;
      answered.push((await t.deps.conversations.getTurn(last.done.message_id))!.answer);
    }
    expect(last!.prompt.messages.slice(1)).toEqual([
      { role: 'user', content: questions[1] },
      { role: 'assistant', content: answered[1] },
      { role: 'user', content: questions[2] },
      { role: 'assistant', content: answered[2] },
      { role: 'user', content: questions[3] },
    ]);
  });

  it('at weight 0 holds no personality text: a neutral voice', async () => {
    const { system } = await chat({ query: KICK, creator: 'mira-vox', personality_weight: 0 });
    const instructions = instructionsOf(system);
    expect(instructions).toMatch(/neutral, encyclopedic/);
    expect(instructions).not.toContain(MIRA.voice);
    for (const p of MIRA.phrases) expect(instructions).not.toContain(p);
  });

  it("at weight 1 speaks in the creator's voice with their signature phrases", async () => {
    const { system } = await chat({ query: KICK, creator: 'mira-vox', personality_weight: 1 });
    const instructions = instructionsOf(system);
    expect(instructions).toContain(MIRA.voice);
    expect(instructions).toMatch(/as Mira Vox would/);
    for (const p of MIRA.phrases) expect(instructions).toContain(p);
  });

  it('in between blends the neutral voice with the creator’s', async () => {
    const { system } = await chat({ query: KICK, creator: 'mira-vox', personality_weight: 0.5 });
    const instructions = instructionsOf(system);
    expect(instructions).toContain(MIRA.voice);
    expect(instructions).toMatch(/blend a neutral explanatory voice with Mira Vox/);
    expect(instructions).toMatch(/at most one of their phrases/);
    expect(instructions).not.toMatch(/answer as Mira Vox would/);
  });

  it('puts the grounding instructions first, the same at every weight', async () => {
    const groundings = new Set<string>();
    for (const weight of [0, 0.2, 0.5, 0.8, 1]) {
      const { system } = await chat({ query: KICK, creator: 'mira-vox', personality_weight: weight });
      const voiceAt = system.indexOf('Voice');
      expect(voiceAt).toBeGreaterThan(0);
      const before = system.slice(0, voiceAt);
      expect(before).toMatch(/Answer only from the numbered sources/);
      expect(before).toMatch(/\[1\]/);
      expect(before).toMatch(/knowledge base has nothing/);
      groundings.add(before);
    }
    expect(groundings.size).toBe(1);
  });

  it('ignores the weight without a creator', async () => {
    const { system } = await chat({ query: KICK, personality_weight: 1 });
    expect(instructionsOf(system)).toMatch(/neutral, encyclopedic/);
  });

  it("tells whose videos the sources are: another tier's techniques are never credited to the creator asked", async () => {
    const own = await chat({ query: 'sidechain compression', creator: 'mira-vox', personality_weight: 1 });
    expect(own.done.cascade_tier).toBe('creator');
    expect(instructionsOf(own.system)).toContain("the sources are from Mira Vox's own videos");

    const peers = await chat({ query: 'how do I chop a string stab from a disco record?', creator: 'mira-vox', personality_weight: 1 });
    expect(peers.done.cascade_tier).toBe('domain');
    expect(peers.sources.every((s) => s.creator.slug !== 'mira-vox')).toBe(true);
    expect(instructionsOf(peers.system)).toMatch(/asked of Mira Vox, whose videos have nothing on it/);
    expect(instructionsOf(peers.system)).toMatch(/credit each technique to its own creator, never to Mira Vox/);

    const anyone = await chat({ query: 'how do I chop a string stab from a disco record?' });
    expect(instructionsOf(anyone.system)).not.toMatch(/asked of|credit each technique/);
  });

  it('says so when the knowledge base has nothing, listing no source', async () => {
    const { sources, system } = await chat({ query: 'qwxz zzyzx plorfmatic' });
    expect(sources).toEqual([]);
    expect(system).toMatch(/Sources: none/);
    expect(system).not.toMatch(/^\[1\]/m);
  });
});
