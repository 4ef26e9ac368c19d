/** Server-rendered pages of the widget feature. Every interpolated value passes through escapeHtml. */

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char]);
}

/** Shared look of the service's own pages; served as a file because the CSP forbids inline styles. */
export const PAGE_CSS = `
body { margin: 0; font: 18px/1.6 Georgia, "Times New Roman", serif; color: #1b1b1b; background: #f7f5f0; }
main { max-width: 44rem; margin: 0 auto; padding: 1.5rem 1rem 3rem; }
header.masthead { border-bottom: 3px double #1b1b1b; margin-bottom: 1.5rem; }
header.masthead p { margin: 0; font: 700 1.6rem/1.2 Georgia, serif; letter-spacing: .02em; padding: .75rem 0; }
h1 { font-size: 2rem; line-height: 1.2; margin: 0 0 .5rem; }
.byline { font: .9rem/1.4 system-ui, sans-serif; color: #555; margin-bottom: 1.25rem; }
#comments { margin-top: 2.5rem; }
`;

function layout(title: string, body: string, stylesheet: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<link rel="stylesheet" href="${escapeHtml(stylesheet)}">
</head>
<body>
${body}
</body>
</html>
`;
}

export interface DemoPageOptions {
  siteId: string;
  articleId: string;
}

/** A made-up local news story with the embed tags a real site would add. */
export function demoPage({ siteId, articleId }: DemoPageOptions): string {
  const site = escapeHtml(siteId);
  const article = escapeHtml(articleId);
  return layout(
    'Ferry to Gull Island returns after winter repairs — The Millbrook Ledger',
    `<main>
<header class="masthead"><p>The Millbrook Ledger</p></header>
<article>
<h1>Ferry to Gull Island returns after winter repairs</h1>
<p class="byline">By the Ledger newsroom · <span data-comment-count data-site="${site}" data-article="${article}">comments</span></p>
<p>The little green ferry that links Millbrook harbour with Gull Island made its first crossing of the season on Saturday
morning, three weeks later than planned, after a winter in dry dock that stretched on longer than anyone at the harbour office hoped.</p>
<p>Engineers replaced the vessel's forty-year-old propeller shaft and rebuilt the ramp that lowers onto the island's stone slipway.
“We found more rust than we bargained for,” said harbourmaster Ines Okafor, who rode the first crossing with a thermos of tea
and a clipboard of checks.</p>
<p>Island residents, who have spent the spring relying on a borrowed fishing boat for groceries and the post, lined the quay to
meet the boat. The island school's six pupils held up a bedsheet painted with the words “Welcome back, Petunia”, the ferry's
unofficial name since a naming contest in 1998.</p>
<p>The council says the summer timetable, with eight crossings a day, starts on the first of next month. Fares are unchanged,
and bicycles still travel free.</p>
</article>
<section aria-label="Reader comments">
<div id="comments" data-site="${site}" data-article="${article}"></div>
</section>
</main>
<script src="/embed.js" async></script>
<script src="/embed/count.js" async></script>`,
    '/embed/page.css',
  );
}
