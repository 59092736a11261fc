import type { CascadeTier } from '../contract/chat-events.js';
import { timestamp, type AnswerSource, type PromptMessage } from '../llm/answerer.js';
import type { Personality } from '../store/kb-store.js';

export interface PromptCreator {
  name: string;
  personality: Personality | null;
}

export interface PromptInput {
  question: string;
  sources: AnswerSource[];
  history: { query: string; answer: string }[];
  creator: PromptCreator | null;
  personalityWeight: number;
  /** The cascade tier the sources come from. */
  tier: CascadeTier;
}

// Grounding comes first at every weight: the voice is a style, never a licence to invent.
export const GROUNDING = [
  'You are Chrysopedia, an assistant that answers questions about music production from a knowledge base of creators\' teaching videos.',
  'Answer only from the numbered sources below. Cite the source of every claim with its number in square brackets, like [1] or [2][3]; never cite a number that is not listed.',
  'If the sources do not answer the question, say plainly that the knowledge base has nothing on it. You may then add general advice only under the label "General advice (not from the knowledge base):", without citations.',
  'Be concrete: keep the settings, numbers and steps the sources give. Use short paragraphs or a list.',
].join('\n');


/** The voice instruction for a personality weight: 0 neutral, 1 fully the creator's. */
export function voiceInstruction(creator: PromptCreator | null, weight: number): string {
  const p = creator?.personality;
  if (!creator || !p || weight <= 0 || (!p.voice && !p.phrases?.length)) {
    return 'Voice: a neutral, encyclopedic voice.';
  }
  const voice = p.voice ? ` (${p.voice})` : '';
  const phrases = p.phrases?.length ? p.phrases.map((x) => `"${x}"`).join(', ') : '';
  const pct = Math.round(weight * 100);
  if (weight < 0.35) {
    return `Voice (${pct}% ${creator.name}): mostly neutral and encyclopedic, with a light touch of ${creator.name}'s manner${voice}.`;
  }
  if (weight < 0.75) {
    return (
      `Voice (${pct}% ${creator.name}): blend a neutral explanatory voice with ${creator.name}'s own${voice}.` +
      (phrases ? ` Use at most one of their phrases where it fits: ${phrases}.` : '')
    );
  }
  return (
    `Voice (${pct}% ${creator.name}): answer as ${creator.name} would, in their own voice${voice}, first person.` +
    (phrases ? ` Use their signature phrases where they fit naturally: ${phrases}.` : '')
  );
}

/**
 * Whose videos the sources are, when the question was asked of a creator (SPEC §2): a wider tier's
 * passages are other creators' techniques, and the voice must not claim them as the asked creator's.
 */
export function scopeInstruction(tier: CascadeTier, creator: PromptCreator | null): string | null {
  if (!creator) return null;
  const name = creator.name;
  const credit = `say so first, and credit each technique to its own creator, never to ${name}.`;
  switch (tier) {
    case 'creator':
      return `The question was asked of ${name}: the sources are from ${name}'s own videos.`;
    case 'domain':
      return `The question was asked of ${name}, whose videos have nothing on it. The sources are from other creators who share ${name}'s genres: ${credit}`;
    case 'global':
      return (
        `The question was asked of ${name}, but neither ${name}'s videos nor those of creators who share their genres have anything on it. ` +
        `The sources are from elsewhere in the knowledge base: ${credit}`
      );
    case 'none':
      return `The question was asked of ${name}; neither ${name}'s videos nor the rest of the knowledge base have anything on it.`;
  }
}

export function sourcesBlock(sources: AnswerSource[]): string {
  if (sources.length === 0) return 'Sources: none. The knowledge base has nothing on this question.';
  return [
    // Earlier answers in the history cite earlier source lists; only this list counts now.
    'Sources (the only ones you may cite now; numbers in earlier answers referred to earlier sources):',
    ...sources.map(
      (s) =>
        `[${s.number}] ${s.creatorName}, "${s.videoTitle}" at ${timestamp(s.startSeconds)}-${timestamp(s.endSeconds)}` +
        (s.technique ? ` (${s.technique})` : '') +
        `\n${s.text}`,
    ),
  ].join('\n\n');
}

/** SPEC §6: instructions, voice, whose sources, numbered sources, recent history, then the question. */
export function buildPrompt(input: PromptInput): PromptMessage[] {
  const scope = scopeInstruction(input.tier, input.creator);
  const system = [GROUNDING, voiceInstruction(input.creator, input.personalityWeight), ...(scope ? [scope] : []), sourcesBlock(input.sources)].join('\n\n');
  const history = input.history.flatMap((t): PromptMessage[] => [
    { role: 'user', content: t.query },
    // Some APIs refuse an empty assistant message; a failed turn still shows it was asked.
    { role: 'assistant', content: t.answer.trim() || '(no answer was given)' },
  ]);
  return [{ role: 'system', content: system }, ...history, { role: 'user', content: input.question }];
}
