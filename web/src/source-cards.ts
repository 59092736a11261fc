import type { Source } from './api';
import { el } from './dom';
import { mmss } from './format';

/** One source: number, technique, creator and video, the cited time range (a link), and the snippet. */
function sourceCard(s: Source): HTMLLIElement {
  const range = `${mmss(s.start_seconds)}–${mmss(s.end_seconds)}`;
  const title = s.technique ?? s.video.title;
  return el(
    'li',
    { className: 'source', attrs: { 'data-source': String(s.number), 'data-creator': s.creator.slug } },
    el('span', { className: 'source-number', attrs: { 'aria-hidden': 'true' } }, String(s.number)),
    el(
      'div',
      { className: 'source-body' },
      el('p', { className: 'source-title' }, el('span', { className: 'visually-hidden' }, `Source ${s.number}: `), title),
      el(
        'p',
        { className: 'source-meta' },
        el('span', { className: 'source-creator' }, s.creator.name),
        ' · ',
        el('span', { className: 'source-video' }, s.video.title),
      ),
      el('p', { className: 'source-snippet' }, s.snippet),
      el(
        'a',
        {
          className: 'source-time',
          attrs: { href: s.url, target: '_blank', rel: 'noopener noreferrer', 'aria-label': `Watch ${s.video.title} from ${range}` },
        },
        el('span', { attrs: { 'aria-hidden': 'true' } }, '▶ '),
        range,
      ),
    ),
  );
}

/** The sources list of one answer; empty when the knowledge base had nothing. */
export function sourceList(sources: readonly Source[]): HTMLElement | null {
  if (sources.length === 0) return null;
  const headingId = `sources-${crypto.getRandomValues(new Uint32Array(1))[0]}`;
  return el(
    'section',
    { className: 'sources', attrs: { 'aria-labelledby': headingId } },
    el('h3', { className: 'sources-title', attrs: { id: headingId } }, sources.length === 1 ? '1 source' : `${sources.length} sources`),
    el('ol', { className: 'source-list' }, ...sources.map(sourceCard)),
  );
}
