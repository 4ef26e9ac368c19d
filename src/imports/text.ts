/**
 * WordPress and Disqus store comments as small HTML fragments; Threadline stores the text a reader
 * typed (a Markdown subset) and renders it itself. This turns a fragment into that text: paragraphs
 * and line breaks become newlines, a link keeps its address, every other tag is dropped and entities
 * are decoded. Nothing of the source's HTML reaches a page unrendered.
 */
const NAMED: Record<string, string> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0', hellip: '\u2026', mdash: '\u2014',
  ndash: '\u2013', lsquo: '\u2018', rsquo: '\u2019', ldquo: '\u201c', rdquo: '\u201d', laquo: '\u00ab',
  raquo: '\u00bb', copy: '\u00a9', reg: '\u00ae', trade: '\u2122', euro: '\u20ac', eacute: '\u00e9',
  egrave: '\u00e8', agrave: '\u00e0', ouml: '\u00f6', uuml: '\u00fc', auml: '\u00e4', szlig: '\u00df',
};

export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
    if (name[0] === '#') {
      const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff) ? String.fromCodePoint(code) : whole;
    }
    return NAMED[name.toLowerCase()] ?? whole;
  });
}

export function htmlToText(fragment: string): string {
  const text = fragment
    .replace(/\r\n?/g, '\n')
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(p|div|blockquote|li|h[1-6])\s*>/gi, '\n\n')
    .replace(/<a\s[^>]*?href\s*=\s*(["'])(.*?)\1[^>]*>(.*?)<\/a\s*>/gis, (_whole, _q: string, href: string, label: string) => {
      const shown = label.replace(/<[^>]*>/g, '').trim();
      const target = decodeEntities(href);
      return !shown || decodeEntities(shown) === target ? target : `[${shown}](${target})`;
    })
    .replace(/<[^>]*>/g, '');
  return decodeEntities(text)
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
