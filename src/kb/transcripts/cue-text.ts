const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', lrm: '', rlm: '' };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
    if (name[0] === '#') {
      const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return NAMED[name.toLowerCase()] ?? whole;
  });
}

/**
 * The words of a cue payload: WebVTT tags (<b>, <c.loud>, <v Mira>, <00:01:02.000>), SRT's HTML
 * tags (<i>, <font color=…>) and ASS overrides ({\an8}) removed, entities decoded, lines joined.
 */
export function cueText(payload: string): string {
  return decodeEntities(
    payload
      .replace(/<[^>\n]*>/g, '')
      .replace(/\{\\[^}\n]*\}/g, ''),
  )
    .replace(/\s+/g, ' ')
    .trim();
}
