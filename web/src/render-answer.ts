import DOMPurify from 'dompurify';
import { Marked } from 'marked';
import type { Source } from './api';
import { mmss } from './format';

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

// Raw HTML in an answer is shown as the text it is: an answer quotes passages and model output,
// and neither may add markup. DOMPurify below is the second lock on the same door.
const marked = new Marked({
  gfm: true,
  breaks: false,
  async: false,
  renderer: {
    html: ({ text }) => escapeHtml(text),
    image: ({ text }) => escapeHtml(text),
  },
});

const ALLOWED_TAGS = ['p', 'br', 'strong', 'em', 'del', 'ul', 'ol', 'li', 'code', 'pre', 'blockquote', 'h1', 'h2', 'h3', 'h4', 'a', 'hr', 'table', 'thead', 'tbody', 'tr', 'th', 'td'];

const purifier = DOMPurify(window);
purifier.addHook('afterSanitizeAttributes', (node) => {
  if (node.tagName === 'A') {
    node.setAttribute('target', '_blank');
    node.setAttribute('rel', 'noopener noreferrer');
  }
});

const CITATION = /\[(\d{1,3}(?:\s*,\s*\d{1,3})*)\]/g;

/** A citation marker: a link that opens the cited video at the cited second. */
export function citationLink(source: Source): HTMLAnchorElement {
  const a = document.createElement('a');
  a.className = 'cite';
  a.href = source.url;
  a.target = '_blank';
  a.rel = 'noopener noreferrer';
  a.dataset.source = String(source.number);
  a.textContent = String(source.number);
  a.setAttribute('aria-label', `Source ${source.number}: ${source.video.title} at ${mmss(source.start_seconds)}`);
  a.title = `${source.creator.name} · ${source.video.title} · ${mmss(source.start_seconds)}`;
  return a;
}

/** Replaces `[n]` and `[n, m]` in text nodes by citation links; markers naming no source stay text. */
function linkCitations(root: Node, byNumber: Map<number, Source>): void {
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT, {
    acceptNode: (n) => (n.parentElement?.closest('a, code, pre') ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT),
  });
  const texts: Text[] = [];
  for (let n = walker.nextNode(); n; n = walker.nextNode()) texts.push(n as Text);
  for (const node of texts) {
    const value = node.data;
    if (!value.includes('[')) continue;
    const out = document.createDocumentFragment();
    let last = 0;
    for (const m of value.matchAll(CITATION)) {
      const numbers = (m[1] ?? '').split(',').map((s) => Number(s.trim()));
      if (!numbers.every((n) => byNumber.has(n))) continue;
      out.append(value.slice(last, m.index));
      const group = document.createElement('span');
      group.className = 'cites';
      for (const n of numbers) group.append(citationLink(byNumber.get(n) as Source));
      out.append(group);
      last = m.index + m[0].length;
    }
    out.append(value.slice(last));
    node.replaceWith(out);
  }
}

/** Renders an answer's markdown into `target`, safely, with its citations linked to the sources. */
export function renderAnswer(target: HTMLElement, markdown: string, sources: readonly Source[]): void {
  const html = marked.parse(markdown) as string;
  const fragment = purifier.sanitize(html, { ALLOWED_TAGS, ALLOWED_ATTR: ['href', 'title'], RETURN_DOM_FRAGMENT: true });
  linkCitations(fragment, new Map(sources.map((s) => [s.number, s])));
  target.replaceChildren(fragment);
}
