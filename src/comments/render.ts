import MarkdownIt from 'markdown-it';
import type Token from 'markdown-it/lib/token.mjs';
import sanitizeHtml from 'sanitize-html';

/**
 * Comments support a small Markdown subset: paragraphs, line breaks, emphasis and strong, links,
 * block quotes and code. Raw HTML is escaped, never passed through; tables, headings, images and
 * lists stay plain text.
 */
const markdown = new MarkdownIt('zero', { html: false, linkify: true, breaks: true, typographer: false }).enable([
  'paragraph',
  'blockquote',
  'code',
  'fence',
  'newline',
  'escape',
  'backticks',
  'emphasis',
  'link',
  'autolink',
  'linkify',
]);

const LINK_REL = 'nofollow ugc noopener';

/** The last line of defence: whatever the renderer emits, only these tags and link targets survive. */
const SANITIZE_OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: ['p', 'br', 'em', 'strong', 'a', 'blockquote', 'code', 'pre'],
  allowedAttributes: { a: ['href', 'rel', 'target'] },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesAppliedToAttributes: ['href'],
  allowProtocolRelative: false,
  disallowedTagsMode: 'escape',
  transformTags: {
    a: (tagName, attribs) => ({
      tagName,
      attribs: { ...(attribs.href ? { href: attribs.href } : {}), rel: LINK_REL, target: '_blank' },
    }),
  },
};

export interface RenderedComment {
  html: string;
  /** How many links the text holds, for the link limit. */
  linkCount: number;
}

function countLinks(tokens: Token[]): number {
  let count = 0;
  for (const token of tokens) {
    if (token.type === 'link_open') count += 1;
    if (token.children) count += countLinks(token.children);
  }
  return count;
}

export function renderComment(body: string): RenderedComment {
  const env = {};
  const tokens = markdown.parse(body, env);
  const html = sanitizeHtml(markdown.renderer.render(tokens, markdown.options, env), SANITIZE_OPTIONS).trim();
  return { html, linkCount: countLinks(tokens) };
}
