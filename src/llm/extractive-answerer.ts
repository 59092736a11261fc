import { setTimeout as sleep } from 'node:timers/promises';
import { timestamp, type AnswerOutcome, type AnswerRequest, type AnswerScope, type AnswerSource, type Answerer } from './answerer.js';

const TRY_AGAIN = 'Try naming the technique (for example "sidechain compression" or "reverb pre-delay"), or asking in other words.';

/**
 * The answer when no tier holds anything. The cascade has already searched the whole knowledge
 * base, so picking another creator would not help: it is not suggested.
 */
export function nothingFound(scope: AnswerScope): string {
  const where = scope.askedCreator ? `, in ${scope.askedCreator}'s videos or anyone else's` : '';
  return `The knowledge base has nothing on this yet${where}, so I can't give you a sourced answer. ${TRY_AGAIN}`;
}

/** The answer's first line: whose passages follow, so that a creator's name is never lent to another's technique. */
export function introduction(scope: AnswerScope): string {
  const who = scope.askedCreator;
  if (who && scope.tier === 'creator') return `Here is what ${who} says:`;
  if (who && scope.tier === 'domain') return `${who} has nothing on this, but creators who share their genres do:`;
  if (who && scope.tier === 'global') {
    return `Neither ${who} nor the creators who share their genres have anything on this; here is what the rest of the knowledge base says:`;
  }
  return 'Here is what the knowledge base says:';
}

const STOP = new Set(
  'a an and are as at be but by can do does for from get got have how i if in into is it its me my of on or so that the their them then there these this to too up use was we what when where which why will with you your'.split(
    ' ',
  ),
);

/** A crude stem, good enough to match "compressing" with "compression" in a sentence. */
const stem = (word: string) => word.replace(/(ing|ion|ions|ed|es|er|ers|s|ly)$/, '').slice(0, 7);

export function keyTerms(text: string): Set<string> {
  const words = text.toLowerCase().match(/[a-z0-9]+/g) ?? [];
  return new Set(words.filter((w) => w.length > 1 && !STOP.has(w)).map(stem));
}

function sentences(text: string): string[] {
  return text.match(/[^.!?]+[.!?]+["')\]]*|[^.!?]+$/g)?.map((s) => s.trim()).filter(Boolean) ?? [text];
}

const WORD = /[a-z0-9]+/g;

/**
 * How many of the question's terms a sentence holds: keyTerms(sentence) ∩ question, counted
 * without building the sentence's own set. A word's stem is a prefix of it, so a word no question
 * term begins is never stemmed: every chat scores every sentence of its sources (the snippets).
 */
function termHits(sentence: string, question: Set<string>, terms: readonly string[]): number {
  let hits = 0;
  let held: string[] | null = null;
  for (const word of sentence.toLowerCase().match(WORD) ?? []) {
    if (word.length < 2 || !terms.some((t) => word.startsWith(t)) || STOP.has(word)) continue;
    const t = stem(word);
    if (!question.has(t) || held?.includes(t)) continue;
    (held ??= []).push(t);
    hits += 1;
  }
  return hits;
}

/** The sentences of a passage that speak most to the question, kept in their order. */
export function bestSentences(source: AnswerSource, question: Set<string>, max: number): string {
  const all = sentences(source.text);
  const terms = [...question];
  const scored = all.map((s, i) => ({ i, s, hits: termHits(s, question, terms) }));
  const chosen = [...scored].sort((a, b) => b.hits - a.hits || a.i - b.i).slice(0, max);
  return chosen
    .sort((a, b) => a.i - b.i)
    .map((c) => c.s)
    .join(' ');
}


/** Composes the whole answer: a few of the top passages, each with its citation. */
export function composeExtractiveAnswer(question: string, sources: AnswerSource[], scope: AnswerScope, maxSources = 3): string {
  if (sources.length === 0) return nothingFound(scope);
  const terms = keyTerms(question);
  const parts = sources.slice(0, maxSources).map((s) => {
    const title = s.technique ?? s.videoTitle;
    return `**${title}** (${s.creatorName}, "${s.videoTitle}" at ${timestamp(s.startSeconds)}): ${bestSentences(s, terms, 2)} [${s.number}]`;
  });
  return `${introduction(scope)}\n\n${parts.join('\n\n')}`;
}

/** Splits text into small chunks of a few words, keeping every character. */
export function chunk(text: string, wordsPerChunk = 3): string[] {
  const pieces = text.match(/\S+\s*|\s+/g) ?? [];
  const out: string[] = [];
  for (let i = 0; i < pieces.length; i += wordsPerChunk) out.push(pieces.slice(i, i + wordsPerChunk).join(''));
  return out;
}

/** The built-in answerer used when no LLM is configured: quotes the sources, never invents. */
export class ExtractiveAnswerer implements Answerer {
  readonly kind = 'extractive' as const;
  constructor(private readonly chunkDelayMs = 0) {}

  async *answer(request: AnswerRequest): AsyncGenerator<string, AnswerOutcome, void> {
    const text = composeExtractiveAnswer(request.question, request.sources, request.scope);
    let first = true;
    for (const piece of chunk(text)) {
      if (request.signal.aborted) break;
      if (!first && this.chunkDelayMs > 0) await sleep(this.chunkDelayMs, undefined, { signal: request.signal }).catch(() => undefined);
      if (request.signal.aborted) break;
      first = false;
      yield piece;
    }
    return { model: 'extractive', fallbackUsed: false, finishReason: 'stop', usage: { prompt_tokens: 0, completion_tokens: 0 } };
  }
}
