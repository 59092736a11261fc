import type { PassageHit } from '../retrieval/passage-search.js';
import { bestSentences, keyTerms } from '../llm/extractive-answerer.js';
import type { AnswerSource } from '../llm/answerer.js';
import type { Source } from '../contract/chat-events.js';
import { timestampUrl } from './timestamp-url.js';


const SNIPPET_CHARS = 280;

function snippet(hit: PassageHit, questionTerms: Set<string>): string {
  const best = bestSentences(
    { number: 0, creatorName: '', videoTitle: '', technique: null, startSeconds: 0, endSeconds: 0, text: hit.text },
    questionTerms,
    2,
  );
  if (best.length <= SNIPPET_CHARS) return best;
  const cut = best.slice(0, SNIPPET_CHARS);
  return `${cut.slice(0, Math.max(cut.lastIndexOf(' '), SNIPPET_CHARS / 2)).trimEnd()}…`;
}

export function toSources(hits: PassageHit[], question: string): Source[] {
  const terms = keyTerms(question);
  return hits.map((h, i) => ({
    number: i + 1,
    passage_id: h.passage_id,
    creator: { slug: h.creator_slug, name: h.creator_name },
    video: { id: h.video_id, title: h.video_title, url: h.video_url },
    start_seconds: h.start_seconds,
    end_seconds: h.end_seconds,
    url: timestampUrl(h.video_url, h.start_seconds),
    technique: h.technique,
    snippet: snippet(h, terms),
    score: Math.round(h.score * 1000) / 1000,
  }));
}

export function toAnswerSources(hits: PassageHit[]): AnswerSource[] {
  return hits.map((h, i) => ({
    number: i + 1,
    creatorName: h.creator_name,
    videoTitle: h.video_title,
    technique: h.technique,
    startSeconds: h.start_seconds,
    endSeconds: h.end_seconds,
    text: h.text,
  }));
}
