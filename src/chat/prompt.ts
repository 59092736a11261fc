import type { AnswerSource, PromptMessage } from '../llm/answerer.js';
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
}

// Grounding comes first at every weight: the voice is a style, never a licence to invent.
export const GROUNDING = [
  'You are Chrysopedia, an assistant that answers questions about music production from a knowledge base of creators\' teaching videos.',
  'Answer only from the numbered sources below. Cite the source of every claim with its number in square brackets, like [1] or [2][3]; never cite a number that is not listed.',
  'If the sources do not answer the question, say plainly that the knowledge base has nothing on it. You may then add general advice only under the label "General advice (not from the knowledge base):", without citations.',
  'Be concrete: keep the settings, numbers and steps the sources give. Use short paragraphs or a list.',
].join('\n');

const pad = (n: number) => String(n).padStart(2, '0');
/** 83 → "1:23", 3725 → "1:02:05": how a video player shows a moment. */
export const timestamp = (seconds: number) => {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}:${pad(m)}:${pad(s % 60)}` : `${m}:${pad(s % 60)}`;
};

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

/** SPEC §6: instructions, voice, numbered sources, recent history, then the question. */
export function buildPrompt(input: PromptInput): PromptMessage[] {
  const system = [GROUNDING, voiceInstruction(input.creator, input.personalityWeight), sourcesBlock(input.sources)].join('\n\n');
  const history = input.history.flatMap((t): PromptMessage[] => [
    { role: 'user', content: t.query },
    // Some APIs refuse an empty assistant message; a failed turn still shows it was asked.
    { role: 'assistant', content: t.answer.trim() || '(no answer was given)' },
  ]);
  return [{ role: 'system', content: system }, ...history, { role: 'user', content: input.question }];
}
